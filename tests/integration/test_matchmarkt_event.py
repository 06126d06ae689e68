"""A matchmarkt from invitation to follow-up, through the services the pages call, on SQLite
and PostgreSQL: create, invite, register, wishes, plan, move and lock, print, record and
confirm deals, remind partij B, report; and who may do each."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from samenspel.services import (
    contacts,
    matchmarkt,
    matchmarkt_deals,
    matchmarkt_print,
    notify,
    posts,
)
from samenspel.services.errors import InvalidInput, NotAllowed
from samenspel.storage import db
from samenspel.storage.models import Match, MatchmarktTalk, Need, Notification, User
from tests.integration.conftest import TODAY
from tests.integration.test_flows import act

DAY = TODAY + timedelta(days=10)


def event_form(**changes) -> matchmarkt.EventForm:
    values = dict(title="Beursvloer Lombok", held_on=DAY, starts_at="19:00", place="Buurthuis De Boog",
                  rounds=3, round_minutes=15, tables=4, areas=("Lombok",))  # fmt: skip
    values.update(changes)
    return matchmarkt.EventForm(**values)


def post(world, who: str, org: str, kind: str, side: str, title: str, description: str) -> int:
    service = posts.create_need if side == "need" else posts.create_offer
    with db.unit_of_work(world["engine"]) as session:
        return service(session=session, actor=world["actors"][who], organisation_id=world[org],
                       today=TODAY, form=posts.PostForm(kind=kind, title=title,
                                                        description=description, people=2)).id  # fmt: skip


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def market(world):
    """An event in Lombok with De Pan (asking for volunteers) and De Boog (offering them)
    registered, and the Zuilen user as the event's matchmaker."""
    actors = world["actors"]
    event = act(world, matchmarkt.create_event, actor=actors["sanne"], form=event_form())
    need_id = post(world, "anja", "pan", "volunteers", "need", "Vrijwilligers voor de buurtmaaltijd",
                   "Wij zoeken twee vrijwilligers die op dinsdag helpen koken en afwassen.")  # fmt: skip
    offer_id = post(world, "karim", "boog", "volunteers", "offer", "Vrijwilligers uit ons buurthuis",
                    "Onze vrijwilligers helpen graag mee met koken en afwassen bij buurtinitiatieven.")  # fmt: skip
    assert act(world, matchmarkt.invite, actor=actors["sanne"], matchmarkt_id=event.id) == 2
    act(world, matchmarkt.register, actor=actors["anja"], matchmarkt_id=event.id,
        organisation_id=world["pan"], need_ids=[need_id], offer_ids=[])  # fmt: skip
    act(world, matchmarkt.register, actor=actors["karim"], matchmarkt_id=event.id,
        organisation_id=world["boog"], need_ids=[], offer_ids=[offer_id], note="Wij brengen koffie")  # fmt: skip
    act(world, matchmarkt.add_crew, actor=actors["sanne"], matchmarkt_id=event.id,
        username="zuilen", role=matchmarkt.MATCHMAKER)  # fmt: skip
    return {"id": event.id, "need": need_id, "offer": offer_id}


def test_invitations_reach_only_the_events_neighbourhoods_and_tell_their_people(world, market):
    with Session(world["engine"]) as session:
        rows = matchmarkt.parties(session, market["id"])
        notes = session.exec(
            select(Notification).where(Notification.kind == "matchmarkt_invite")
        ).all()
        invited_users = {session.get(User, n.user_id).username for n in notes}
    assert {r.name for r in rows} == {"Buurtkeuken De Pan", "Buurthuis De Boog"}
    assert all(r.status == matchmarkt.REGISTERED for r in rows)
    assert invited_users == {"anja", "karim"}
    # A second invitation adds nobody twice.
    assert (
        act(world, matchmarkt.invite, actor=world["actors"]["sanne"], matchmarkt_id=market["id"])
        == 0
    )


def test_only_the_areas_brokers_create_and_run_an_event(world, market):
    actors = world["actors"]
    with pytest.raises(InvalidInput) as refused:
        act(world, matchmarkt.create_event, actor=actors["noord"], form=event_form())
    assert "areas" in refused.value.field_errors
    with pytest.raises(NotAllowed):
        act(world, matchmarkt.create_event, actor=actors["anja"], form=event_form())
    for who in ("noord", "karim"):
        with pytest.raises(NotAllowed):
            act(world, matchmarkt.make_plan, actor=actors[who], matchmarkt_id=market["id"])
    with pytest.raises(InvalidInput) as bad:
        act(world, matchmarkt.create_event, actor=actors["sanne"],
            form=event_form(title=" ", starts_at="7 uur", rounds=0))  # fmt: skip
    assert set(bad.value.field_errors) == {"title", "starts_at", "rounds"}


