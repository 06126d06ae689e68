"""The retention job removes exactly what the three retention settings say, on SQLite and
PostgreSQL: records just past each period go, records just inside it stay, a dry run changes
nothing, each run writes one audit event, and the settings change the outcome."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from samenspel import cli
from samenspel.services.retention import apply_retention
from samenspel.storage import db
from samenspel.storage.models import AuditEvent, ConversationMessage, Match, Need, Offer

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
JUST = timedelta(minutes=1)
CONTACT, AUDIT, POSTS = 100, 200, 50  # days, set through the environment in every test


@pytest.fixture(autouse=True)
def periods(monkeypatch):
    monkeypatch.setenv("SAMENSPEL_RETENTION_CONTACT_DAYS", str(CONTACT))
    monkeypatch.setenv("SAMENSPEL_RETENTION_AUDIT_DAYS", str(AUDIT))
    monkeypatch.setenv("SAMENSPEL_RETENTION_EXPIRED_POST_DAYS", str(POSTS))


def ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def add(session: Session, row):
    session.add(row)
    session.flush()
    return row


def need(session, world, title, *, status="open", deadline=None, updated_at=None) -> Need:
    return add(session, Need(
        kind="venue", title=title, description=f"{title}: bij Anja thuis, Kanaalstraat 3",
        place="Kanaalstraat 3", lat=52.09, lon=5.10, skills="koken", organisation_id=world["pan"],
        status=status, deadline=deadline, updated_at=updated_at or ago(1),
    ))  # fmt: skip


def offer(session, world, title, *, status="open", deadline=None, updated_at=None) -> Offer:
    return add(session, Offer(
        kind="venue", title=title, description=f"{title}: vraag naar Karim", place="De Boog",
        lat=52.0935, lon=5.104, organisation_id=world["boog"], status=status, deadline=deadline,
        updated_at=updated_at or ago(1),
    ))  # fmt: skip


def match(session, need_id, offer_id, status, *, updated_at=None, reason="") -> Match:
    return add(session, Match(
        need_id=need_id, offer_id=offer_id, status=status, value_eur=900.0, tie="bridging",
        reasons=["ruimte voor 40, jullie zijn met 30"],
        decision_reason=reason, updated_at=updated_at or ago(1),
    ))  # fmt: skip


def event(session, world, *, at, action="note", entity="match", entity_id=None, detail="x"):
    return add(session, AuditEvent(
        at=at, user_id=world["actors"]["anja"].user_id, action=action, entity=entity,
        entity_id=entity_id, detail=detail,
    ))  # fmt: skip


def reveal(session, world, match_id: int, *, at=None) -> AuditEvent:
    """What services/contacts.py writes when Anja sees De Boog's contact for a match."""
    return event(session, world, at=at or ago(1), action="reveal_contact",
                 entity="organisation", entity_id=world["boog"], detail=f"match {match_id}")  # fmt: skip


def build_contact_case(world) -> dict[str, int]:
    with Session(world["engine"]) as s:
        n = need(s, world, "Ruimte voor de buurtkeuken")
        offers = {
            key: offer(s, world, f"Zaal {key}").id for key in ("old", "edge", "live", "wrong")
        }
        old = match(s, n.id, offers["old"], "done", updated_at=ago(CONTACT) - JUST,
                    reason="Anja belt Karim op dinsdag")  # fmt: skip
        edge = match(s, n.id, offers["edge"], "declined", updated_at=ago(CONTACT) + JUST,
                     reason="partner: Karim is ziek")  # fmt: skip
        live = match(s, n.id, offers["live"], "active", updated_at=ago(CONTACT * 3),
                     reason="start in januari")  # fmt: skip
        wrong = match(s, n.id, offers["wrong"], "rejected", updated_at=ago(CONTACT) - JUST,
                      reason="te ver weg voor mevrouw met rolstoel")  # fmt: skip
        ids = {"old": old.id, "edge": edge.id, "live": live.id, "wrong": wrong.id}
        for key, match_id in list(ids.items()):
            # Recent events (inside the audit period): only the contact rule may touch them.
            ids[f"{key}_note"] = event(s, world, at=ago(10), entity_id=match_id,
                                       detail=f"notitie over {key}").id  # fmt: skip
            ids[f"{key}_reveal"] = reveal(s, world, match_id, at=ago(10)).id
        s.commit()
    return ids


