"""Initiatives and partners manage their own posts: edit, pause, resume, close and extend needs
and offers with the same checks as posting; a change recomputes that post's suggestions; a
change of the organisation's profile that the engine reads recomputes its posts; every change
is audited. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from samenspel.services import matches, organisations, posts, suggestions
from samenspel.services.errors import Conflict, InvalidInput, NotAllowed
from samenspel.services.retention import apply_retention
from samenspel.storage import db, versions
from samenspel.storage.models import AuditEvent, Match, Need, Offer
from samenspel.web import queries
from tests.integration.conftest import TODAY
from tests.integration.test_flows import act, post_kitchen_need_and_hall

SMALL_HALL = posts.PostForm(
    kind="venue", title="Kleine zaal met keuken", people=35, kitchen=True, when="di avond",
    distance_km=3,
)  # fmt: skip


def post_small_hall(world) -> int:
    return act(world, posts.create_offer, actor=world["actors"]["karim"],
               organisation_id=world["boog"], form=SMALL_HALL, today=TODAY).id  # fmt: skip


def suggested_offers(world, need_id: int) -> set[int]:
    with Session(world["engine"]) as session:
        return set(
            session.exec(
                select(Match.offer_id).where(Match.need_id == need_id, Match.status == "suggested")
            )
        )


def suggestion_id(world, need_id: int, offer_id: int) -> int:
    with Session(world["engine"]) as session:
        return session.exec(
            select(Match.id).where(Match.need_id == need_id, Match.offer_id == offer_id)
        ).one()


def status_of(world, table, post_id: int) -> str:
    with Session(world["engine"]) as session:
        return session.get(table, post_id).status


def audit_of(world, entity: str, entity_id: int) -> list[tuple[str, str]]:
    with Session(world["engine"]) as session:
        return [
            (e.action, e.detail)
            for e in session.exec(
                select(AuditEvent)
                .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
                .order_by(AuditEvent.id)
            )
        ]


def own(world, who: str, **post) -> posts.OwnPost:
    return act(world, posts.own_post, actor=world["actors"][who], **post)


def on_the_map(world) -> set[tuple[str, int]]:
    with Session(world["engine"]) as session:
        points = queries.map_points(session)
    return set(zip(points["type"], points["id"], strict=True))


def queue_of(world, broker: str = "sanne") -> set[tuple[int, int]]:
    with Session(world["engine"]) as session:
        queue, _ = queries.review_queue(session, scope=world["actors"][broker].scope)
    return set(zip(queue["need_id"], queue["offer_id"], strict=True))


def ask_as_partner(world, need_id: int, offer_id: int) -> int:
    """The partner's own "ja" on a suggestion, as it is stored (the suggestion is then one a
    person acted on, which no refresh replaces)."""
    with Session(world["engine"]) as session:
        match = session.exec(
            select(Match).where(Match.need_id == need_id, Match.offer_id == offer_id)
        ).one()
        session.execute(
            update(Match)
            .where(Match.id == match.id)
            .values(asked_sides=1, version=match.version + 1)
        )
        session.commit()
        return match.id


def test_a_changed_need_recomputes_its_suggestions_and_an_unchanged_one_changes_nothing(world):
    need_id, hall_id = post_kitchen_need_and_hall(world)
    assert suggested_offers(world, need_id) == {hall_id}
    seen = own(world, "anja", need_id=need_id)
    assert (seen.form.title, seen.form.people, seen.form.when) == (
        "We zoeken een plek om op dinsdagavond samen te koken", 30, "di avond",
    )  # fmt: skip
    # 60 people do not fit in a hall for 40: the suggestion goes.
    act(world, posts.update_need, actor=world["actors"]["anja"], need_id=need_id,
        form=replace(seen.form, people=60), seen_version=seen.version, today=TODAY)  # fmt: skip
    assert suggested_offers(world, need_id) == set()
    changed = own(world, "anja", need_id=need_id)
    assert changed.form.people == 60 and changed.version != seen.version
    # The same form again is no change: no new version, no audit event.
    act(world, posts.update_need, actor=world["actors"]["anja"], need_id=need_id,
        form=changed.form, seen_version=changed.version, today=TODAY)  # fmt: skip
    assert own(world, "anja", need_id=need_id).version == changed.version
    assert audit_of(world, "need", need_id)[1:] == [("edit", "people")]
    # Back to 35: the hall is suggested again, with the new number in its reasons.
    act(world, posts.update_need, actor=world["actors"]["anja"], need_id=need_id,
        form=replace(changed.form, people=35), seen_version=changed.version, today=TODAY)  # fmt: skip
    assert suggested_offers(world, need_id) == {hall_id}


def test_an_unchanged_place_keeps_its_point_and_an_old_date_may_stay(world):
    with Session(world["engine"]) as session:
        need = Need(organisation_id=world["pan"], kind="goods", title="Stoelen",
                    place="Achter de kerk", lat=52.0911, lon=5.1033,
                    start_date=TODAY - timedelta(days=7))  # fmt: skip
        session.add(need)
        session.commit()
        need_id = need.id
    seen = own(world, "anja", need_id=need_id)
    # An imported place the lookup does not know, and a start last week: a new title is fine.
    act(world, posts.update_need, actor=world["actors"]["anja"], need_id=need_id,
        form=replace(seen.form, title="Stoelen en tafels"), today=TODAY)  # fmt: skip
    with Session(world["engine"]) as session:
        need = session.get(Need, need_id)
        assert (need.title, need.place, need.lat, need.lon) == (
            "Stoelen en tafels", "Achter de kerk", 52.0911, 5.1033,
        )  # fmt: skip
    # A new date in the past is still refused.
    with pytest.raises(InvalidInput) as refused:
        act(world, posts.update_need, actor=world["actors"]["anja"], need_id=need_id,
            form=replace(seen.form, start_date=TODAY - timedelta(days=1)), today=TODAY)  # fmt: skip
    assert refused.value.field_errors == {"start_date": "Deze datum ligt in het verleden."}


def test_a_changed_offer_re_ranks_the_needs_it_reaches(world):
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = own(world, "karim", offer_id=hall_id)
    assert seen.form.people == 40 and seen.form.kitchen is True
    act(world, posts.update_offer, actor=world["actors"]["karim"], offer_id=hall_id,
        form=replace(seen.form, people=20), seen_version=seen.version, today=TODAY)  # fmt: skip
    assert suggested_offers(world, need_id) == set()
    # Another kind: the need of the old kind loses it too.
    now = own(world, "karim", offer_id=hall_id)
    act(world, posts.update_offer, actor=world["actors"]["karim"], offer_id=hall_id,
        form=replace(now.form, people=40), today=TODAY)  # fmt: skip
    assert suggested_offers(world, need_id) == {hall_id}
    act(world, posts.update_offer, actor=world["actors"]["karim"], offer_id=hall_id,
        form=replace(now.form, people=40, kind="goods", title="Stoelen"), today=TODAY)  # fmt: skip
    assert suggested_offers(world, need_id) == set()
    assert [a for a, _ in audit_of(world, "offer", hall_id)] == ["create", "edit", "edit", "edit"]


def test_a_paused_need_is_off_the_map_out_of_the_queue_and_gets_no_new_suggestions(world):
    need_id, hall_id = post_kitchen_need_and_hall(world)
    small_id = post_small_hall(world)
    assert suggested_offers(world, need_id) == {hall_id, small_id}
    asked = ask_as_partner(world, need_id, small_id)  # a person acted on this one
    seen = own(world, "anja", need_id=need_id)
    before = versions.snapshot(world["engine"])
    act(world, posts.pause_post, actor=world["actors"]["anja"], need_id=need_id,
        seen_version=seen.version)  # fmt: skip
    assert status_of(world, Need, need_id) == "paused"
    after = versions.snapshot(world["engine"])  # every cached page read of them reads afresh
    assert after["need"] > before["need"] and after["match"] > before["match"]
    assert ("need", need_id) not in on_the_map(world)
    assert not {pair for pair in queue_of(world) if pair[0] == need_id}
    assert suggested_offers(world, need_id) == set()
    with Session(world["engine"]) as session:
        assert session.get(Match, asked).status == "expired"  # not deleted: its history stays
        assert need_id not in {int(n.id) for n in suggestions.open_needs(session)}
    # A new offer, and every refresh there is: nothing is suggested for the paused need.
    third = act(world, posts.create_offer, actor=world["actors"]["karim"],
                organisation_id=world["boog"], form=replace(SMALL_HALL, title="Nog een zaal"),
                today=TODAY).id  # fmt: skip
    with db.unit_of_work(world["engine"]) as session:
        assert suggestions.refresh_for_need(session, need_id, today=TODAY) == 0
        suggestions.refresh_all(session, today=TODAY)
    assert suggested_offers(world, need_id) == set()
    # Pausing twice is refused with a plain message.
    with pytest.raises(InvalidInput) as twice:
        act(world, posts.pause_post, actor=world["actors"]["anja"], need_id=need_id)
    assert twice.value.field_errors == {"status": "Deze vraag staat al op pauze."}
    # Resumed: open, on the map, with fresh suggestions, the pair that expired by the pause
    # among them again (the engine never suggests a pair it still has a match for).
    act(world, posts.resume_post, actor=world["actors"]["anja"], need_id=need_id, today=TODAY)
    assert status_of(world, Need, need_id) == "open"
    assert ("need", need_id) in on_the_map(world)
    assert suggested_offers(world, need_id) == {hall_id, small_id, third}
    actions = [a for a, _ in audit_of(world, "need", need_id)]
    assert actions == ["create", "pause", "resume"]
    assert audit_of(world, "match", asked) == [
        ("expire", f"need {need_id}: pause"),
        ("delete", f"need {need_id}: resume"),
    ]


def test_a_paused_offer_gives_its_needs_the_next_best_offer_until_it_is_resumed(world):
    need_id, hall_id = post_kitchen_need_and_hall(world)
    small_id = post_small_hall(world)
    act(world, posts.pause_post, actor=world["actors"]["karim"], offer_id=hall_id)
    assert status_of(world, Offer, hall_id) == "paused"
    assert ("offer", hall_id) not in on_the_map(world)
    assert suggested_offers(world, need_id) == {small_id}
    with pytest.raises(InvalidInput):  # only a paused offer can be resumed
        act(world, posts.resume_post, actor=world["actors"]["karim"], offer_id=small_id)
    act(world, posts.resume_post, actor=world["actors"]["karim"], offer_id=hall_id, today=TODAY)
    assert status_of(world, Offer, hall_id) == "open"
    assert suggested_offers(world, need_id) == {hall_id, small_id}


def test_a_post_whose_date_passed_is_extended_not_resumed(world):
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = own(world, "anja", need_id=need_id)
    act(world, posts.update_need, actor=world["actors"]["anja"], need_id=need_id,
        form=replace(seen.form, valid_until=TODAY + timedelta(days=3)), today=TODAY)  # fmt: skip
    later = TODAY + timedelta(days=10)
    with db.unit_of_work(world["engine"]) as session:
        matches.expire_stale(session=session, today=later)
    assert status_of(world, Need, need_id) == "expired"
    assert suggested_offers(world, need_id) == set()
    for bad, message in (
        (None, "Kies een nieuwe datum."),
        (later, "Kies een datum na vandaag."),
        (date(2101, 1, 1), "Deze datum ligt te ver weg: uiterlijk 2100-12-31."),
    ):
        with pytest.raises(InvalidInput) as refused:
            act(world, posts.extend_post, actor=world["actors"]["anja"], need_id=need_id,
                new_deadline=bad, today=later)  # fmt: skip
        assert refused.value.field_errors == {"new_deadline": message}
    assert status_of(world, Need, need_id) == "expired"
    new_date = later + timedelta(days=60)
    act(world, posts.extend_post, actor=world["actors"]["anja"], need_id=need_id,
        new_deadline=new_date, today=later)  # fmt: skip
    after = own(world, "anja", need_id=need_id)
    assert (after.status, after.deadline) == ("open", new_date)
    assert hall_id in suggested_offers(world, need_id)
    assert audit_of(world, "need", need_id)[-1] == ("extend", new_date.isoformat())
    # An offer past its date: the engine left it out; extended, it is suggested again.
    act(world, posts.pause_post, actor=world["actors"]["karim"], offer_id=hall_id)
    with Session(world["engine"]) as session:
        session.get(Offer, hall_id).deadline = later - timedelta(days=1)
        session.commit()
    with pytest.raises(InvalidInput) as lapsed:
        act(world, posts.resume_post, actor=world["actors"]["karim"], offer_id=hall_id, today=later)
    assert "Verlengen" in lapsed.value.field_errors["status"]
    act(world, posts.extend_post, actor=world["actors"]["karim"], offer_id=hall_id,
        new_deadline=new_date, today=later)  # fmt: skip
    assert status_of(world, Offer, hall_id) == "paused"  # extending does not resume it
    act(world, posts.resume_post, actor=world["actors"]["karim"], offer_id=hall_id, today=later)
    assert hall_id in suggested_offers(world, need_id)


def test_a_closed_post_is_gone_for_good(world):
    need_id, hall_id = post_kitchen_need_and_hall(world)
    act(world, posts.close_post, actor=world["actors"]["karim"], offer_id=hall_id)
    assert status_of(world, Offer, hall_id) == "closed"
    assert ("offer", hall_id) not in on_the_map(world)
    assert suggested_offers(world, need_id) == set()
    form = own(world, "karim", offer_id=hall_id).form
    for service, extra in (
        (posts.close_post, {}),
        (posts.pause_post, {}),
        (posts.extend_post, {"new_deadline": TODAY + timedelta(days=30), "today": TODAY}),
        (posts.update_offer, {"form": replace(form, title="Nieuw"), "today": TODAY}),
    ):
        with pytest.raises(InvalidInput) as refused:
            act(world, service, actor=world["actors"]["karim"], offer_id=hall_id, **extra)
        assert refused.value.field_errors == {
            "status": "Dit aanbod is weggehaald. Daaraan kun je niets meer veranderen."
        }
    # close_need still works for its callers.
    act(world, posts.close_need, actor=world["actors"]["anja"], need_id=need_id)
    assert status_of(world, Need, need_id) == "closed"
    assert [a for a, _ in audit_of(world, "offer", hall_id)] == ["create", "close"]


@pytest.mark.parametrize("who", ["zuilen", "karim", "noord"])
def test_someone_elses_need_is_refused_and_stays_as_it_was(world, who):
    need_id, _ = post_kitchen_need_and_hall(world)
    seen = own(world, "anja", need_id=need_id)
    actor = world["actors"][who]
    with pytest.raises(NotAllowed):
        own(world, who, need_id=need_id)
    for service, extra in (
        (posts.update_need, {"form": replace(seen.form, title="Van ons"), "today": TODAY}),
        (posts.pause_post, {}),
        (posts.close_post, {}),
        (posts.extend_post, {"new_deadline": TODAY + timedelta(days=30), "today": TODAY}),
    ):
        with pytest.raises(NotAllowed):
            act(world, service, actor=actor, need_id=need_id, **extra)
    after = own(world, "anja", need_id=need_id)
    assert (after.version, after.status, after.form) == (seen.version, "open", seen.form)
    assert [a for a, _ in audit_of(world, "need", need_id)] == ["create"]


def test_the_area_broker_may_change_a_post_and_anja_hears_who_did_when_hers_is_late(world):
    need_id, _ = post_kitchen_need_and_hall(world)
    seen = own(world, "anja", need_id=need_id)
    act(world, posts.update_need, actor=world["actors"]["sanne"], need_id=need_id,
        form=replace(seen.form, title="Plek om te koken"), seen_version=seen.version,
        today=TODAY)  # fmt: skip
    with pytest.raises(Conflict) as late:
        act(world, posts.pause_post, actor=world["actors"]["anja"], need_id=need_id,
            seen_version=seen.version)  # fmt: skip
    assert str(late.value) == (
        "Sanne heeft deze vraag net veranderd. Kijk nog eens en probeer het opnieuw."
    )
    assert status_of(world, Need, need_id) == "open"


def test_bad_input_keeps_the_post_unchanged(world):
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = own(world, "anja", need_id=need_id)
    bad = replace(seen.form, title=" ", when="soms", place="Atlantis", people=0)
    with pytest.raises(InvalidInput) as refused:
        act(world, posts.update_need, actor=world["actors"]["anja"], need_id=need_id, form=bad,
            seen_version=seen.version, today=TODAY)  # fmt: skip
    assert set(refused.value.field_errors) == {"title", "when", "place", "people"}
    after = own(world, "anja", need_id=need_id)
    assert (after.version, after.form) == (seen.version, seen.form)
    assert suggested_offers(world, need_id) == {hall_id}
    assert [a for a, _ in audit_of(world, "need", need_id)] == ["create"]


def test_every_change_of_a_post_is_in_the_audit_log(world):
    _, hall_id = post_kitchen_need_and_hall(world)
    karim = world["actors"]["karim"]
    form = own(world, "karim", offer_id=hall_id).form
    act(world, posts.update_offer, actor=karim, offer_id=hall_id,
        form=replace(form, title="Grote zaal", description="Met keuken."), today=TODAY)  # fmt: skip
    act(world, posts.pause_post, actor=karim, offer_id=hall_id)
    act(world, posts.extend_post, actor=karim, offer_id=hall_id,
        new_deadline=date(2027, 6, 30), today=TODAY)  # fmt: skip
    act(world, posts.resume_post, actor=karim, offer_id=hall_id, today=TODAY)
    act(world, posts.close_post, actor=karim, offer_id=hall_id)
    assert audit_of(world, "offer", hall_id) == [
        ("create", "Multifunctionele ruimte met ingerichte keuken"),
        ("edit", "description, title"),
        ("pause", ""),
        ("extend", "2027-06-30"),
        ("resume", ""),
        ("close", ""),
    ]
    with Session(world["engine"]) as session:
        users = set(
            session.exec(
                select(AuditEvent.user_id).where(
                    AuditEvent.entity == "offer", AuditEvent.entity_id == hall_id
                )
            )
        )
    assert users == {karim.user_id}


def test_a_profile_change_the_engine_reads_recomputes_the_organisations_posts(world):
    need_id, hall_id = post_kitchen_need_and_hall(world)
    anja = world["actors"]["anja"]
    profile = act(world, organisations.profile_form, actor=anja, organisation_id=world["pan"])
    profile = replace(profile, role=None, partner_type=None)  # what the profile page sends
    first = suggestion_id(world, need_id, hall_id)
    # The engine does not read a description: the suggestion stays as it is.
    profile = replace(profile, description="Samen koken in Lombok")
    act(world, organisations.update_profile, actor=anja, organisation_id=world["pan"], form=profile)
    assert suggestion_id(world, need_id, hall_id) == first
    # The hall becomes only for foundations; De Pan, an informal group, loses it ...
    hall = own(world, "karim", offer_id=hall_id).form
    act(world, posts.update_offer, actor=world["actors"]["karim"], offer_id=hall_id,
        form=replace(hall, eligible_legal_forms=["foundation"]), today=TODAY)  # fmt: skip
    assert suggested_offers(world, need_id) == set()
    # ... and gets it back once it is a foundation itself.
    act(world, organisations.update_profile, actor=anja, organisation_id=world["pan"],
        form=replace(profile, legal_form="foundation"))  # fmt: skip
    assert suggested_offers(world, need_id) == {hall_id}
    assert audit_of(world, "organisation", world["pan"])[-2:] == [
        ("update", "description"),
        ("update", "legal_form"),
    ]


def test_two_changes_from_one_version_at_once_one_wins_and_the_other_hears_who(world):
    need_id, _ = post_kitchen_need_and_hall(world)
    seen = own(world, "anja", need_id=need_id)
    barrier, outcomes = threading.Barrier(2), {}

    def change(name, service, **extra):
        barrier.wait()
        try:
            act(world, service, actor=world["actors"][name], need_id=need_id,
                seen_version=seen.version, **extra)  # fmt: skip
            outcomes[name] = "ok"
        except Conflict as exc:
            outcomes[name] = str(exc)

    threads = [
        threading.Thread(target=change, args=("anja", posts.pause_post)),
        threading.Thread(
            target=change,
            args=("sanne", posts.update_need),
            kwargs={"form": replace(seen.form, title="Plek om te koken"), "today": TODAY},
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()).count("ok") == 1, outcomes
    loser = next(name for name, outcome in outcomes.items() if outcome != "ok")
    winner = "Anja" if loser == "sanne" else "Sanne"
    assert outcomes[loser] == (
        f"{winner} heeft deze vraag net veranderd. Kijk nog eens en probeer het opnieuw."
    )
    after = own(world, "anja", need_id=need_id)
    if loser == "sanne":
        assert (after.status, after.form.title) == ("paused", seen.form.title)
    else:
        assert (after.status, after.form.title) == ("open", "Plek om te koken")


def test_a_paused_need_past_its_date_is_removed_by_retention_like_an_expired_one(world):
    need_id, _ = post_kitchen_need_and_hall(world)
    seen = own(world, "anja", need_id=need_id)
    act(world, posts.update_need, actor=world["actors"]["anja"], need_id=need_id,
        form=replace(seen.form, valid_until=TODAY + timedelta(days=1)), today=TODAY)  # fmt: skip
    act(world, posts.pause_post, actor=world["actors"]["anja"], need_id=need_id)
    with db.unit_of_work(world["engine"]) as session:  # a year and more after its date
        apply_retention(session=session, now=datetime(2028, 1, 1, tzinfo=UTC))
    with Session(world["engine"]) as session:
        assert session.get(Need, need_id) is None