def test_an_organisation_registers_only_its_own_open_posts(world, market):
    actors = world["actors"]
    with pytest.raises(InvalidInput):
        act(world, matchmarkt.register, actor=actors["anja"], matchmarkt_id=market["id"],
            organisation_id=world["pan"], need_ids=[], offer_ids=[market["offer"]])  # fmt: skip
    with pytest.raises(NotAllowed):
        act(world, matchmarkt.register, actor=actors["anja"], matchmarkt_id=market["id"],
            organisation_id=world["boog"], need_ids=[], offer_ids=[market["offer"]])  # fmt: skip
    with pytest.raises(NotAllowed):  # Zuilen was not invited
        act(world, matchmarkt.register, actor=actors["zuilen"], matchmarkt_id=market["id"],
            organisation_id=world["other"], need_ids=[], offer_ids=[])  # fmt: skip


def test_the_plan_meets_the_pair_and_a_decline_keeps_them_apart(world, market):
    actors = world["actors"]
    plan = act(
        world, matchmarkt.make_plan, actor=actors["sanne"], matchmarkt_id=market["id"], today=TODAY
    )
    assert len(plan.meetings) == 1 and plan.unplanned == []
    with Session(world["engine"]) as session:
        (talk,) = matchmarkt.talks(session, market["id"])
        summary = session.get(matchmarkt.Matchmarkt, market["id"]).plan_summary
    assert (talk.need_id, talk.offer_id) == (market["need"], market["offer"])
    assert summary["plan"]["parties_reached"] == 2 and "greedy" in summary
    act(world, matchmarkt.set_wishes, actor=actors["anja"], matchmarkt_id=market["id"],
        organisation_id=world["pan"], ask=[], decline=[world["boog"]])  # fmt: skip
    plan = act(
        world, matchmarkt.make_plan, actor=actors["sanne"], matchmarkt_id=market["id"], today=TODAY
    )
    assert plan.meetings == [] and len(plan.unplanned) == 2


def test_a_moved_talk_is_locked_and_stays_when_planned_again(world, market):
    actors = world["actors"]
    act(world, matchmarkt.make_plan, actor=actors["sanne"], matchmarkt_id=market["id"], today=TODAY)
    with Session(world["engine"]) as session:
        talk_id = session.exec(select(MatchmarktTalk.id)).one()
    act(world, matchmarkt.move_talk, actor=actors["sanne"], talk_id=talk_id, round=3, table=4)
    with pytest.raises(InvalidInput):
        act(world, matchmarkt.move_talk, actor=actors["sanne"], talk_id=talk_id, round=4, table=1)
    act(world, matchmarkt.make_plan, actor=actors["sanne"], matchmarkt_id=market["id"], today=TODAY)
    with Session(world["engine"]) as session:
        (talk,) = session.exec(select(MatchmarktTalk)).all()
    assert (talk.id, talk.round, talk.table_no, talk.locked) == (talk_id, 3, 4, True)


def test_the_papers_show_the_right_names_and_tables(world, market):
    actors = world["actors"]
    act(world, matchmarkt.make_plan, actor=actors["sanne"], matchmarkt_id=market["id"], today=TODAY)
    with db.unit_of_work(world["engine"], read_only=True) as session:
        agenda = pdf_text(matchmarkt_print.agendas(session=session, actor=actors["anja"],
                                                   matchmarkt_id=market["id"], organisation_id=world["pan"]))  # fmt: skip
        cards = pdf_text(
            matchmarkt_print.table_cards(
                session=session, actor=actors["sanne"], matchmarkt_id=market["id"]
            )
        )
        badges = pdf_text(
            matchmarkt_print.badges(
                session=session, actor=actors["sanne"], matchmarkt_id=market["id"]
            )
        )
        with pytest.raises(NotAllowed):  # another organisation's agenda
            matchmarkt_print.agendas(session=session, actor=actors["anja"], matchmarkt_id=market["id"],
                                     organisation_id=world["boog"])  # fmt: skip
    assert "Agenda van Buurtkeuken De Pan" in agenda and "Buurthuis De Boog" in agenda
    with Session(world["engine"]) as session:
        (talk,) = matchmarkt.talks(session, market["id"])
    start = f"{19 + (talk.round - 1) * 15 // 60}:{(talk.round - 1) * 15 % 60:02d}"
    assert f"Ronde {talk.round}, {start} - tafel {talk.table}: Buurthuis De Boog" in agenda
    assert "Tafel 4" in cards and "Buurtkeuken De Pan en Buurthuis De Boog" in cards
    assert (
        "Buurtkeuken De Pan" in badges
        and "Maatschappelijke organisatie" in badges
        and "Partner" in badges
    )


