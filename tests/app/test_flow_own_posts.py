"""Initiatives and partners manage their own posts on 'Mijn vragen en aanbod': pause and turn
on again, extend, change (the posting form, filled in) and take away."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, func, select

from samenspel.services import suggestion_jobs
from samenspel.storage.models import Match, Need, Offer
from samenspel.web import queries
from tests.app.test_flow_partnership import OFFER_TITLE, engine, messages, open_page

MINE = "samenspel/web/views/mine.py"
VOLUNTEERS = "Buren die willen meekoken of afwassen"  # one of De Pan's needs in the demo city


def post_id(table, title: str) -> int:
    with Session(engine()) as session:
        return session.exec(select(table.id).where(table.title == title)).one()


def stored(table, row_id: int):
    with Session(engine()) as session:
        return session.get(table, row_id)


def suggestions_of(need_id: int) -> int:
    with Session(engine()) as session:
        return session.exec(
            select(func.count())
            .select_from(Match)
            .where(Match.need_id == need_id, Match.status == "suggested")
        ).one()


def on_the_map(kind: str, row_id: int) -> bool:
    with Session(engine()) as session:
        points = queries.map_points(session)
    return bool(((points["type"] == kind) & (points["id"] == row_id)).any())


def keys(at) -> set[str]:
    return {b.key for b in at.button}


def test_an_initiative_pauses_a_need_and_turns_it_on_again(demo_users):
    need_id = post_id(Need, VOLUNTEERS)
    assert suggestions_of(need_id) > 0 and on_the_map("need", need_id)
    at = open_page(demo_users["initiatief"], MINE)
    at.button(key=f"mine_need_{need_id}_pause").click().run()
    assert not at.exception
    assert "De vraag staat op pauze." in messages(at, "success")
    assert stored(Need, need_id).status == "paused"
    assert not on_the_map("need", need_id) and suggestions_of(need_id) == 0
    assert f"mine_need_{need_id}_pause" not in keys(at)
    assert any("Staat op pauze" in c.value for c in at.caption)

    at.button(key=f"mine_need_{need_id}_resume").click().run()
    assert not at.exception
    assert "De vraag staat weer open." in messages(at, "success")
    assert stored(Need, need_id).status == "open"
    assert suggestion_jobs.wait_until_idle(60)  # the app's thread, after the commit
    assert on_the_map("need", need_id) and suggestions_of(need_id) > 0


def test_an_initiative_extends_a_need_and_changes_its_title(demo_users):
    need_id = post_id(Need, VOLUNTEERS)
    at = open_page(demo_users["initiatief"], MINE)
    at.button(key=f"mine_need_{need_id}_extend").click().run()  # no date chosen yet
    assert "Kies een nieuwe datum." in messages(at, "error")
    assert stored(Need, need_id).deadline == date(2027, 5, 1)
    new_date = date.today() + timedelta(days=120)
    at.date_input(key=f"mine_need_{need_id}_until").set_value(new_date)
    at.button(key=f"mine_need_{need_id}_extend").click().run()
    assert not at.exception
    assert "Verlengd." in messages(at, "success")
    assert stored(Need, need_id).deadline == new_date
    assert f"Geldig tot {new_date:%d-%m-%Y}." in [c.value for c in at.caption]

    at.button(key=f"mine_need_{need_id}_edit").click().run()
    assert at.text_input(key=f"mine_need_{need_id}_title").value == VOLUNTEERS
    assert at.number_input(key=f"mine_need_{need_id}_people").value == 4
    assert at.date_input(key=f"mine_need_{need_id}_valid_until").value == new_date
    at.text_input(key=f"mine_need_{need_id}_title").input("Buren die willen meekoken")
    at.button(key=f"mine_need_{need_id}_save").click().run()
    assert not at.exception
    assert "Opgeslagen: 'Buren die willen meekoken'." in messages(at, "success")
    need = stored(Need, need_id)
    assert (need.title, need.people, need.deadline) == ("Buren die willen meekoken", 4, new_date)
    assert suggestion_jobs.wait_until_idle(60)
    assert suggestions_of(need_id) > 0


def test_a_partner_changes_an_offers_title_and_sees_it(demo_users):
    offer_id = post_id(Offer, OFFER_TITLE)
    at = open_page(demo_users["partner"], MINE)
    at.button(key=f"mine_offer_{offer_id}_edit").click().run()
    title = at.text_input(key=f"mine_offer_{offer_id}_title")
    assert title.value == OFFER_TITLE
    assert at.number_input(key=f"mine_offer_{offer_id}_people").value == 50
    # A refused change: the message under its input, nothing stored, the form still open.
    title.input("").run()
    at.button(key=f"mine_offer_{offer_id}_save").click().run()
    assert "Vul een titel in." in messages(at, "error")
    assert stored(Offer, offer_id).title == OFFER_TITLE
    at.text_input(key=f"mine_offer_{offer_id}_title").input("Grote zaal met keuken (di en wo)")
    at.button(key=f"mine_offer_{offer_id}_save").click().run()
    assert not at.exception
    assert "Opgeslagen: 'Grote zaal met keuken (di en wo)'." in messages(at, "success")
    assert stored(Offer, offer_id).title == "Grote zaal met keuken (di en wo)"
    assert any(e.label.startswith("Grote zaal met keuken \\(di en wo\\)") for e in at.expander)
    assert f"mine_offer_{offer_id}_save" not in keys(at)  # the form is closed again


def test_a_partner_takes_an_offer_away(demo_users):
    offer_id = post_id(Offer, OFFER_TITLE)
    assert on_the_map("offer", offer_id)
    at = open_page(demo_users["partner"], MINE)
    at.button(key=f"mine_offer_{offer_id}_close").click().run()
    assert not at.exception
    assert "Het aanbod is weggehaald." in messages(at, "success")
    assert stored(Offer, offer_id).status == "closed"
    assert not on_the_map("offer", offer_id)
    assert "Weggehaald. Het staat niet meer op de kaart." in [c.value for c in at.caption]
    assert not {k for k in keys(at) if k.startswith(f"mine_offer_{offer_id}_")}


def test_a_change_someone_else_saved_first_is_not_overwritten(demo_users):
    offer_id = post_id(Offer, OFFER_TITLE)
    at = open_page(demo_users["partner"], MINE)
    at.button(key=f"mine_offer_{offer_id}_edit").click().run()
    # Meanwhile the partner's colleague pauses it in another tab.
    tab = open_page(demo_users["partner"], MINE)
    tab.button(key=f"mine_offer_{offer_id}_pause").click().run()
    assert stored(Offer, offer_id).status == "paused"
    at.text_input(key=f"mine_offer_{offer_id}_title").input("Zaal")
    at.button(key=f"mine_offer_{offer_id}_save").click().run()
    assert any("heeft dit aanbod net veranderd" in m for m in messages(at, "error"))
    assert stored(Offer, offer_id).title == OFFER_TITLE
