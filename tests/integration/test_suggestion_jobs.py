"""Suggestions off the request path (services/suggestion_jobs.py): a post commits with a job,
the job's runner works the suggestions out after, in short transactions of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from datetime import timedelta

from sqlmodel import Session, func, select

from samenspel.services import mail_worker, posts, suggestion_jobs, suggestions
from samenspel.storage import db
from samenspel.storage.models import Match, Need, SuggestionJob, utcnow
from tests.integration.conftest import TODAY, work_out_suggestions
from tests.integration.test_flows import act

HALL = posts.PostForm(kind="venue", title="Zaal met keuken", people=40, kitchen=True,
                      when="di avond", distance_km=3)  # fmt: skip
NEED = posts.PostForm(kind="venue", title="Plek om samen te koken", people=30, kitchen=True,
                      when="di avond", distance_km=2)  # fmt: skip


def post(world, who: str, org: str, form: posts.PostForm, *, need: bool) -> int:
    """A post as the page makes it, without the runner that follows it in the app."""
    service = posts.create_need if need else posts.create_offer
    with db.unit_of_work(world["engine"]) as session:
        made = service(session=session, actor=world["actors"][who], organisation_id=world[org],
                       form=form, today=TODAY)  # fmt: skip
        assert suggestion_jobs.queued_in(session)
    return made.id


def suggested(world, need_id: int) -> set[int]:
    with Session(world["engine"]) as session:
        return set(
            session.exec(
                select(Match.offer_id).where(Match.need_id == need_id, Match.status == "suggested")
            )
        )


def jobs(world) -> list[tuple[int | None, int | None]]:
    with Session(world["engine"]) as session:
        return [(j.need_id, j.offer_id) for j in session.exec(select(SuggestionJob))]


def waiting(world, need_ids=(), offer_ids=()) -> set:
    with Session(world["engine"]) as session:
        return suggestion_jobs.waiting(session, need_ids=need_ids, offer_ids=offer_ids)


def test_a_post_commits_with_a_job_and_its_suggestions_follow(world):
    hall = post(world, "karim", "boog", HALL, need=False)
    need = post(world, "anja", "pan", NEED, need=True)
    assert suggested(world, need) == set()  # the post did not wait for the engine
    assert waiting(world, [need], [hall]) == {("need", need), ("offer", hall)}
    assert work_out_suggestions(world) == 2
    assert suggested(world, need) == {hall}
    assert jobs(world) == [] and waiting(world, [need], [hall]) == set()
    assert work_out_suggestions(world) == 0  # nothing left


def test_a_new_offer_re_ranks_the_needs_it_reaches(world):
    need = post(world, "anja", "pan", NEED, need=True)
    work_out_suggestions(world)
    assert suggested(world, need) == set()
    hall = post(world, "karim", "boog", HALL, need=False)
    assert jobs(world) == [(None, hall)]
    work_out_suggestions(world)
    assert suggested(world, need) == {hall}


def test_changes_while_a_job_waits_make_no_second_job(world):
    need = post(world, "anja", "pan", NEED, need=True)
    seen = act(world, posts.own_post, actor=world["actors"]["anja"], need_id=need)
    with db.unit_of_work(world["engine"]) as session:
        posts.update_need(session=session, actor=world["actors"]["anja"], need_id=need,
                          form=replace(seen.form, title="Keuken gezocht"),
                          today=TODAY)  # fmt: skip
    assert jobs(world) == [(need, None)]


def test_a_post_paused_while_its_job_ran_gets_nothing_stored(world, monkeypatch):
    post(world, "karim", "boog", HALL, need=False)
    need = post(world, "anja", "pan", NEED, need=True)
    worked_out = suggestion_jobs._work_out

    def pause_meanwhile(session, job, today):
        found = worked_out(session, job, today)
        act(world, posts.pause_post, actor=world["actors"]["anja"], need_id=need)
        return found

    monkeypatch.setattr(suggestion_jobs, "_work_out", pause_meanwhile)
    work_out_suggestions(world)
    assert suggested(world, need) == set()
    with Session(world["engine"]) as session:
        assert session.get(Need, need).status == "paused"


def test_a_paused_offer_hands_its_needs_to_a_job_for_the_next_best(world):
    hall = post(world, "karim", "boog", HALL, need=False)
    small = post(world, "karim", "boog", replace(HALL, title="Kleine zaal"), need=False)
    need = post(world, "anja", "pan", NEED, need=True)
    work_out_suggestions(world)
    assert suggested(world, need) == {hall, small}
    with db.unit_of_work(world["engine"]) as session:
        posts.pause_post(session=session, actor=world["actors"]["karim"], offer_id=hall)
    assert suggested(world, need) == {small}  # gone at once, with the pause
    assert jobs(world) == [(need, None)]
    work_out_suggestions(world)
    assert suggested(world, need) == {small}


def test_a_runner_that_died_leaves_its_jobs_to_the_next_one_after_the_lease(world):
    need = post(world, "anja", "pan", NEED, need=True)
    dead = suggestion_jobs.claim(world["engine"])
    assert dead is not None and dead.need_ids == {need}
    assert suggestion_jobs.claim(world["engine"]) is None  # held: nobody else takes it
    later = suggestion_jobs.claim(world["engine"], now=utcnow() + suggestion_jobs.LEASE
                                  + timedelta(seconds=1))  # fmt: skip
    assert later is not None and later.need_ids == {need}
    # The first runner wakes up and stores: the job is no longer its own, so it stays.
    suggestion_jobs._store(world["engine"], dead, [], {})
    assert jobs(world) == [(need, None)]


def test_a_job_nobody_is_doing_is_stalled_and_one_being_done_is_not(world):
    need = post(world, "anja", "pan", NEED, need=True)

    def is_stalled(now) -> bool:
        with Session(world["engine"]) as session:
            return suggestion_jobs.stalled(session, need_ids=[need], offer_ids=[], now=now)

    assert not is_stalled(utcnow())  # just queued: its process is on it
    assert is_stalled(utcnow() + suggestion_jobs.UNCLAIMED_TOO_LONG + timedelta(seconds=1))
    suggestion_jobs.claim(world["engine"])
    assert not is_stalled(utcnow() + timedelta(minutes=1))  # claimed, lease running
    assert is_stalled(utcnow() + suggestion_jobs.LEASE + timedelta(seconds=1))  # its runner died


def test_the_worker_does_what_no_app_process_did(world):
    hall = post(world, "karim", "boog", HALL, need=False)
    need = post(world, "anja", "pan", NEED, need=True)
    results = dict(mail_worker.run_round(world["engine"]))
    assert results["work_out_suggestions"] == 2
    assert suggested(world, need) == {hall}


def test_the_apps_background_thread_works_them_out_after_a_kick(world):
    hall = post(world, "karim", "boog", HALL, need=False)
    need = post(world, "anja", "pan", NEED, need=True)
    suggestion_jobs.kick(world["engine"])
    suggestion_jobs.kick(world["engine"])  # a second kick joins the running thread
    assert suggestion_jobs.wait_until_idle(60)
    assert suggested(world, need) == {hall} and jobs(world) == []


def test_the_engine_is_kept_until_an_offer_changes(world, monkeypatch):
    hall = post(world, "karim", "boog", HALL, need=False)
    post(world, "anja", "pan", NEED, need=True)
    work_out_suggestions(world)
    built = []
    real = suggestions.open_offers
    monkeypatch.setattr(
        suggestions, "open_offers", lambda *a, **k: built.append(1) or real(*a, **k)
    )
    second = post(world, "zuilen", "other", replace(NEED, title="Een keuken voor het taalcafé"),
                  need=True)  # fmt: skip
    work_out_suggestions(world)
    assert built == [] and suggested(world, second) == {hall}  # the kept engine
    small = post(world, "karim", "boog", replace(HALL, title="Kleine zaal met keuken"), need=False)
    work_out_suggestions(world)
    assert built == [1] and small in suggested(world, second)  # built again, once


RUNNER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from samenspel.services import suggestion_jobs, suggestions
    from samenspel.storage import db

    real = suggestions.open_offers

    def slow_open_offers(*args, **kwargs):
        Path(sys.argv[2]).touch()  # in the read-only step now
        time.sleep(6)  # longer than SQLite's busy timeout (5 s)
        return real(*args, **kwargs)

    suggestions.open_offers = slow_open_offers
    print(suggestion_jobs.run_due(db.engine_for(sys.argv[1])))
    """
)


