"""Partners answer the suggestions for their own offers as initiatives do, a side's yes counts
when the broker introduces them, and an area may introduce two sides who both said yes
without the broker. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from samenspel.services import areas, matches, posts
from samenspel.services.errors import Conflict, InvalidInput, NotAllowed
from samenspel.storage import db
from samenspel.storage.models import AuditEvent, Need
from tests.integration.conftest import TODAY, work_out_suggestions
from tests.integration.test_flows import act, post_kitchen_need_and_hall, suggestion_for


def test_a_partner_says_yes_to_a_suggestion_for_its_own_offer(world):
    actors = world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    asked = act(world, matches.ask_for_introduction, actor=actors["karim"], match_id=seen.id)
    assert asked.status == "suggested" and asked.asked_sides == 1
    assert asked.partner_asked_by_id == actors["karim"].user_id
    assert asked.initiative_asked_at is None


def test_a_partners_past_niet_removes_the_pair_for_good(world):
    actors = world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    passed = act(world, matches.pass_suggestion, actor=actors["karim"], match_id=seen.id,
                 seen_version=seen.version, reason="andere dag of tijd nodig", note="alleen za")  # fmt: skip
    assert passed.status == "declined" and passed.passed_side == "partner"
    assert passed.decision_reason == "partner: andere dag of tijd nodig. alleen za"
    # The initiative now hears it from its own side of the table.
    with pytest.raises(Conflict) as caught:
        act(world, matches.ask_for_introduction, actor=actors["anja"], match_id=seen.id)
    assert "De andere kant zei intussen dat dit niet past" in str(caught.value)


def test_the_broker_introducing_a_pair_one_side_asked_for_keeps_that_sides_yes(world):
    actors = world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    asked = act(world, matches.ask_for_introduction, actor=actors["anja"], match_id=seen.id)
    introduced = act(world, matches.introduce, actor=actors["sanne"], match_id=seen.id,
                     seen_version=asked.version, today=TODAY)  # fmt: skip
    assert introduced.status == "introduced"
    assert introduced.initiative_agreed and not introduced.partner_agreed
    agreed = act(world, matches.respond, actor=actors["karim"], match_id=seen.id,
                 seen_version=introduced.version, accept=True)  # fmt: skip
    assert agreed.status == "agreed"


def test_the_broker_introducing_a_pair_both_sides_asked_for_agrees_it_at_once(world):
    actors = world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    act(world, matches.ask_for_introduction, actor=actors["anja"], match_id=seen.id)
    both = act(world, matches.offer_help, actor=actors["karim"], need_id=need_id,
               offer_id=hall_id, today=TODAY)  # fmt: skip
    assert both.asked_sides == 2 and both.status == "suggested"  # the default: the broker
    agreed = act(world, matches.introduce, actor=actors["sanne"], match_id=seen.id,
                 seen_version=both.version, today=TODAY)  # fmt: skip
    assert agreed.status == "agreed" and not agreed.auto_introduced
    assert agreed.follow_up_on is not None
    with Session(world["engine"]) as session:
        assert session.get(Need, need_id).status == "matched"


def test_an_area_that_chose_it_introduces_two_sides_who_both_said_yes(world):
    actors = world["actors"]
    act(world, areas.set_auto_introduce, actor=actors["sanne"], area="Lombok", on=True)
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    one = act(world, matches.ask_for_introduction, actor=actors["karim"], match_id=seen.id)
    assert one.status == "suggested"  # one side is not enough
    both = act(world, matches.ask_for_introduction, actor=actors["anja"], match_id=seen.id,
                today=TODAY)  # fmt: skip
    assert both.status == "agreed" and both.auto_introduced
    assert both.initiative_agreed and both.partner_agreed and both.decided_by_id is None
    with Session(world["engine"]) as session:
        actions = list(session.exec(select(AuditEvent.action).where(
            AuditEvent.entity_id == seen.id, AuditEvent.entity == "match")))  # fmt: skip
    assert actions[-1] == "auto_introduce"


@pytest.mark.parametrize("who", ["karim", "zuilen", "anja"])
def test_only_the_areas_broker_or_an_administrator_sets_how_the_area_works(world, who):
    with pytest.raises(NotAllowed):
        act(world, areas.set_auto_introduce, actor=world["actors"][who], area="Lombok", on=True)
    with Session(world["engine"]) as session:
        assert not areas.auto_introduces(session, "Lombok")


def test_a_broker_of_another_area_cannot_set_this_one(world):
    with pytest.raises(NotAllowed):
        act(world, areas.set_auto_introduce, actor=world["actors"]["sanne"], area="Zuilen", on=True)
    act(world, areas.set_auto_introduce, actor=world["actors"]["admin"], area="Zuilen", on=True)
    with Session(world["engine"]) as session:
        assert areas.auto_introduces(session, "Zuilen")


def test_ik_kan_helpen_is_not_stopped_by_the_initiatives_own_distance_limit(world):
    actors = world["actors"]
    need_id, _ = post_kitchen_need_and_hall(world)
    with db.unit_of_work(world["engine"]) as session:
        far = posts.create_offer(
            session=session, actor=actors["karim"], organisation_id=world["boog"], today=TODAY,
            form=posts.PostForm(kind="venue", title="Zaal met keuken in Zuilen", people=40,
                                kitchen=True, when="di avond", place="Zuilen"),
        ).id  # fmt: skip
        session.get(Need, need_id).max_distance_km = 0.1  # the initiative wants it next door
    work_out_suggestions(world)
    helped = act(world, matches.offer_help, actor=actors["karim"], need_id=need_id,
                 offer_id=far, today=TODAY)  # fmt: skip
    assert helped.status == "suggested" and helped.asked_sides == 1
    # A plain fact still holds: a venue cannot answer a need for volunteers.
    with db.unit_of_work(world["engine"]) as session:
        other = posts.create_offer(
            session=session, actor=actors["karim"], organisation_id=world["boog"], today=TODAY,
            form=posts.PostForm(kind="volunteers", title="Twee vrijwilligers", people=2),
        ).id  # fmt: skip
    work_out_suggestions(world)
    with pytest.raises(InvalidInput):
        act(world, matches.offer_help, actor=actors["karim"], need_id=need_id, offer_id=other,
            today=TODAY)  # fmt: skip


def test_both_sides_saying_yes_at_the_same_moment_both_count(world):
    actors = world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    barrier, outcomes = threading.Barrier(2), {}

    def answer(name):
        barrier.wait()
        try:
            with db.unit_of_work(world["engine"]) as session:
                matches.ask_for_introduction(session=session, actor=actors[name],
                                             match_id=seen.id)  # fmt: skip
            outcomes[name] = "ok"
        except Conflict as exc:  # pragma: no cover - the assertion below says what went wrong
            outcomes[name] = exc

    threads = [threading.Thread(target=answer, args=(n,)) for n in ("anja", "karim")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {"anja": "ok", "karim": "ok"}
    final = suggestion_for(world, need_id, hall_id)
    assert final.asked_sides == 2 and final.initiative_asked_at and final.partner_asked_at


def test_a_side_saying_yes_while_the_broker_rejects_one_wins_and_the_other_is_told(world):
    actors = world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    barrier, outcomes = threading.Barrier(2), {}

    def answer(name):
        barrier.wait()
        try:
            with db.unit_of_work(world["engine"]) as session:
                if name == "karim":
                    matches.ask_for_introduction(session=session, actor=actors[name],
                                                 match_id=seen.id)  # fmt: skip
                else:
                    matches.reject(session=session, actor=actors[name], match_id=seen.id,
                                   seen_version=seen.version, reason="al geholpen")  # fmt: skip
            outcomes[name] = "ok"
        except Conflict as exc:
            outcomes[name] = exc

    threads = [threading.Thread(target=answer, args=(n,)) for n in ("karim", "sanne")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = suggestion_for(world, need_id, hall_id)
    winners = [n for n, o in outcomes.items() if o == "ok"]
    assert len(winners) == 1, outcomes
    if winners == ["karim"]:
        # The broker saw an older version: told that someone changed it.
        assert final.status == "suggested" and final.asked_sides == 1
        assert "Ververs" in str(outcomes["sanne"])
    else:
        assert final.status == "rejected" and final.asked_sides == 0
        assert "buurtmakelaar" in str(outcomes["karim"])
