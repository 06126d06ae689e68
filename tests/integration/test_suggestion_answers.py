"""Initiatives answer their own suggestions ("Ja, hier willen we mee kennismaken", "Past
niet"), a partner's "Ik kan helpen" marks the pair as asked, and the broker's queue puts what
people asked for first. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from samenspel.services import matches, posts, suggestions
from samenspel.services.errors import Conflict, InvalidInput, NotAllowed
from samenspel.services.permissions import Actor
from samenspel.storage import db
from samenspel.storage.models import AuditEvent, Match, User
from samenspel.web import queries
from tests.integration.conftest import TODAY, work_out_suggestions
from tests.integration.test_flows import act, post_kitchen_need_and_hall, suggestion_for


def audit_actions(world, match_id: int) -> list[str]:
    with Session(world["engine"]) as session:
        return list(
            session.exec(
                select(AuditEvent.action)
                .where(AuditEvent.entity == "match", AuditEvent.entity_id == match_id)
                .order_by(AuditEvent.id)
            )
        )


def second_pan_member(world) -> Actor:
    """Another person of Buurtkeuken De Pan, to answer at the same moment as Anja."""
    with Session(world["engine"]) as session:
        user = User(username="fatima", role="initiative", organisation_id=world["pan"],
                    display_name="Fatima")  # fmt: skip
        session.add(user)
        session.commit()
        return Actor(user_id=user.id, role="initiative", organisation_id=world["pan"],
                     areas=(), name="Fatima")  # fmt: skip


def test_a_yes_marks_the_suggestion_as_asked_by_the_initiative_and_keeps_it_suggested(world):
    actors = world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    assert seen.asked_sides == 0 and seen.initiative_asked_at is None
    asked = act(world, matches.ask_for_introduction, actor=actors["anja"], match_id=seen.id)  # fmt: skip
    assert asked.status == "suggested" and asked.version == seen.version + 1
    assert asked.initiative_asked_at is not None
    assert asked.initiative_asked_by_id == actors["anja"].user_id
    assert asked.asked_sides == 1 and asked.partner_asked_at is None
    assert audit_actions(world, seen.id)[-1] == "initiative_asks"
    # A refresh of the need's suggestions replaces untouched ones only: the ask stays.
    with db.unit_of_work(world["engine"]) as session:
        suggestions.refresh_for_need(session, need_id, today=TODAY)
    again = suggestion_for(world, need_id, hall_id)
    assert again.id == seen.id and again.initiative_asked_at is not None
    # The same yes twice (an old page): told it was said already, nothing counted twice.
    with pytest.raises(Conflict) as caught:
        act(world, matches.ask_for_introduction, actor=actors["anja"], match_id=seen.id)  # fmt: skip
    assert "jullie willen kennismaken" in str(caught.value)
    assert suggestion_for(world, need_id, hall_id).asked_sides == 1


def test_a_no_takes_the_pair_away_for_good_with_its_reason_for_the_broker(world):
    actors = world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    passed = act(world, matches.pass_suggestion, actor=actors["anja"], match_id=seen.id,
                 seen_version=seen.version, reason="te ver weg", note="  met de bus 40 minuten ")  # fmt: skip
    assert passed.status == "declined" and passed.passed_at is not None
    assert passed.decision_reason == "initiative: te ver weg. met de bus 40 minuten"
    assert passed.decided_by_id == actors["anja"].user_id
    assert audit_actions(world, seen.id)[-1] == "initiative_passes"
    # The engine still finds the hall the best fit, but never suggests it again.
    with db.unit_of_work(world["engine"]) as session:
        suggestions.refresh_for_need(session, need_id, today=TODAY)
        suggestions.refresh_for_offer(session, hall_id, today=TODAY)
        suggestions.refresh_all(session, today=TODAY)
    with Session(world["engine"]) as session:
        rows = session.exec(
            select(Match).where(Match.need_id == need_id, Match.offer_id == hall_id)
        ).all()
    assert [(m.id, m.status) for m in rows] == [(seen.id, "declined")]
    # The broker sees it among the declined ones, with the reason.
    with Session(world["engine"]) as session:
        queue, _ = queries.review_queue(session, scope=actors["sanne"].scope, status="declined")
        waiting, total = queries.review_queue(session, scope=actors["sanne"].scope)
    assert list(queue["match_id"]) == [seen.id]
    assert "te ver weg" in queue["decision_reason"].iloc[0]
    assert seen.id not in set(waiting["match_id"]) and total == 0


def test_a_no_needs_a_reason_from_the_list(world):
    actors = world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    with pytest.raises(InvalidInput):
        act(world, matches.pass_suggestion, actor=actors["anja"], match_id=seen.id,
            seen_version=seen.version, reason="<b>zomaar</b>")  # fmt: skip
    assert suggestion_for(world, need_id, hall_id).status == "suggested"


@pytest.mark.parametrize("who", ["zuilen", "sanne", "admin"])
def test_only_the_two_sides_answer_a_suggestion(world, who):
    actors = world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    with pytest.raises(NotAllowed):
        act(world, matches.ask_for_introduction, actor=actors[who], match_id=seen.id)
    with pytest.raises(NotAllowed):
        act(world, matches.pass_suggestion, actor=actors[who], match_id=seen.id,
            seen_version=seen.version, reason="te ver weg")  # fmt: skip
    after = suggestion_for(world, need_id, hall_id)
    assert (after.status, after.asked_sides, after.version) == ("suggested", 0, seen.version)


def test_a_yes_after_the_broker_introduced_them_is_the_yes_to_the_introduction(world):
    actors = world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    introduced = act(world, matches.introduce, actor=actors["sanne"], match_id=seen.id,
                     seen_version=seen.version, today=TODAY)  # fmt: skip
    said_yes = act(world, matches.ask_for_introduction, actor=actors["anja"], match_id=seen.id)
    assert said_yes.status == "introduced" and said_yes.initiative_agreed
    with pytest.raises(Conflict) as caught:
        act(world, matches.pass_suggestion, actor=actors["anja"], match_id=seen.id,
            seen_version=introduced.version, reason="te ver weg")  # fmt: skip
    assert "buurtmakelaar" in str(caught.value) and caught.value.status == "introduced"
    assert suggestion_for(world, need_id, hall_id).status == "introduced"


def test_ik_kan_helpen_marks_the_engines_suggestion_as_asked_by_the_partner(world):
    actors = world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    helped = act(world, matches.offer_help, actor=actors["karim"], need_id=need_id,
                 offer_id=hall_id, today=TODAY)  # fmt: skip
    assert helped.id == seen.id and helped.partner_asked_by_id == actors["karim"].user_id
    assert helped.partner_asked_at is not None and helped.asked_sides == 1
    # A second click changes nothing; the initiative's yes makes it both sides.
    act(world, matches.offer_help, actor=actors["karim"], need_id=need_id, offer_id=hall_id,
        today=TODAY)  # fmt: skip
    both = act(world, matches.ask_for_introduction, actor=actors["anja"], match_id=seen.id)  # fmt: skip
    assert both.asked_sides == 2 and both.status == "suggested"
    with db.unit_of_work(world["engine"]) as session:
        suggestions.refresh_for_need(session, need_id, today=TODAY)
    assert suggestion_for(world, need_id, hall_id).asked_sides == 2


def test_an_answer_on_a_page_from_before_the_partner_asked_is_told_so(world):
    actors = world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    act(world, matches.offer_help, actor=actors["karim"], need_id=need_id, offer_id=hall_id,
        today=TODAY)  # fmt: skip
    with pytest.raises(Conflict) as caught:
        act(world, matches.pass_suggestion, actor=actors["anja"], match_id=seen.id,
            seen_version=seen.version, reason="te ver weg")  # fmt: skip
    assert "de partner vroeg zelf" in str(caught.value)
    assert suggestion_for(world, need_id, hall_id).status == "suggested"


def test_two_people_answering_at_once_one_wins_and_the_other_is_told_what_happened(world):
    actors = world["actors"]
    fatima = second_pan_member(world)
    need_id, hall_id = post_kitchen_need_and_hall(world)
    for attempt in range(3):
        if attempt:  # the same suggestion again, nobody answered yet
            with db.unit_of_work(world["engine"]) as session:
                session.execute(
                    update(Match)
                    .where(Match.need_id == need_id, Match.offer_id == hall_id)
                    .values(status="suggested", passed_at=None, initiative_asked_at=None,
                            initiative_asked_by_id=None, asked_sides=0, decision_reason="")
                )  # fmt: skip
        seen = suggestion_for(world, need_id, hall_id)
        barrier, outcomes = threading.Barrier(2), {}

        def answer(name, actor, seen=seen, barrier=barrier, outcomes=outcomes):
            barrier.wait()
            try:
                with db.unit_of_work(world["engine"]) as session:
                    if name == "yes":
                        matches.ask_for_introduction(session=session, actor=actor,
                                                     match_id=seen.id)  # fmt: skip
                    else:
                        matches.pass_suggestion(session=session, actor=actor, match_id=seen.id,
                                                seen_version=seen.version, reason="anders")  # fmt: skip
                outcomes[name] = "ok"
            except Conflict as exc:
                outcomes[name] = exc

        threads = [
            threading.Thread(target=answer, args=("yes", actors["anja"])),
            threading.Thread(target=answer, args=("no", fatima)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        winners = [n for n, o in outcomes.items() if o == "ok"]
        losers = [o for o in outcomes.values() if isinstance(o, Conflict)]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        final = suggestion_for(world, need_id, hall_id)
        assert final.version == seen.version + 1
        if winners == ["yes"]:
            assert final.status == "suggested" and final.asked_sides == 1
            assert "willen kennismaken" in str(losers[0])
        else:
            assert final.status == "declined" and final.asked_sides == 0
            assert "niet past" in str(losers[0])


def test_the_queue_puts_both_sides_first_then_one_side_then_the_score(world):
    actors = world["actors"]
    halls = []
    for n in range(3):
        with db.unit_of_work(world["engine"]) as session:
            halls.append(
                posts.create_offer(
                    session=session, actor=actors["karim"], organisation_id=world["boog"],
                    today=TODAY,
                    form=posts.PostForm(kind="venue", title=f"Zaal {n} met keuken",
                                        people=40, kitchen=True, when="di avond", distance_km=3),
                ).id
            )  # fmt: skip
        work_out_suggestions(world)
    need_id, _ = post_kitchen_need_and_hall(world)
    with db.unit_of_work(world["engine"]) as session:  # a clear order by score alone
        for hall_id, score in zip(halls, (0.9, 0.6, 0.3), strict=True):
            session.execute(
                update(Match)
                .where(Match.need_id == need_id, Match.offer_id == hall_id)
                .values(score=score)
            )
    best, middle, low = (suggestion_for(world, need_id, h) for h in halls)
    act(world, matches.offer_help, actor=actors["karim"], need_id=need_id, offer_id=halls[2],
        today=TODAY)  # fmt: skip
    act(world, matches.ask_for_introduction, actor=actors["anja"], match_id=low.id)  # fmt: skip
    act(world, matches.ask_for_introduction, actor=actors["anja"], match_id=middle.id)  # fmt: skip
    scope = actors["sanne"].scope
    with Session(world["engine"]) as session:
        queue, total = queries.review_queue(session, scope=scope, per_page=100)
        ours = [m for m in queue["match_id"] if m in {best.id, middle.id, low.id}]
        assert ours == [low.id, middle.id, best.id]
        assert list(queue["match_id"][:2]) == [low.id, middle.id]  # asked ones before all else
        assert queries.asked_waiting(session, scope=scope) == 2
        assert queries.asked_waiting(session, scope=actors["noord"].scope) == 0
        groups = {
            group: list(queries.review_queue(session, scope=scope, asked=group)[0]["match_id"])
            for group in ("both", "one", "asked")
        }
        engine_only, _ = queries.review_queue(session, scope=scope, asked="engine")
    assert groups == {"both": [low.id], "one": [middle.id], "asked": [low.id, middle.id]}
    assert best.id in set(engine_only["match_id"]) and low.id not in set(engine_only["match_id"])


def test_a_no_to_a_suggestion_is_not_counted_as_an_introduction_on_the_dashboard(world):
    from samenspel.services import dashboard

    actors = world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    act(world, matches.pass_suggestion, actor=actors["anja"], match_id=seen.id,
        seen_version=seen.version, reason="anders")  # fmt: skip
    with Session(world["engine"]) as session:
        assert dashboard.summary(session, TODAY).introductions == 0