def test_ended_partnerships_lose_their_personal_details_after_the_contact_period(world):
    ids = build_contact_case(world)
    with db.unit_of_work(world["engine"]) as s:
        report = apply_retention(session=s, now=NOW)
    assert (report.match_reasons_removed, report.match_notes_removed) == (2, 2)
    assert report.contact_reveals_unlinked == 2
    with Session(world["engine"]) as s:
        for key in ("old", "wrong"):  # ended more than CONTACT days ago
            row = s.get(Match, ids[key])
            assert (row.decision_reason, row.status, row.value_eur) == ("", row.status, 900.0)
            assert s.get(AuditEvent, ids[f"{key}_note"]).detail == ""
            seen = s.get(AuditEvent, ids[f"{key}_reveal"])
            # Someone saw a contact then (the limits and figures count it); whose and for
            # which partnership is gone.
            assert (seen.detail, seen.entity_id) == ("", None)
            assert (seen.user_id, seen.action) == (
                world["actors"]["anja"].user_id,
                "reveal_contact",
            )
        assert s.get(Match, ids["old"]).status == "done"
        assert s.get(Match, ids["wrong"]).status == "rejected"
        for key, reason in (("edge", "partner: Karim is ziek"), ("live", "start in januari")):
            assert s.get(Match, ids[key]).decision_reason == reason  # inside, or not ended
            assert s.get(AuditEvent, ids[f"{key}_note"]).detail == f"notitie over {key}"
            seen = s.get(AuditEvent, ids[f"{key}_reveal"])
            assert (seen.detail, seen.entity_id) == (f"match {ids[key]}", world["boog"])
        # The engine's reasons are about the posts, not people: the expired-post rule
        # handles them.
        assert s.get(Match, ids["old"]).reasons == ["ruimte voor 40, jullie zijn met 30"]


def test_the_conversation_of_an_ended_partnership_goes_after_the_contact_period(world):
    ids = build_contact_case(world)
    with Session(world["engine"]) as s:
        for key in ("old", "edge", "live"):
            add(s, ConversationMessage(match_id=ids[key], author_id=world["actors"]["anja"].user_id,
                                       body=f"Bel me op 06-12345678 ({key})"))  # fmt: skip
        s.commit()
    with db.unit_of_work(world["engine"]) as s:
        report = apply_retention(session=s, now=NOW)
    assert report.conversation_messages_deleted == 1
    with Session(world["engine"]) as s:
        left = s.exec(select(ConversationMessage.match_id)).all()
    assert sorted(left) == sorted([ids["edge"], ids["live"]])  # inside the period, or running


def test_audit_events_lose_their_detail_after_the_audit_period_and_the_row_stays(world):
    with Session(world["engine"]) as s:
        old = event(s, world, at=ago(AUDIT) - JUST, action="export_full", entity="need",
                    detail="need: exact places").id  # fmt: skip
        edge = event(s, world, at=ago(AUDIT) + JUST, action="login", entity="user",
                     detail="kept").id  # fmt: skip
        s.commit()
    with db.unit_of_work(world["engine"]) as s:
        report = apply_retention(session=s, now=NOW)
    assert report.audit_details_removed == 1
    with Session(world["engine"]) as s:
        gone = s.get(AuditEvent, old)
        assert gone.detail == ""
        assert (gone.action, gone.entity, gone.user_id) == (
            "export_full", "need", world["actors"]["anja"].user_id
        )  # fmt: skip
        assert s.get(AuditEvent, edge).detail == "kept"


