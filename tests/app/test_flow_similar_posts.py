"""'Bestaat dit al?' on the post page: while someone types a title, open posts of the same kind
with a similar title nearby are shown, so they can join one instead of posting it again."""

from __future__ import annotations

from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest

from samenspel.storage import db
from samenspel.storage.models import Need, Offer, Organisation, User
from tests.app.conftest import log_in
from tests.conftest import APP

HEADING = "**Bestaat dit al?**"


def engine():
    return db.engine_for(db.settings.database_url())


def open_post_page(user_id: int) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, user_id)
    at.run()
    return at.switch_page("samenspel/web/views/post.py").run()


def similar_shown(at: AppTest) -> list[str] | None:
    """The posts listed under 'Bestaat dit al?', or None when the box is not there."""
    if HEADING not in [m.value for m in at.markdown]:
        return None
    return [t.value.removeprefix("• ") for t in at.text if t.value.startswith("• ")]


def add_initiative_with_need(name: str, lat: float, lon: float, title: str) -> None:
    with Session(engine()) as session:
        organisation = Organisation(
            name=name, role="initiative", legal_form="association", lat=lat, lon=lon
        )
        session.add(organisation)
        session.flush()
        session.add(Need(organisation_id=organisation.id, kind="venue", title=title, lat=lat,
                         lon=lon))  # fmt: skip
        session.commit()


def count(table) -> int:
    with Session(engine()) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_similar_needs_nearby_show_while_typing_and_far_ones_do_not(demo_users):
    with Session(engine()) as session:
        own = session.get(Organisation, session.get(User, demo_users["initiatief"]).organisation_id)
        here = (own.lat, own.lon)
    title = "Plek om samen te koken"
    add_initiative_with_need("Kookclub om de hoek", here[0] + 0.01, here[1], title)  # ~1 km
    add_initiative_with_need("Kookclub Groningen", 53.219, 6.566, title)  # ~150 km
    needs_before = count(Need)

    at = open_post_page(demo_users["initiatief"])
    at.selectbox(key="post_kind").set_value("venue").run()
    assert similar_shown(at) is None  # nothing typed yet

    at.text_input(key="post_title").input(title).run()
    assert not at.exception
    listed = similar_shown(at)
    assert f"{title} (Kookclub om de hoek)" in listed
    assert "Plek om op dinsdagavond samen te koken (Buurtkeuken De Pan)" in listed
    assert not [line for line in listed if "Groningen" in line]
    assert any("voordat je iets nieuws plaatst" in c.value for c in at.caption)

    # Another kind of help: those venue needs are not alike any more.
    at.selectbox(key="post_kind").set_value("goods").run()
    assert similar_shown(at) is None
    # A title like nothing on the map shows no box either.
    at.selectbox(key="post_kind").set_value("venue").run()
    at.text_input(key="post_title").input("Xylofoonles voor zeehonden").run()
    assert similar_shown(at) is None
    assert count(Need) == needs_before  # looking is not posting


def test_a_partner_sees_similar_offers_while_typing(demo_users):
    at = open_post_page(demo_users["partner"])
    at.selectbox(key="post_kind").set_value("venue").run()
    at.text_input(key="post_title").input("Zaal met keuken").run()
    listed = similar_shown(at)
    assert listed and all(line.endswith(")") for line in listed)
    assert "Grote zaal met keuken op dinsdag- en woensdagavond (Buurtpand De Kade)" in listed
    with Session(engine()) as session:
        venue_offers = set(
            session.exec(select(Offer.title).where(Offer.kind == "venue", Offer.status == "open"))
        )
    assert {line.rsplit(" (", 1)[0] for line in listed} <= venue_offers  # offers, not needs
