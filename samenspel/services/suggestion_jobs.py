"""Suggestions off the request path: a post commits at once, its suggestions follow.

A write that changes what the engine would suggest (a new, changed, resumed or extended post,
an organisation whose matched-on fields changed, an offer that paused or closed) only queues
a SuggestionJob for the need or offer, in its own transaction (`queue`). Ranking a new offer
against every need it can reach takes seconds in a city; inside the post's transaction it
held SQLite's write lock all that time, and every other writer failed with "database is
locked".

The jobs are done by `run_due`, in three short steps per batch:
1. **Claim** up to BATCH jobs for LEASE (one small write transaction; on PostgreSQL `FOR
   UPDATE SKIP LOCKED`, so two runners take different jobs). A job whose need or offer has a
   job claimed by someone else waits for that one: the two would store in either order.
2. **Work out** the suggestions in a read-only unit of work: on SQLite it takes no lock at
   all, so writers go on meanwhile. The needs of all claimed jobs share one engine per kind.
3. **Store** them in one write transaction per STORE_CHUNK needs (suggestions._store_all, which
   keeps every pair someone acted on), only for needs that are still open and offers that are
   still open (a post paused in the meantime gets nothing), and delete the jobs done.

Who runs it: the app process, in one background thread per process that `kick` starts after
the write that queued a job committed (web/ui.py), and the worker (`samenspel worker`), each
round, for what an app process that stopped left behind. A job whose runner died is taken
again when its lease passes. The page shows "we zoeken suggesties" while a job for one of its
posts is waiting (`waiting`), and the suggestions when it is done; a page that waits for a job
nobody is doing (`stalled`) kicks its own process, so without a worker nothing waits forever.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from samenspel import logs, settings
from samenspel.matching.engine import Engine as MatchEngine
from samenspel.matching.types import NeedIn, NeedSuggestions
from samenspel.services import suggestions
from samenspel.services.embeddings import SessionVectorStore, semantic_for
from samenspel.services.records import need_in, offer_in
from samenspel.storage import db, versions
from samenspel.storage.models import Match, Need, Offer, Organisation, SuggestionJob, utcnow

BATCH = 200  # jobs claimed at once: their needs share one engine per kind
LEASE = timedelta(minutes=10)  # longer than a batch takes at city scale
QUEUED = "samenspel_suggestion_jobs_queued"  # session.info: this transaction queued a job


def _in_chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """`ids` a few hundred at a time (SQLite allows a limited number of parameters)."""
    ids = list(ids)
    for start in range(0, len(ids), suggestions.STORE_CHUNK):
        yield ids[start : start + suggestions.STORE_CHUNK]


def _with_jobs(session: Session, field, ids: Iterable[int], *conditions) -> set[int]:
    """Those of `ids` (need or offer ids, as `field` says) that have a job meeting `conditions`."""
    found: set[int] = set()
    for chunk in _in_chunks(ids):
        found |= set(session.exec(select(field).where(col(field).in_(chunk), *conditions)))
    return found


def queue(session: Session, *, need_ids: Iterable[int] = (), offer_ids: Iterable[int] = ()) -> None:
    """Work out the suggestions of these needs and offers again, after this transaction
    commits. A job already waiting (not yet claimed) for the same post is enough."""
    unclaimed = col(SuggestionJob.claimed_until).is_(None)
    new = []
    for field, ids in (("need_id", need_ids), ("offer_id", offer_ids)):
        ids = list(dict.fromkeys(int(i) for i in ids))
        waiting_already = _with_jobs(session, getattr(SuggestionJob, field), ids, unclaimed)
        new += [SuggestionJob(**{field: i}) for i in ids if i not in waiting_already]
    session.add_all(new)
    if new:
        session.info[QUEUED] = True


def queued_in(session: Session) -> bool:
    """Whether this (committed) unit of work queued a job: then its entry point kicks."""
    return bool(session.info.get(QUEUED))


def waiting(session: Session, *, need_ids: Iterable[int], offer_ids: Iterable[int]) -> set:
    """Which of these posts still wait for their suggestions: {("need", id), ("offer", id)}."""
    return {("need", i) for i in _with_jobs(session, SuggestionJob.need_id, need_ids)} | {
        ("offer", i) for i in _with_jobs(session, SuggestionJob.offer_id, offer_ids)
    }


# A job nobody claimed this long after it was queued was queued by a process that stopped
# before it could start on it.
UNCLAIMED_TOO_LONG = timedelta(seconds=10)


def stalled(
    session: Session,
    *,
    need_ids: Iterable[int],
    offer_ids: Iterable[int],
    now: datetime | None = None,
) -> bool:
    """Whether a job for one of these posts waits for a runner that is not there: never
    claimed for a while, or claimed by one whose lease passed (it stopped). A page that
    waits for it then kicks (web/views/mine.py), so nobody depends on the worker alone."""
    now = now or utcnow()
    left_alone = or_(
        col(SuggestionJob.claimed_until).is_(None)
        & (col(SuggestionJob.queued_at) < now - UNCLAIMED_TOO_LONG),
        col(SuggestionJob.claimed_until) < now,
    )
    return bool(
        _with_jobs(session, SuggestionJob.need_id, need_ids, left_alone)
        or _with_jobs(session, SuggestionJob.offer_id, offer_ids, left_alone)
    )


@dataclass(frozen=True)
class Claimed:
    ids: tuple[int, ...]  # the jobs
    need_ids: frozenset[int]
    offer_ids: frozenset[int]
    lease: datetime


def claim(engine: Engine, *, now: datetime | None = None, batch: int = BATCH) -> Claimed | None:
    """Take up to `batch` jobs, oldest first, until now + LEASE; None when there are none."""
    now = now or utcnow()
    free = or_(col(SuggestionJob.claimed_until).is_(None), col(SuggestionJob.claimed_until) < now)
    with db.unit_of_work(engine) as session:
        held = session.exec(select(SuggestionJob).where(~free)).all()
        busy = {(j.need_id, j.offer_id) for j in held}
        rows = session.exec(
            select(SuggestionJob)
            .where(free)
            .order_by(SuggestionJob.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        rows = [row for row in rows if (row.need_id, row.offer_id) not in busy]
        if not rows:
            return None
        until = now + LEASE
        for row in rows:
            row.claimed_until = until
        return Claimed(
            ids=tuple(row.id for row in rows),
            need_ids=frozenset(r.need_id for r in rows if r.need_id is not None),
            offer_ids=frozenset(r.offer_id for r in rows if r.offer_id is not None),
            lease=until,
        )


class _KeptVectors(SessionVectorStore):
    """Reads stored vectors in the read-only step and keeps new ones for the write step."""

    def __init__(self, session: Session):
        super().__init__(session)
        self.new: dict[str, dict] = {}

    def save(self, model: str, vectors: dict) -> None:
        self.new.setdefault(model, {}).update(vectors)


def _needs_to_rank(session: Session, job: Claimed) -> list[NeedIn]:
    """The open needs of the claimed need jobs, and those each claimed offer may change: the
    needs it can reach, and those that had it suggested (it may have dropped out)."""
    needs: dict[int, NeedIn] = {}
    for chunk in _in_chunks(sorted(job.need_ids)):
        for need, org in session.exec(
            select(Need, Organisation)
            .join(Organisation)
            .where(col(Need.id).in_(chunk), Need.status == "open")
        ):
            needs[need.id] = need_in(need, org)
    for offer_id in sorted(job.offer_ids):
        offer = session.get(Offer, offer_id)
        if offer is None:
            continue
        target = offer_in(offer, session.get(Organisation, offer.organisation_id))
        had_it = set(
            session.exec(
                select(Match.need_id).where(Match.offer_id == offer_id, Match.status == "suggested")
            )
        )
        for need in suggestions.open_needs(session, offer.kind):
            if int(need.id) in had_it or suggestions.can_reach(need, target):
                needs.setdefault(int(need.id), need)
    return list(needs.values())


# The engine of each kind, kept between jobs while what it was built from is the same: the open
# offers and their organisations (their data versions, raised by a write on any instance),
# the partners' loads, the day and the sentence model. A new need then costs its own scoring
# only (at 100,000 records, building the engine was most of a need's job); a new or changed
# offer builds it again. At most KEPT_ENGINES, the least recently used go first.
KEPT_ENGINES = 12
_kept: OrderedDict[tuple[str, str], tuple[tuple, MatchEngine]] = OrderedDict()
_kept_lock = threading.Lock()


def _engine_for(session: Session, kind: str, today: date | None, semantic) -> MatchEngine:
    current = versions.read_all(session.connection())
    loads = suggestions.partner_loads(session)
    built_from = (
        current.get(versions.table_name(Offer), 0),
        current.get(versions.table_name(Organisation), 0),
        tuple(sorted(loads.items())),
        today or date.today(),
        settings.embedder(),
    )
    key = (str(session.get_bind().url), kind)
    with _kept_lock:
        kept = _kept.get(key)
        if kept is not None and kept[0] == built_from:
            _kept.move_to_end(key)
            return kept[1].using(semantic)
    offers = suggestions.open_offers(session, kind, loads)
    engine = MatchEngine(offers, today=built_from[3], semantic=semantic)
    with _kept_lock:
        _kept[key] = (built_from, engine.using(None))  # no store of this unit of work kept
        _kept.move_to_end(key)
        while len(_kept) > KEPT_ENGINES:
            _kept.popitem(last=False)
    return engine


def _work_out(session: Session, job: Claimed, today: date | None):
    needs = _needs_to_rank(session, job)
    store = _KeptVectors(session)
    semantic = semantic_for(session)
    semantic = None if semantic is None else semantic.with_store(store)
    results: list[NeedSuggestions] = []
    for kind in sorted({need.kind for need in needs}):
        engine = _engine_for(session, kind, today, semantic)
        results += engine.suggest([n for n in needs if n.kind == kind], settings.top_k())
    return results, store.new


def _still_open(session: Session, results: list[NeedSuggestions]) -> list[NeedSuggestions]:
    """What may be stored now: needs and offers that are still open (one may have paused or
    closed while the engine ran; its own step already took its suggestions away)."""
    need_ids = [int(r.need_id) for r in results]
    offer_ids = sorted({int(s.offer_id) for r in results for s in r.suggestions})
    open_needs = set(
        session.exec(select(Need.id).where(col(Need.id).in_(need_ids), Need.status == "open"))
    )
    open_offers: set[int] = set()
    for chunk in _in_chunks(offer_ids):
        open_offers |= set(
            session.exec(select(Offer.id).where(col(Offer.id).in_(chunk), Offer.status == "open"))
        )
    return [
        NeedSuggestions(r.need_id, [s for s in r.suggestions if int(s.offer_id) in open_offers])
        for r in results
        if int(r.need_id) in open_needs
    ]


def _store(engine: Engine, job: Claimed, results: list[NeedSuggestions], vectors: dict) -> None:
    chunk = suggestions.STORE_CHUNK
    for start in range(0, max(len(results), 1), chunk):
        with db.unit_of_work(engine) as session:
            if start == 0:  # the new texts' vectors, so no later run embeds them again
                for model, new in vectors.items():
                    SessionVectorStore(session).save(model, new)
            suggestions._store_all(session, _still_open(session, results[start : start + chunk]))
            if start + chunk >= len(results):  # done: delete the jobs this runner still holds
                session.exec(
                    delete(SuggestionJob).where(
                        col(SuggestionJob.id).in_(job.ids),
                        SuggestionJob.claimed_until == job.lease,
                    )
                )


def run_due(engine: Engine, *, today: date | None = None, batch: int = BATCH) -> int:
    """Do every job that is waiting, a batch at a time, until none is left; how many jobs.
    `today`: the day the engine judges dates by (tests fix it)."""
    done = 0
    while (job := claim(engine, batch=batch)) is not None:
        with db.unit_of_work(engine, read_only=True) as session:
            results, vectors = _work_out(session, job, today)
        _store(engine, job, results, vectors)
        done += len(job.ids)
    return done


# --- the app's background thread -----------------------------------------------------------

_lock = threading.Lock()
_runners: dict[str, tuple[threading.Thread, threading.Event]] = {}


def kick(engine: Engine) -> None:
    """Have this process's background thread for this database do the waiting jobs; it is
    started when there is none, and stops when a round found nothing new. Returns at once."""
    key = str(engine.url)
    with _lock:
        runner = _runners.get(key)
        if runner is not None:
            runner[1].set()  # it looks again after the round it is in
            return
        wake = threading.Event()
        wake.set()
        thread = threading.Thread(
            target=_background, args=(engine, key, wake), name="samenspel-suggestions",
            daemon=True,
        )  # fmt: skip
        _runners[key] = (thread, wake)
        thread.start()


def _background(engine: Engine, key: str, wake: threading.Event) -> None:
    while True:
        with _lock:  # decided under the lock: a kick either sees this thread or starts one
            if not wake.is_set():
                del _runners[key]
                return
            wake.clear()
        try:
            run_due(engine)
        except Exception as exc:  # the worker and the next kick try again; the app goes on
            logs.error("suggestion_job_error", "working out suggestions failed", exc)


def wait_until_idle(timeout: float = 30.0) -> bool:
    """Wait for this process's background threads to finish (tests, and a clean shutdown);
    whether they did within `timeout` seconds."""
    with _lock:
        threads = [thread for thread, _ in _runners.values()]
    for thread in threads:
        thread.join(timeout)
    return not any(thread.is_alive() for thread in threads)


def work_out_suggestions(engine: Engine) -> int:
    """The worker's job (services/mail_worker.py JOBS): jobs no app process did."""
    return run_due(engine)