def build_post_case(world) -> dict[str, int]:
    """Needs and offers just past and just inside the expired-post period, with matches."""
    old, inside = ago(POSTS) - JUST, ago(POSTS) + JUST
    past_day, last_day = TODAY - timedelta(days=POSTS + 1), TODAY - timedelta(days=POSTS)
    with Session(world["engine"]) as s:
        ids = {
            "closed_old": need(s, world, "Oude vraag", status="closed", updated_at=old).id,
            "closed_inside": need(s, world, "Net dicht", status="closed", updated_at=inside).id,
            "expired_old": need(s, world, "Verlopen", status="expired", deadline=past_day).id,
            "expired_inside": need(s, world, "Net verlopen", status="expired",
                                   deadline=last_day).id,
            "lapsed_open": need(s, world, "Nooit verlopen", deadline=past_day).id,
            "matched": need(s, world, "Gelukt", status="matched", deadline=past_day).id,
            "kept_need": need(s, world, "Samen gekookt", status="closed", updated_at=old).id,
            "offer_old": offer(s, world, "Oude zaal", deadline=past_day).id,
            "offer_inside": offer(s, world, "Zaal tot net", status="paused", deadline=last_day).id,
            "offer_closed_old": offer(s, world, "Dichte zaal", status="closed", updated_at=old).id,
            "live_offer": offer(s, world, "Open zaal").id,
        }  # fmt: skip
        recent = ago(1)  # matches changed recently: the contact rule leaves them alone
        ids |= {
            "sugg_expired": match(s, ids["expired_old"], ids["live_offer"], "suggested").id,
            "sugg_kept": match(s, ids["kept_need"], ids["live_offer"], "expired").id,
            "done": match(s, ids["kept_need"], ids["offer_closed_old"], "done",
                          reason="Karim: 06-12345678", updated_at=recent).id,
            "rejected": match(s, ids["matched"], ids["offer_closed_old"], "rejected",
                              reason="al geholpen").id,
            "introduced": match(s, ids["matched"], ids["offer_old"], "introduced").id,
            "inside_sugg": match(s, ids["closed_inside"], ids["offer_inside"], "suggested").id,
        }  # fmt: skip
        for key in ("closed_old", "kept_need", "closed_inside"):
            ids[f"{key}_event"] = event(s, world, at=ago(5), action="create", entity="need",
                                        entity_id=ids[key], detail=f"titel {key}").id  # fmt: skip
        ids["sugg_event"] = event(s, world, at=ago(5), entity_id=ids["sugg_expired"],
                                  detail="makelaar: bel eerst Anja").id  # fmt: skip
        ids["done_event"] = event(s, world, at=ago(5), entity_id=ids["done"],
                                  detail="gelukt, zegt Anja").id  # fmt: skip
        s.commit()
    return ids


def test_expired_and_closed_posts_go_after_their_period_and_partnerships_stay_anonymous(world):
    ids = build_post_case(world)
    with db.unit_of_work(world["engine"]) as s:
        report = apply_retention(session=s, now=NOW)
    assert (report.needs_deleted, report.offers_deleted) == (3, 1)
    assert (report.needs_anonymised, report.offers_anonymised) == (1, 1)
    assert report.suggestions_deleted == 3  # sugg_expired, sugg_kept, introduced
    with Session(world["engine"]) as s:
        needs = {n.id: n for n in s.exec(select(Need))}
        offers = {o.id: o for o in s.exec(select(Offer))}
        matches = {m.id: m for m in s.exec(select(Match))}
        for key in ("closed_old", "expired_old", "lapsed_open"):
            assert ids[key] not in needs
        assert ids["offer_old"] not in offers
        for key in ("closed_inside", "expired_inside", "matched"):
            assert needs[ids[key]].title != "(verwijderd)" and needs[ids[key]].place
        assert offers[ids["offer_inside"]].description and offers[ids["live_offer"]].title
        for stub in (needs[ids["kept_need"]], offers[ids["offer_closed_old"]]):
            assert (stub.title, stub.description, stub.place, stub.lat, stub.lon, stub.status) == (
                "(verwijderd)", "", "", None, None, "closed"
            )  # fmt: skip
        assert set(matches) == {ids["done"], ids["rejected"], ids["inside_sugg"]}
        for key in ("done", "rejected"):  # decided: kept for the figures, without words
            kept = matches[ids[key]]
            assert (kept.reasons, kept.decision_reason) == ([], "")
            assert kept.value_eur == 900.0
        assert matches[ids["done"]].status == "done"
        assert matches[ids["inside_sugg"]].reasons == ["ruimte voor 40, jullie zijn met 30"]
        details = {key: s.get(AuditEvent, ids[f"{key}_event"]).detail
                   for key in ("closed_old", "kept_need", "closed_inside", "sugg", "done")}  # fmt: skip
        assert details == {"closed_old": "", "kept_need": "", "sugg": "", "done": "",
                           "closed_inside": "titel closed_inside"}  # fmt: skip


