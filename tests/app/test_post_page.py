"""The post form: a valid post is stored; each invalid field shows its message, stores nothing,
and keeps what was typed."""

from __future__ import annotations

from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest

from samenspel.storage import db
from samenspel.storage.models import Need, Offer
from tests.app.conftest import log_in, shown
from tests.conftest import APP


def count(table) -> int:
    engine = db.engine_for(db.settings.database_url())
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def open_post_page(user_id: int) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, user_id)
    at.run()
    return at.switch_page("samenspel/web/views/post.py").run()


def errors(at) -> list[str]:
    return [shown(e.value) for e in at.error]


def test_an_initiative_posts_a_venue_need_in_plain_words(demo_users):
    at = open_post_page(demo_users["initiatief"])
    before = count(Need)
    at.selectbox(key="post_kind").set_value("venue").run()
    at.text_input(key="post_title").input("Plek om op dinsdagavond samen te koken")
    at.number_input(key="post_people").set_value(30)
    at.text_input(key="post_when").input("di avond")
    at.button(key="post_submit").click().run()
    assert not at.exception
    assert errors(at) == []
    assert count(Need) == before + 1
    assert any("Geplaatst" in s.value for s in at.success)


def test_each_invalid_field_shows_its_message_and_nothing_is_stored(demo_users):
    at = open_post_page(demo_users["initiatief"])
    before = count(Need)
    at.selectbox(key="post_kind").set_value("money").run()
    at.text_input(key="post_title").input("")
    at.text_input(key="post_when").input("soms")
    at.text_input(key="post_place").input("Atlantis")
    at.button(key="post_submit").click().run()
    messages = errors(at)
    assert "Vul een titel in." in messages
    assert "Vul een bedrag in dat groter is dan 0." in messages
    assert any("'soms' is geen dag of dagdeel" in m for m in messages)
    assert any("We kennen de plek 'Atlantis' niet" in m for m in messages)
    assert count(Need) == before
    assert at.text_input(key="post_when").value == "soms"  # what was typed survives


def test_a_partner_posts_an_offer(demo_users):
    at = open_post_page(demo_users["partner"])
    before = count(Offer)
    at.selectbox(key="post_kind").set_value("venue").run()
    at.text_input(key="post_title").input("Multifunctionele ruimte met keuken")
    at.number_input(key="post_people").set_value(40)
    at.button(key="post_submit").click().run()
    assert errors(at) == []
    assert count(Offer) == before + 1