def record(world, who: str, market, **changes):
    form = matchmarkt_deals.DealForm(need_id=market["need"], offer_id=market["offer"],
                                     what="Twee vrijwilligers op dinsdag", in_return="Een gratis maaltijd",
                                     due_on=DAY + timedelta(days=30))  # fmt: skip
    form = matchmarkt_deals.DealForm(**{**form.__dict__, **changes})
    return act(world, matchmarkt_deals.record_deal, actor=world["actors"][who],
               matchmarkt_id=market["id"], form=form)  # fmt: skip


def test_a_confirmed_deal_is_an_agreed_partnership_with_contacts_and_a_reminder(world, market):
    actors = world["actors"]
    with pytest.raises(NotAllowed):  # a party is not a matchmaker
        record(world, "karim", market)
    with pytest.raises(InvalidInput) as bad:
        record(world, "zuilen", market, what=" ", due_on=TODAY)
    assert set(bad.value.field_errors) == {"what", "due_on"}
    deal = record(world, "zuilen", market)
    assert deal.corner == "hands"
    with Session(world["engine"]) as session:
        assert matchmarkt_deals.counter(session, market["id"]).confirmed == 0
    with pytest.raises(NotAllowed):  # the matchmaker is not the notaris
        act(
            world, matchmarkt_deals.confirm_deal, actor=actors["zuilen"], deal_id=deal.id, today=DAY
        )
    act(world, matchmarkt.add_crew, actor=actors["sanne"], matchmarkt_id=market["id"],
        username="ahmed", role=matchmarkt.NOTARIS)  # fmt: skip
    match = act(
        world, matchmarkt_deals.confirm_deal, actor=actors["ahmed"], deal_id=deal.id, today=DAY
    )
    assert match.status == "agreed" and match.follow_up_on == DAY + timedelta(days=30)
    assert (match.partner_brings, match.initiative_brings) == (
        "Twee vrijwilligers op dinsdag",
        "Een gratis maaltijd",
    )
    with db.unit_of_work(world["engine"]) as session:
        card = contacts.other_side_contact(session=session, actor=actors["anja"], match_id=match.id)
        assert card.organisation == "Buurthuis De Boog"
        assert session.get(Need, market["need"]).status == "matched"
        count = matchmarkt_deals.counter(session, market["id"])
        told = session.exec(select(Notification.kind, User.username).join(User)).all()
    assert (count.confirmed, count.per_corner["hands"]) == (1, 1)
    assert ("matchmarkt_contact", "karim") in told and ("matchmarkt_contact", "anja") not in told
    assert ("agreed", "anja") in told

    # Ten days on, partij B has written nothing: one reminder, and only one.
    later = datetime.now(UTC).date() + timedelta(days=matchmarkt_deals.REMIND_AFTER_DAYS)
    for _ in range(2):
        with db.unit_of_work(world["engine"]) as session:
            notify.periodic(session, now=datetime.combine(later, datetime.min.time(), tzinfo=UTC))
    with Session(world["engine"]) as session:
        reminded = session.exec(select(User.username).join(Notification)
                                .where(Notification.kind == "matchmarkt_reminder")).all()  # fmt: skip
    assert reminded == ["karim"]


def test_the_report_counts_deals_per_corner_and_neighbourhood_and_what_was_carried_out(
    world, market
):
    actors = world["actors"]
    deal = record(world, "sanne", market, value_eur=250.0)
    match = act(
        world, matchmarkt_deals.confirm_deal, actor=actors["sanne"], deal_id=deal.id, today=DAY
    )
    with Session(world["engine"]) as session:
        session.get(Match, match.id).status = "done"
        session.commit()
    with db.unit_of_work(world["engine"], read_only=True) as session:
        report = matchmarkt_deals.report(
            session=session, actor=actors["sanne"], matchmarkt_id=market["id"]
        )
        with pytest.raises(NotAllowed):
            matchmarkt_deals.report(
                session=session, actor=actors["noord"], matchmarkt_id=market["id"]
            )
    assert report.deals == 1 and report.per_corner["hands"] == 1
    assert report.per_neighbourhood == {"Lombok": 1}
    assert report.value_eur == 250.0 and (report.carried_out, report.answered) == (1, 1)


def test_after_the_agreed_date_both_sides_are_asked_whether_it_happened(world, market):
    deal = record(world, "sanne", market)
    act(
        world,
        matchmarkt_deals.confirm_deal,
        actor=world["actors"]["sanne"],
        deal_id=deal.id,
        today=DAY,
    )
    with db.unit_of_work(world["engine"]) as session:
        assert notify.follow_ups_due(session, today=deal.due_on - timedelta(days=1)) == 0
        assert notify.follow_ups_due(session, today=deal.due_on) == 2
        asked = session.exec(select(User.username).join(Notification)
                             .where(Notification.kind == "follow_up_due")).all()  # fmt: skip
    assert sorted(asked) == ["anja", "karim"]
