"""One view of the map page at city size: CPU seconds of the page's script run (AppTest, the
app's own code paths: cached points, filters, build_map and streamlit-folium's rendering) and
the size of the map it sends, for the demo city plus N needs and offers placed among the demo
city's own organisations (so in its neighbourhoods, on the map that is measured). Prints
figures; asserts nothing (this machine is shared: CPU seconds, medians).

    python -m tests.benchmarks.bench_map [--records 10000 100000] [--runs 5] [--lines]

Targets (issue 17): a warm map view under 0.3 CPU-s at 100k records, under 1 MB sent.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

KINDS = ("venue", "volunteers", "money", "art", "goods", "expertise")


def load(records: int, *, seed: int = 7) -> None:
    """The demo city, then `records` needs and offers (half each) of the demo organisations,
    each within about 300 m of its organisation, in bulk (the importer is measured elsewhere)."""
    from sqlalchemy import insert
    from sqlmodel import select

    from samenspel import settings
    from samenspel.storage import db
    from samenspel.storage.models import Need, Offer, Organisation
    from samenspel.storage.seed import seed_demo

    engine = db.engine_for(settings.database_url())
    seed_demo(engine)
    rng = random.Random(seed)
    with db.unit_of_work(engine) as session:
        orgs = session.exec(select(Organisation).where(Organisation.lat.is_not(None))).all()
        for table, half in ((Need, records // 2), (Offer, records - records // 2)):
            rows = []
            for number in range(half):
                org = rng.choice(orgs)
                rows.append({
                    "organisation_id": org.id, "kind": rng.choice(KINDS), "status": "open",
                    "title": f"{table.__name__} {number} van {org.name}",
                    "lat": org.lat + rng.uniform(-0.003, 0.003),
                    "lon": org.lon + rng.uniform(-0.004, 0.004),
                })  # fmt: skip
            for start in range(0, len(rows), 5_000):
                session.execute(insert(table), rows[start : start + 5_000])


def map_views(runs: int, *, lines: bool) -> tuple[list[float], int]:
    """CPU seconds of each warm run of the map page, and the bytes of the map it drew."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP

    at = AppTest.from_file(str(APP), default_timeout=600).run()  # fills the caches
    if lines:
        at.toggle(key="home_lines").set_value(True).run()
    if at.exception:
        raise SystemExit(f"the map page failed: {at.exception}")
    times = []
    for _ in range(runs):
        began = time.process_time()
        at.run()
        times.append(time.process_time() - began)
    sent = sum(len(str(element.proto)) for element in at.get("component_instance"))
    if not sent:  # the app shows its error page instead of raising: no map is a failure
        raise SystemExit("the map page drew no map")
    return times, sent


def main() -> None:
    import streamlit as st

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lines", action="store_true", help="with the partnership lines on")
    args = parser.parse_args()
    print(f"{'records':>8} {'warm view (median CPU-s)':>25} {'map sent':>10}")
    for records in args.records:
        os.environ.update({"SAMENSPEL_INSTANCE_DIR": tempfile.mkdtemp(prefix="samenspel-map-"),
                           "SAMENSPEL_DEMO": "1"})  # fmt: skip
        os.environ.pop("SAMENSPEL_DATABASE_URL", None)
        st.cache_resource.clear()  # the app's engine and reads belong to the database before
        st.cache_data.clear()
        load(records)
        times, sent = map_views(args.runs, lines=args.lines)
        print(f"{records:>8,} {statistics.median(times):>25.2f} {sent / 1e6:>8.1f} MB")


if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parents[2])
    main()
