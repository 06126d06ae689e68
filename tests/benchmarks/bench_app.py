"""The app with 10,000 needs and offers: every page's script run in AppTest, and the map's
first paint in headless chromium. Prints figures; asserts nothing (timings are noisy here).

    python -m tests.benchmarks.bench_app [--records 10000] [--runs 3] [--no-browser]

Targets: each page's (warm) script run <= 1 s; the map's first paint < 4 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from samenspel.matching.csvformat import NEED_COLUMNS, OFFER_COLUMNS
from samenspel.matching.synthetic import generate, to_csv

ROLES = {
    "public": None,
    "initiative": "initiatief",
    "partner": "partner",
    "broker": "makelaar",
    "admin": "beheer",
}


def load_records(total: int) -> None:
    """The demo city plus `total` synthetic needs and offers, through the real importer."""
    from samenspel import settings
    from samenspel.services.permissions import Actor
    from samenspel.services.transfer import MAX_ROWS, import_file
    from samenspel.storage import db
    from samenspel.storage.seed import seed_demo

    engine = db.engine_for(settings.database_url())
    seed_demo(engine)
    needs, offers = generate(total // 2, total // 2, cities=3)  # Utrecht and its neighbours
    system = Actor(user_id=None, role="admin", system=True)
    # Files of at most MAX_ROWS rows (the importer refuses bigger ones), each imported as
    # `samenspel import` does: one commit per file.
    for name, rows, columns in (("offers", offers, OFFER_COLUMNS), ("needs", needs, NEED_COLUMNS)):
        began = time.perf_counter(), time.process_time()
        for start in range(0, len(rows), MAX_ROWS):
            with db.unit_of_work(engine) as session:
                import_file(session=session, actor=system, filename=f"{name}.csv",
                            content=to_csv(rows[start : start + MAX_ROWS], columns).encode())  # fmt: skip
        print(f"imported {len(rows):,} {name} in {time.perf_counter() - began[0]:.0f} s"
              f" ({time.process_time() - began[1]:.0f} CPU-s), with their suggestions")  # fmt: skip


def page_timings(runs: int) -> list[tuple[str, str, float, float]]:
    from sqlmodel import Session, select
    from streamlit.testing.v1 import AppTest

    from samenspel import settings
    from samenspel.storage import db
    from samenspel.storage.models import User
    from samenspel.web.navigation import pages_for
    from tests.app.conftest import log_in

    root = Path(__file__).resolve().parents[2]
    with Session(db.engine_for(settings.database_url())) as session:
        ids = {u.username: u.id for u in session.exec(select(User))}
    rows = []
    for role, username in ROLES.items():
        for path in pages_for(role):
            times = []
            for _ in range(runs + 1):  # the first run fills the caches
                at = AppTest.from_file(str(root / "app.py"), default_timeout=300)
                if username:
                    log_in(at, ids[username])
                at.run()
                began = time.perf_counter()
                at.switch_page(path).run()
                times.append(time.perf_counter() - began)
                if at.exception:
                    raise SystemExit(f"{path} as {role}: {at.exception}")
            rows.append((role, path, times[0], statistics.median(times[1:])))
    return rows


def first_paint(runs: int) -> list[float]:
    import shutil
    import socket
    import subprocess
    import sys
    import urllib.request

    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import keep_local

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = Path(__file__).resolve().parents[2]
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true"], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        times = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                                 args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
            for _ in range(runs + 1):  # the first load warms the server's caches
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                keep_local(context)
                page = context.new_page()
                began = time.perf_counter()
                page.goto(url)
                frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
                frame.locator(".ss-cluster, .ss-marker").first.wait_for(timeout=120_000)
                times.append(time.perf_counter() - began)
                context.close()
            browser.close()
        return times
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="samenspel-bench-")
    os.environ.update({"SAMENSPEL_INSTANCE_DIR": instance, "SAMENSPEL_DEMO": "1"})
    os.environ.pop("SAMENSPEL_DATABASE_URL", None)
    began = time.perf_counter()
    load_records(args.records)
    print(
        f"loaded the demo city plus {args.records:,} needs and offers in {time.perf_counter() - began:.1f} s"
    )
    print(f"{'role':<11} {'page':<24} {'first run':>10} {'warm (median)':>14}")
    for role, path, first, warm in page_timings(args.runs):
        print(f"{role:<11} {path:<24} {first:>9.2f}s {warm:>13.2f}s")
    if not args.no_browser:
        times = first_paint(args.runs)
        print(f"map first paint in chromium: median {statistics.median(times[1:]):.2f} s over {args.runs} loads "
              f"(cold first load {times[0]:.2f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
