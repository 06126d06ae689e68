"""The partnerships page after both sides said yes, through the real pages: "Is het gelukt?
Ja, en het loopt nog door" moves the next check (the warning and the count are gone until
then), an old page is told who answered first, and wederkerigheid: each side writes what it
brings in return, both sides and the broker see it on the card, and the dashboard counts it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from samenspel.storage import db
from samenspel.storage.models import Match, Need, Offer, Organisation, User
from tests.app.conftest import log_in, shown
from tests.conftest import APP

PAGE = "samenspel/web/views/partnerships.py"
DASHBOARD = "samenspel/web/views/dashboard.py"


def engine():
    return db.engine_for(db.settings.database_url())


def open_page(user_id: int, path: str = PAGE) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, user_id)
    at.run()
    return at.switch_page(path).run()


def organisation_of(user_id: int) -> Organisation:
    with Session(engine()) as session:
        return session.get(Organisation, session.get(User, user_id).organisation_id)


def agreed_between(demo_users) -> int:
    """The demo initiative's (De Pan) suggestion with the demo partner (De Kade), made an agreed
    partnership whose follow-up is due today."""
    initiative = organisation_of(demo_users["initiatief"])
    partner = organisation_of(demo_users["partner"])
    with Session(engine()) as session:
        match = session.exec(
            select(Match)
            .join(Need, Match.need_id == Need.id)
            .join(Offer, Match.offer_id == Offer.id)
            .where(Need.organisation_id == initiative.id, Offer.organisation_id == partner.id)
            .order_by(Match.score.desc())
        ).first()
        match.status, match.initiative_agreed, match.partner_agreed = "agreed", True, True
        match.follow_up_on = date.today()
        session.add(match)
        session.commit()
        return match.id


def match(match_id: int) -> Match:
    with Session(engine()) as session:
        return session.get(Match, match_id)


def metric(at: AppTest, label: str) -> int:
    (found,) = [m for m in at.metric if m.label == label]
    return int(found.value)


def card_markdown(at: AppTest, match_id: int) -> list[str]:
    """The markdown of one partnership's card, as the page sent it."""
    key = f"partners_card_{match_id}"
    (card,) = [c for c in at.get("flex_container") if getattr(c, "key", None) == key]
    return [m.value for m in card.markdown]


def card_texts(at: AppTest, match_id: int) -> list[str]:
    """What a reader sees in the markdown of one partnership's card."""
    return [shown(value) for value in card_markdown(at, match_id)]


def escaped(words: str) -> str:
    """`words` with every markdown character behind a backslash, so it shows as typed."""
    return "".join("\\" + ch if ch in "*[]():." else ch for ch in words)


def due_warning() -> str:
    return f"Opvolgen: het is {date.today():%d-%m-%Y}. Is het gelukt?"


def test_a_side_says_it_keeps_running_and_the_question_is_gone_until_the_new_date(demo_users):
    match_id = agreed_between(demo_users)
    at = open_page(demo_users["initiatief"])
    assert due_warning() in [shown(w.value) for w in at.warning]
    due_before = metric(at, "Opvolgen")
    next_check = date.today() + timedelta(days=20)
    # The next check is four weeks away unless the user picks another day.
    assert at.date_input(key=f"partners_next_{match_id}").value == date.today() + timedelta(weeks=4)
    at.date_input(key=f"partners_next_{match_id}").set_value(next_check)
    at.button(key=f"partners_continue_{match_id}").click().run()
    assert not at.exception
    assert [shown(s.value) for s in at.success] == ["Fijn! We vragen het weer op de nieuwe datum."]
    assert (match(match_id).status, match(match_id).follow_up_on) == ("active", next_check)
    assert due_warning() not in [shown(w.value) for w in at.warning]
    assert metric(at, "Opvolgen") == due_before - 1
    # A fresh page agrees: nothing to follow up on this partnership before the new date.
    again = open_page(demo_users["initiatief"])
    assert due_warning() not in [shown(w.value) for w in again.warning]
    assert metric(again, "Opvolgen") == due_before - 1


def test_an_old_page_is_told_who_answered_first(demo_users):
    match_id = agreed_between(demo_users)
    initiative = open_page(demo_users["initiatief"])
    partner = open_page(demo_users["partner"])
    partner.text_input(key=f"partners_note_{match_id}").input("De zaal ging dicht")
    partner.button(key=f"partners_no_{match_id}").click().run()
    assert (match(match_id).status, match(match_id).decision_reason) == (
        "declined",
        "De zaal ging dicht",
    )

    initiative.button(key=f"partners_done_{match_id}").click().run()  # still showed the question
    assert not initiative.exception
    name = organisation_of(demo_users["partner"]).name
    assert [shown(w.value) for w in initiative.warning] == [
        f"{name} heeft net al gezegd dat het niet is gelukt. Ververs de pagina."
    ]
    assert match(match_id).status == "declined"


def test_each_side_writes_what_it_brings_and_the_card_and_dashboard_show_it(demo_users):
    match_id = agreed_between(demo_users)
    initiative = organisation_of(demo_users["initiatief"]).name
    partner = organisation_of(demo_users["partner"]).name
    at = open_page(demo_users["initiatief"])
    assert f"**{initiative}** brengt in: nog niet ingevuld" in card_texts(at, match_id)
    words = "We koken *elke* maand voor [de vrijwilligers](http://x.example)"
    at.text_area(key=f"partners_brings_{match_id}").input(words)
    at.button(key=f"partners_brings_save_{match_id}").click().run()
    assert not at.exception
    assert "Opgeslagen wat jullie inbrengen." in [shown(s.value) for s in at.success]
    assert match(match_id).initiative_brings == words
    # Escaped: the reader sees the words as typed, no emphasis and no link.
    assert f"**{initiative}** brengt in: {words}" in card_texts(at, match_id)
    assert f"**{initiative}** brengt in: {escaped(words)}" in card_markdown(at, match_id)

    other = open_page(demo_users["partner"])
    texts = card_texts(other, match_id)
    assert f"**{initiative}** brengt in: {words}" in texts
    assert f"**{partner}** brengt in: nog niet ingevuld" in texts
    assert other.text_area(key=f"partners_brings_{match_id}").value == ""  # its own, empty
    other.text_area(key=f"partners_brings_{match_id}").input("Onze zaal op dinsdagavond")
    other.button(key=f"partners_brings_save_{match_id}").click().run()
    assert (match(match_id).initiative_brings, match(match_id).partner_brings) == (
        words,
        "Onze zaal op dinsdagavond",
    )

    broker = open_page(demo_users["makelaar"])
    texts = card_texts(broker, match_id)
    assert f"**{initiative}** brengt in: {words}" in texts
    assert f"**{partner}** brengt in: Onze zaal op dinsdagavond" in texts
    assert f"partners_brings_{match_id}" not in {a.key for a in broker.text_area}

    dash = open_page(demo_users["makelaar"], DASHBOARD)
    assert not dash.exception
    assert metric(dash, "Beide kanten brengen iets in") == 1
    assert metric(dash, "Eén kant brengt iets in") == 0
    assert f"- {initiative} (met {partner}): {escaped(words)}" in [m.value for m in dash.markdown]
