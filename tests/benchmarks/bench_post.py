"""A new need or offer at city size: how long its post holds the write transaction, and how
long after it its suggestions are there, for the demo city plus N needs and offers placed
among its organisations (as bench_map does). "Before" is the old path, measured in the same
run: the suggestions worked out inside the post's own transaction. Prints figures (medians,
wall and CPU seconds: this machine is shared); asserts nothing.

    python -m tests.benchmarks.bench_post [--records 10000 100000] [--runs 5] [--embedder none]

Targets (issue 17): a post commits in under 0.2 s at 100k records; its suggestions appear
within 5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

from tests.benchmarks.bench_map import load


def timed(action) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(records: int, runs: int) -> None:
    from sqlmodel import select

    from samenspel import settings
    from samenspel.services import embeddings, posts, suggestion_jobs, suggestions
    from samenspel.services.permissions import Actor
    from samenspel.storage import db
    from samenspel.storage.models import User

    load(records)
    engine = db.engine_for(settings.database_url())
    with db.unit_of_work(engine) as session:
        began = time.perf_counter()
        texts, new = embeddings.backfill(session)  # as after an import: vectors stored
        print(f"  ({new:,} of {texts:,} texts embedded first, {time.perf_counter() - began:.0f} s)")
    suggestion_jobs.run_due(engine)  # nothing left over from the load
    with db.unit_of_work(engine, read_only=True) as session:
        users = {u.username: u for u in session.exec(select(User))}

    def actor(name: str) -> Actor:
        user = users[name]
        return Actor(user.id, user.role, user.organisation_id, tuple(user.areas or ()), name)

    sides = {
        "need": (posts.create_need, actor("initiatief"), suggestions.refresh_for_need),
        "offer": (posts.create_offer, actor("partner"), suggestions.refresh_for_offer),
    }
    for side, (create, who, refresh) in sides.items():
        figures: dict[str, list[tuple[float, float]]] = {"before": [], "commit": [], "job": []}
        for run in range(runs):
            form = posts.PostForm(kind="venue", title=f"Zaal om samen te koken {side} {run}",
                                  people=20, when="di avond")  # fmt: skip
            post = partial(_post, engine, create, who, form)
            figures["before"].append(timed(partial(post, refresh)))
            suggestion_jobs.run_due(engine)  # the job the old path queued too
            figures["commit"].append(timed(post))
            figures["job"].append(timed(partial(suggestion_jobs.run_due, engine)))
        for name, label in (("before", "post + suggestions in one transaction (before)"),
                            ("commit", "post commits (now)"),
                            ("job", "its suggestions worked out after (now)")):  # fmt: skip
            wall = statistics.median(w for w, _ in figures[name])
            cpu = statistics.median(c for _, c in figures[name])
            print(f"  new {side:<5} {label:<50} {wall:>7.3f} s {cpu:>7.3f} CPU-s")


def _post(engine, create, who, form, refresh=None) -> None:
    """One post in its own unit of work; with `refresh`, the old path: the engine inside it."""
    from samenspel.storage import db

    with db.unit_of_work(engine) as session:
        made = create(session=session, actor=who, organisation_id=who.organisation_id, form=form)
        if refresh is not None:
            refresh(session, made.id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--embedder", default=None, help="SAMENSPEL_EMBEDDER for this run")
    args = parser.parse_args()
    if args.embedder is not None:
        os.environ["SAMENSPEL_EMBEDDER"] = args.embedder
    for records in args.records:
        os.environ.update({"SAMENSPEL_INSTANCE_DIR": tempfile.mkdtemp(prefix="samenspel-post-"),
                           "SAMENSPEL_DEMO": "1"})  # fmt: skip
        os.environ.pop("SAMENSPEL_DATABASE_URL", None)
        print(f"{records:,} records (median of {args.runs}):")
        measure(records, args.runs)


if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parents[2])
    main()
