"""The matchmarkt pages in the running app: the broker creates an event, invites and plans;
an initiative and a partner register; the broker records and confirms a deal on the day page;
the wall's counter counts it. And who may see what."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from samenspel.storage import db
from samenspel.storage.models import (
    Match,
    MatchmarktDeal,
    MatchmarktParty,
    MatchmarktTalk,
    Need,
    Offer,
    Organisation,
    User,
)
from samenspel.web.navigation import may_open
from tests.app.conftest import log_in, shown
from tests.conftest import APP

PAGE = "samenspel/web/views/matchmarkt.py"
DAY = "samenspel/web/views/matchmarkt_day.py"
COUNTER = "samenspel/web/views/matchmarkt_counter.py"


def engine():
    return db.engine_for(db.settings.database_url())


def open_page(user_id: int | None, page: str = PAGE, **params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    if user_id is not None:
        log_in(at, user_id)
    at.run()
    for name, value in params.items():
        at.query_params[name] = value
    return at.switch_page(page).run()


def texts(at: AppTest) -> str:
    parts = [shown(x.value) for x in (*at.success, *at.info, *at.error, *at.markdown, *at.caption)]
    return "\n".join(parts)


def by_label(widgets, label: str):
    (widget,) = [w for w in widgets if w.label == label]
    return widget


def create_event(at: AppTest) -> AppTest:
    by_label(at.text_input, "Naam").input("Beursvloer Oost")
    by_label(at.text_input, "Plek").input("Buurthuis De Boog")
    by_label(at.number_input, "Rondes").set_value(3)
    by_label(at.number_input, "Tafels").set_value(5)
    (submit,) = [b for b in at.button if b.label == "Matchmarkt maken"]
    return submit.click().run()


def demo_pair(demo_users) -> tuple[int, int]:
    """A need of the demo initiative and an offer of the demo partner the engine suggested
    for each other: a pair the planner will put at a table."""
    with Session(engine()) as session:
        orgs = {
            name: session.get(User, demo_users[name]).organisation_id
            for name in ("initiatief", "partner")
        }
        return session.exec(
            select(Match.need_id, Match.offer_id).join(Need, Match.need_id == Need.id)
            .join(Offer, Match.offer_id == Offer.id)
            .where(Need.organisation_id == orgs["initiatief"], Offer.organisation_id == orgs["partner"],
                   Need.status == "open", Offer.status == "open")
            .order_by(Match.score.desc())
        ).first()  # fmt: skip


def register(user_id: int, need_id: int | None = None, offer_id: int | None = None) -> None:
    """Register the user's organisation with one need or offer (the widgets hold ids;
    AppTest selects by value)."""
    at = open_page(user_id)
    if need_id is not None:
        by_label(at.multiselect, "Wat zoeken jullie? (jullie vragen)").select(need_id)
    if offer_id is not None:
        by_label(at.multiselect, "Wat brengen jullie mee? (jullie aanbod)").select(offer_id)
    (submit,) = [b for b in at.button if b.label == "Aanmelden"]
    at = submit.click().run()
    assert "Jullie zijn aangemeld." in texts(at), texts(at)


def test_a_broker_runs_a_matchmarkt_from_creation_to_the_counter(demo_users):
    broker = demo_users["makelaar"]
    at = open_page(broker)
    assert not at.exception
    at = create_event(at)
    assert "De matchmarkt is gemaakt" in texts(at), texts(at)
    (invite,) = [b for b in at.button if b.label == "Organisaties uitnodigen"]
    at = invite.click().run()
    assert "Uitgenodigd:" in texts(at)
    with Session(engine()) as session:
        invited = session.exec(select(MatchmarktParty)).all()
    assert len(invited) >= 2

    need_id, offer_id = demo_pair(demo_users)
    register(demo_users["initiatief"], need_id=need_id)
    register(demo_users["partner"], offer_id=offer_id)

    at = open_page(broker)
    (plan,) = [b for b in at.button if b.label == "Gesprekken plannen"]
    at = plan.click().run()
    assert not at.exception
    with Session(engine()) as session:
        talks = session.exec(select(MatchmarktTalk)).all()
        need_org = {session.get(Need, x.need_id).organisation_id for x in talks}
    assert talks, texts(at)
    assert "Gesprekken gepland:" in texts(at)
    assert {d.label for d in at.get("download_button")} >= {
        "Agenda's (PDF)",
        "Tafelkaarten (PDF)",
        "Badges (PDF)",
    }

    # The initiative sees its own agenda with a PDF of it.
    at = open_page(demo_users["initiatief"])
    assert "Jullie agenda" in [s.value for s in at.subheader]
    assert {d.label for d in at.get("download_button")} == {"Onze agenda (PDF)"}
    assert any(m.value.startswith("**Ronde ") for m in at.markdown), "a card per talk"

    # On the day: the broker records a deal and confirms it as notaris.
    event_id = at.selectbox[0].value
    at = open_page(broker, DAY, id=str(event_id))
    assert not at.exception
    by_label(at.selectbox, "Wie vraagt (partij A)").select(need_id)
    by_label(at.selectbox, "Wie geeft (partij B)").select(offer_id)
    by_label(at.text_input, "Wat wordt er gegeven?").input("Tien uur hulp bij de administratie")
    (record,) = [b for b in at.button if b.label == "Deal opschrijven"]
    at = record.click().run()
    assert "De deal is opgeschreven" in texts(at), texts(at)
    (confirm,) = [b for b in at.button if b.label == "Bevestigen als notaris"]
    at = confirm.click().run()
    assert "Bevestigd." in texts(at), texts(at)
    with Session(engine()) as session:
        (deal,) = session.exec(select(MatchmarktDeal)).all()
        match = session.get(Match, deal.match_id)
    assert match.status == "agreed" and match.partner_brings == "Tien uur hulp bij de administratie"
    assert need_org  # the plan had talks to write deals about

    counter = open_page(None, COUNTER, id=str(event_id))
    assert not counter.exception
    assert "Beursvloer Oost" in [shown(x.value) for x in counter.title]
    assert any(">1</p>" in m.value for m in counter.markdown)


def test_the_day_page_is_for_the_crew_only(demo_users):
    broker = demo_users["makelaar"]
    at = create_event(open_page(broker))
    (invite,) = [b for b in at.button if b.label == "Organisaties uitnodigen"]
    at = invite.click().run()
    event_id = at.selectbox[0].value
    at = open_page(demo_users["initiatief"], DAY, id=str(event_id))
    assert not at.exception
    assert "Alleen de makelaars en matchmakers" in texts(at)
    assert not [b for b in at.button if b.label == "Deal opschrijven"]
    assert not may_open("public", PAGE) and not may_open("public", DAY)
    assert may_open("public", COUNTER)  # the wall's screen: only numbers


def test_an_organisation_not_invited_sees_no_event_and_a_bad_time_keeps_the_form(demo_users):
    at = open_page(demo_users["initiatief"])
    assert "nog geen matchmarkt voor jullie" in texts(at)
    at = open_page(demo_users["makelaar"])
    by_label(at.text_input, "Naam").input("Beursvloer")
    by_label(at.text_input, "Begintijd").input("zeven uur")
    (submit,) = [b for b in at.button if b.label == "Matchmarkt maken"]
    at = submit.click().run()
    assert "Schrijf de begintijd als uu:mm" in texts(at)
    assert by_label(at.text_input, "Naam").value == "Beursvloer"
    with Session(engine()) as session:
        assert session.exec(select(User).where(User.username == "makelaar")).one()
        assert session.exec(select(Offer)).first() is not None
    assert date.today() + timedelta(weeks=4) == by_label(at.date_input, "Datum").value


def test_the_broker_registers_an_organisation_without_an_account(demo_users):
    broker = demo_users["makelaar"]
    at = create_event(open_page(broker))
    (invite,) = [b for b in at.button if b.label == "Organisaties uitnodigen"]
    at = invite.click().run()
    with Session(engine()) as session:
        with_people = set(session.exec(select(User.organisation_id)).all()) - {None}
        org_id, need_id, name = session.exec(
            select(MatchmarktParty.organisation_id, Need.id, Organisation.name)
            .join(Need, Need.organisation_id == MatchmarktParty.organisation_id)
            .join(Organisation, Organisation.id == MatchmarktParty.organisation_id)
            .where(Need.status == "open", MatchmarktParty.organisation_id.not_in(with_people))
            .order_by(Organisation.name)
        ).first()  # fmt: skip
    by_label(at.selectbox, "Organisatie").select(org_id)
    at = at.run()
    (form_need,) = [m for m in at.multiselect if m.label == "Wat zoeken jullie? (jullie vragen)"]
    form_need.select(need_id)
    (submit,) = [b for b in at.button if b.label == "Aanmelden"]
    at = submit.click().run()
    assert f"{name} is aangemeld." in texts(at)
    with Session(engine()) as session:
        party = session.exec(
            select(MatchmarktParty).where(MatchmarktParty.organisation_id == org_id)
        ).one()
    assert (party.status, party.need_ids) == ("registered", str(need_id))