def test_a_writer_in_another_process_never_waits_for_the_engine_on_sqlite(sqlite_world, tmp_path):
    """Process 1 works out a job (slowly: 6 s in its read step); meanwhile process 2, this
    test, posts and changes things. Before, the engine ran inside the post's write
    transaction and every other writer got "database is locked" after 5 s."""
    world = sqlite_world
    first = post(world, "anja", "pan", NEED, need=True)
    work_out_suggestions(world)
    hall = post(world, "karim", "boog", HALL, need=False)  # its job ranks the first need
    started = tmp_path / "started"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    runner = subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(world["engine"].url), str(started)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert runner.poll() is None, runner.stderr.read()
            assert time.monotonic() < deadline, "the runner never started"
            time.sleep(0.05)
        began = time.monotonic()
        need = post(world, "anja", "pan", NEED, need=True)  # a write during the runner's work
        took = time.monotonic() - began
        assert runner.poll() is None, "the runner finished before the write: no overlap"
        out, err = runner.communicate(timeout=120)
    finally:
        runner.kill()
    assert runner.returncode == 0, err
    assert took < 5  # it did not wait out the busy timeout
    # The other process did the hall's job, then the new need's, which came in meanwhile.
    assert out.strip() == "2"
    assert suggested(world, first) == {hall} and suggested(world, need) == {hall}
    with Session(world["engine"]) as session:
        assert session.exec(select(func.count()).select_from(SuggestionJob)).one() == 0
