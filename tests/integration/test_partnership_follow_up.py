"""'Is het gelukt?' that finishes (done, keeps running with a new check date, or did not work)
and wederkerigheid (what each side brings in return), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from samenspel.services import dashboard, matches, partnerships
from samenspel.services.errors import Conflict, InvalidInput, NotAllowed
from samenspel.storage import db
from samenspel.storage.models import AuditEvent, Match, Need
from samenspel.web import queries
from tests.integration.conftest import TODAY
from tests.integration.test_flows import act, post_kitchen_need_and_hall, suggestion_for


def agreed_partnership(world) -> Match:
    """De Pan and De Boog, introduced by Sanne, both said yes."""
    actors = world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    seen = act(world, matches.introduce, actor=actors["sanne"], match_id=seen.id,
               seen_version=seen.version, today=TODAY)  # fmt: skip
    for name in ("anja", "karim"):
        seen = act(world, matches.respond, actor=actors[name], match_id=seen.id,
                   seen_version=seen.version, accept=True)  # fmt: skip
    assert seen.status == "agreed"
    return seen


def running_partnership(world) -> Match:
    seen = agreed_partnership(world)
    return act(world, matches.start, actor=world["actors"]["anja"], match_id=seen.id,
               seen_version=seen.version)  # fmt: skip


def answer(world, seen: Match, outcome: str, who: str = "anja", **kwargs) -> Match:
    return act(world, partnerships.follow_up, actor=world["actors"][who], match_id=seen.id,
               seen_version=seen.version, outcome=outcome, today=TODAY, **kwargs)  # fmt: skip


def current(world, match_id: int) -> Match:
    with Session(world["engine"]) as session:
        return session.get(Match, match_id)


def overdue_ids(world, day) -> list[str]:
    with Session(world["engine"]) as session:
        return list(dashboard.overdue_follow_ups(session, day)["initiative"])


def last_audit(world, match_id: int) -> AuditEvent:
    with Session(world["engine"]) as session:
        return session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity == "match", AuditEvent.entity_id == match_id)
            .order_by(AuditEvent.id.desc())
        ).first()


def test_done_finishes_a_running_partnership_and_it_is_no_longer_followed_up(world):
    seen = running_partnership(world)
    due = seen.follow_up_on
    assert overdue_ids(world, due) == ["Buurtkeuken De Pan"]
    done = answer(world, seen, "done", note="  Het was fijn  ")
    assert (done.status, done.version) == ("done", seen.version + 1)
    assert overdue_ids(world, due + timedelta(days=365)) == []
    assert (last_audit(world, seen.id).action, last_audit(world, seen.id).detail) == (
        "done",
        "Het was fijn",
    )


def test_done_straight_from_agreed(world):
    seen = agreed_partnership(world)
    done = answer(world, seen, "done", who="karim")
    assert done.status == "done"
    with Session(world["engine"]) as session:
        assert session.get(Need, seen.need_id).status == "matched"


def test_continue_keeps_it_running_with_a_new_date_so_it_is_not_overdue_until_then(world):
    seen = running_partnership(world)
    due = seen.follow_up_on
    assert overdue_ids(world, due) == ["Buurtkeuken De Pan"]
    later = due + timedelta(days=10)
    kept = act(world, partnerships.follow_up, actor=world["actors"]["sanne"], match_id=seen.id,
               seen_version=seen.version, outcome="continue", next_date=later, today=due)  # fmt: skip
    assert (kept.status, kept.follow_up_on, kept.version) == ("active", later, seen.version + 1)
    assert overdue_ids(world, due) == []  # the answered question does not come back ...
    assert overdue_ids(world, later) == ["Buurtkeuken De Pan"]  # ... until the new date
    assert last_audit(world, seen.id).action == "continue"


def test_continue_from_agreed_starts_it_and_the_next_check_is_in_four_weeks_by_default(world):
    seen = agreed_partnership(world)
    kept = answer(world, seen, "continue")
    assert (kept.status, kept.follow_up_on) == ("active", TODAY + timedelta(weeks=4))


@pytest.mark.parametrize("day", [TODAY, TODAY - timedelta(days=3)])
def test_the_next_check_must_be_after_today(world, day):
    seen = running_partnership(world)
    with pytest.raises(InvalidInput) as caught:
        answer(world, seen, "continue", next_date=day)
    assert "next_date" in caught.value.field_errors
    assert current(world, seen.id).version == seen.version


def test_failed_ends_it_with_the_reason_and_opens_the_need_again(world):
    seen = running_partnership(world)
    failed = answer(world, seen, "failed", who="karim", note="De zaal\x07 ging dicht")
    assert (failed.status, failed.decision_reason) == ("declined", "De zaal ging dicht")
    with Session(world["engine"]) as session:
        assert session.get(Need, seen.need_id).status == "open"
    again = agreed_partnership(world)
    assert answer(world, again, "failed").decision_reason == "niet gelukt"


def test_an_answered_question_on_an_old_page_is_told_what_was_answered(world):
    seen = running_partnership(world)
    answer(world, seen, "done", who="karim")
    with pytest.raises(Conflict) as caught:
        answer(world, seen, "continue")  # Anja's page still showed the question
    assert str(caught.value) == (
        "Buurthuis De Boog heeft net al gezegd dat het gelukt is en dat de samenwerking klaar "
        "is. Ververs de pagina."
    )
    assert current(world, seen.id).status == "done"


def test_only_the_sides_and_their_broker_answer_and_not_every_outcome_exists(world):
    seen = running_partnership(world)
    for who in ("zuilen", "noord"):
        with pytest.raises(NotAllowed):
            answer(world, seen, "done", who=who)
    with pytest.raises(InvalidInput):
        answer(world, seen, "maybe")
    introduced = suggestion_for(world, *post_kitchen_need_and_hall(world))
    introduced = act(world, matches.introduce, actor=world["actors"]["sanne"],
                     match_id=introduced.id, seen_version=introduced.version, today=TODAY)  # fmt: skip
    with pytest.raises(InvalidInput):  # no answer to "Is het gelukt?" before both said yes
        answer(world, introduced, "done")
    assert current(world, seen.id).status == "active"


def answer_at_once(world, seen: Match, answers: dict[str, str]) -> dict[str, object]:
    """Each of `answers` (person -> outcome) answers the version `seen` at the same moment,
    each in its own unit of work."""
    barrier, outcomes = threading.Barrier(len(answers)), {}

    def one(name, outcome):
        barrier.wait()
        try:
            with db.unit_of_work(world["engine"]) as session:
                partnerships.follow_up(session=session, actor=world["actors"][name],
                                       match_id=seen.id, seen_version=seen.version,
                                       outcome=outcome, today=TODAY)  # fmt: skip
            outcomes[name] = "ok"
        except Conflict as exc:
            outcomes[name] = exc

    threads = [threading.Thread(target=one, args=item) for item in answers.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_answers_at_once_one_wins_and_the_other_is_told_who_answered_what(world):
    seen = running_partnership(world)
    told = {
        "done": "heeft net al gezegd dat het gelukt is en dat de samenwerking klaar is",
        "continue": "heeft net al gezegd dat de samenwerking nog doorloopt",
        "failed": "heeft net al gezegd dat het niet is gelukt",
    }
    for attempt in range(3):
        if attempt:  # the same running partnership again, nobody answered yet
            with db.unit_of_work(world["engine"]) as session:
                session.execute(
                    update(Match)
                    .where(Match.id == seen.id)
                    .values(status="active", follow_up_on=TODAY, decision_reason="")
                )
            seen = current(world, seen.id)
        answers = {"anja": "continue", "karim": ("done", "failed")[attempt % 2]}
        outcomes = answer_at_once(world, seen, answers)
        winners = [name for name, o in outcomes.items() if o == "ok"]
        losers = {name: o for name, o in outcomes.items() if isinstance(o, Conflict)}
        assert len(winners) == 1 and len(losers) == 1, outcomes
        (winner,), ((loser, conflict),) = winners, losers.items()
        final = current(world, seen.id)
        assert final.version == seen.version + 1  # one change, not two
        expected = {"done": "done", "continue": "active", "failed": "declined"}[answers[winner]]
        assert final.status == expected
        # Told from the reader's side: Anja hears "Buurthuis De Boog", Karim "Buurtkeuken De Pan".
        other = {"anja": "Buurthuis De Boog", "karim": "Buurtkeuken De Pan"}[loser]
        assert str(conflict).startswith(f"{other} {told[answers[winner]]}"), str(conflict)
        assert conflict.decided_by == other and conflict.status == expected


def test_someone_of_the_same_side_is_someone_of_jullie(world):
    from tests.integration.test_suggestion_answers import second_pan_member

    fatima = second_pan_member(world)
    seen = running_partnership(world)
    act(world, partnerships.follow_up, actor=fatima, match_id=seen.id, seen_version=seen.version,
        outcome="failed", today=TODAY)  # fmt: skip
    with pytest.raises(Conflict) as caught:
        answer(world, seen, "done")
    assert (
        str(caught.value)
        == "Iemand van jullie heeft net al gezegd dat het niet is gelukt. Ververs de pagina."
    )


def contribute(world, who: str, seen: Match, text: str) -> Match:
    return act(world, partnerships.write_contribution, actor=world["actors"][who],
               match_id=seen.id, text=text)  # fmt: skip


def test_each_side_writes_what_it_brings_in_its_own_field_only(world):
    seen = agreed_partnership(world)
    written = contribute(
        world, "anja", seen, "  We koken\x00 één keer per maand\nvoor de vrijwilligers "
    )
    assert written.initiative_brings == "We koken één keer per maand voor de vrijwilligers"
    assert written.partner_brings == ""
    assert written.version == seen.version  # no new version: a follow-up answer still fits
    written = contribute(world, "karim", seen, "De zaal op dinsdag")
    assert (written.initiative_brings, written.partner_brings) == (
        "We koken één keer per maand voor de vrijwilligers",
        "De zaal op dinsdag",
    )
    event = last_audit(world, seen.id)
    assert (event.action, event.detail) == ("contribution", "partner: De zaal op dinsdag")
    assert contribute(world, "anja", seen, "   ").initiative_brings == ""  # empty clears
    assert current(world, seen.id).partner_brings == "De zaal op dinsdag"
    with pytest.raises(InvalidInput) as caught:
        contribute(world, "karim", seen, "x" * 501)
    assert "500" in caught.value.field_errors["text"]
    assert contribute(world, "karim", seen, "x" * 500).partner_brings == "x" * 500
    # Still possible while it runs and after it is done.
    done = answer(world, seen, "done")
    assert contribute(world, "anja", done, "Soep").initiative_brings == "Soep"


def test_the_broker_and_others_write_no_contribution_and_not_before_both_said_yes(world):
    seen = agreed_partnership(world)
    for who in ("sanne", "admin", "zuilen"):
        with pytest.raises(NotAllowed):
            contribute(world, who, seen, "Iets")
    introduced = suggestion_for(world, *post_kitchen_need_and_hall(world))
    introduced = act(world, matches.introduce, actor=world["actors"]["sanne"],
                     match_id=introduced.id, seen_version=introduced.version, today=TODAY)  # fmt: skip
    with pytest.raises(InvalidInput):
        contribute(world, "anja", introduced, "Iets")
    failed = answer(world, seen, "failed")
    with pytest.raises(InvalidInput):
        contribute(world, "anja", failed, "Iets")
    assert (current(world, seen.id).initiative_brings, current(world, seen.id).partner_brings) == (
        "",
        "",
    )


def test_both_sides_writing_at_once_both_stay(world):
    seen = agreed_partnership(world)
    for attempt in range(3):
        barrier, errors = threading.Barrier(2), []

        def write(name, text, barrier=barrier, errors=errors):
            barrier.wait()
            try:
                with db.unit_of_work(world["engine"]) as session:
                    partnerships.write_contribution(session=session, actor=world["actors"][name],
                                                    match_id=seen.id, text=text)  # fmt: skip
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(exc)

        threads = [
            threading.Thread(target=write, args=("anja", f"Soep {attempt}")),
            threading.Thread(target=write, args=("karim", f"Zaal {attempt}")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        final = current(world, seen.id)
        assert (final.initiative_brings, final.partner_brings) == (
            f"Soep {attempt}",
            f"Zaal {attempt}",
        )


def test_contributions_are_read_by_the_sides_and_their_broker_only(world):
    """The partnerships page shows both sides' words from its own rows: to the two sides and
    the area's broker, and to nobody else."""
    seen = agreed_partnership(world)
    contribute(world, "anja", seen, "Soep")
    contribute(world, "karim", seen, "Zaal")
    actors = world["actors"]
    with Session(world["engine"]) as session:
        seen_by = {
            who: queries.partnerships(session, organisation_id=actors[who].organisation_id)
            if actors[who].organisation_id is not None
            else queries.partnerships(session, scope=actors[who].scope)
            for who in ("anja", "karim", "sanne", "noord", "zuilen")
        }
    for who in ("anja", "karim", "sanne"):
        (row,) = seen_by[who][seen_by[who]["match_id"] == seen.id].itertuples()
        assert (row.initiative_brings, row.partner_brings) == ("Soep", "Zaal"), who
    assert seen.id not in set(seen_by["noord"]["match_id"])
    assert seen.id not in set(seen_by["zuilen"]["match_id"])


def test_the_dashboard_counts_contributions_and_lists_what_initiatives_bring(world):
    both = agreed_partnership(world)
    one = agreed_partnership(world)
    agreed_partnership(world)  # nothing written yet
    contribute(world, "anja", both, "Soep voor de vrijwilligers")
    contribute(world, "karim", both, "De zaal")
    contribute(world, "karim", one, "Stoelen")
    with Session(world["engine"]) as session:
        given = dashboard.reciprocity(session)
    assert (given.partnerships, given.both_sides, given.one_side, given.neither) == (3, 1, 1, 1)
    assert given.initiatives_bring.to_dict("records") == [
        {"initiative": "Buurtkeuken De Pan", "partner": "Buurthuis De Boog",
         "brings": "Soep voor de vrijwilligers"}
    ]  # fmt: skip