def test_a_dry_run_counts_exactly_what_a_run_changes_and_changes_nothing(world):
    build_contact_case(world)
    build_post_case(world)
    with Session(world["engine"]) as s:
        event(s, world, at=ago(AUDIT + 1), action="login", entity="user", detail="oud")
        s.commit()

    def snapshot():
        with Session(world["engine"]) as s:
            return {
                model.__name__: [row.model_dump() for row in s.exec(select(model).order_by(model.id))]
                for model in (Need, Offer, Match, AuditEvent)
            }  # fmt: skip

    before = snapshot()
    with db.unit_of_work(world["engine"]) as s:
        dry = apply_retention(session=s, now=NOW, dry_run=True)
    assert snapshot() == before
    assert dry.dry_run and sum(dry.counts().values()) > 0
    with db.unit_of_work(world["engine"]) as s:
        real = apply_retention(session=s, now=NOW)
    assert real.counts() == dry.counts()
    assert real.audit_details_removed == 1
    with Session(world["engine"]) as s:
        runs = s.exec(select(AuditEvent).where(AuditEvent.action == "retention")).all()
        assert len(runs) == 1  # the dry run wrote none
        assert runs[0].user_id is None and runs[0].entity == "database"
        assert (
            "needs_deleted=3" in runs[0].detail and "contact_reveals_unlinked=2" in runs[0].detail
        )
    with db.unit_of_work(world["engine"]) as s:
        again = apply_retention(session=s, now=NOW)
    assert set(again.counts().values()) == {0}  # nothing left to remove
    with Session(world["engine"]) as s:
        assert len(s.exec(select(AuditEvent).where(AuditEvent.action == "retention")).all()) == 2


def test_the_settings_decide_the_outcome(world, monkeypatch):
    with Session(world["engine"]) as s:
        closed = need(s, world, "Dicht sinds 60 dagen", status="closed", updated_at=ago(60)).id
        o = offer(s, world, "Zaal")
        ended = match(s, closed, o.id, "done", updated_at=ago(60), reason="Anja: 06-1").id
        s.commit()
    monkeypatch.setenv("SAMENSPEL_RETENTION_CONTACT_DAYS", "61")
    monkeypatch.setenv("SAMENSPEL_RETENTION_EXPIRED_POST_DAYS", "61")
    with db.unit_of_work(world["engine"]) as s:
        first = apply_retention(session=s, now=NOW)
    assert sum(first.counts().values()) == 0 and first.contact_days == 61
    with Session(world["engine"]) as s:
        assert s.get(Match, ended).decision_reason == "Anja: 06-1"
    monkeypatch.setenv("SAMENSPEL_RETENTION_CONTACT_DAYS", "59")
    with db.unit_of_work(world["engine"]) as s:
        second = apply_retention(session=s, now=NOW)
    assert (second.match_reasons_removed, second.needs_anonymised) == (1, 0)
    monkeypatch.setenv("SAMENSPEL_RETENTION_EXPIRED_POST_DAYS", "59")
    with db.unit_of_work(world["engine"]) as s:
        third = apply_retention(session=s, now=NOW)
    assert (third.needs_anonymised, third.needs_deleted, third.match_reasons_removed) == (1, 0, 0)
    with Session(world["engine"]) as s:
        assert s.get(Need, closed).title == "(verwijderd)" and s.get(Match, ended) is not None


def test_the_command_runs_it_in_one_go_and_its_dry_run_changes_nothing(
    world, database_url, monkeypatch, capsys
):
    real_now = datetime.now(UTC)  # the command uses the clock: records relative to it
    with Session(world["engine"]) as s:
        gone = need(
            s, world, "Dicht", status="closed", updated_at=real_now - timedelta(days=POSTS + 1)
        ).id
        stays = need(
            s, world, "Net dicht", status="closed", updated_at=real_now - timedelta(days=POSTS - 1)
        ).id
        s.commit()  # fmt: skip
    monkeypatch.setenv("SAMENSPEL_DATABASE_URL", database_url)
    try:
        assert cli.main(["retention", "--dry-run", "--format", "json"]) == 0
        dry = json.loads(capsys.readouterr().out)
        assert (dry["dry_run"], dry["needs_deleted"], dry["expired_post_days"]) == (True, 1, POSTS)
        with Session(world["engine"]) as s:
            assert s.get(Need, gone) is not None
            assert (
                s.exec(select(AuditEvent).where(AuditEvent.action == "retention")).first() is None
            )
        assert cli.main(["retention"]) == 0
        text = capsys.readouterr().out
        assert f"bewaartermijnen: contact {CONTACT} dagen" in text
        assert "      1  vragen verwijderd" in text
    finally:
        db.engine_for(database_url).dispose()  # the command's engine: no idle connection left
    with Session(world["engine"]) as s:
        assert s.get(Need, gone) is None and s.get(Need, stays) is not None
        assert (
            "needs_deleted=1"
            in s.exec(select(AuditEvent.detail).where(AuditEvent.action == "retention")).one()
        )
