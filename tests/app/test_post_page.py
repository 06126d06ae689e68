"""The post form: a valid post is stored; each invalid field shows its message, stores nothing,
and keeps what was typed."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest

from samenspel.services import suggestion_jobs
from samenspel.storage import db
from samenspel.storage.models import Match, Need, Offer, Organisation, SuggestionJob, utcnow
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


def test_a_post_is_stored_at_once_and_its_suggestions_show_when_they_are_ready(
    demo_users, monkeypatch
):
    """The post does not wait for the engine: 'Mijn vragen' says it is looking, and shows
    the suggestions once the job is done (here run by hand: the kick is held back)."""
    monkeypatch.setattr(suggestion_jobs, "kick", lambda engine: None)
    at = open_post_page(demo_users["initiatief"])
    at.selectbox(key="post_kind").set_value("venue").run()
    at.text_input(key="post_title").input("Plek om op dinsdagavond samen te koken")
    at.number_input(key="post_people").set_value(30)
    at.button(key="post_submit").click().run()
    assert any("We zoeken nu suggesties" in s.value for s in at.success)
    engine = db.engine_for(db.settings.database_url())
    with Session(engine) as session:
        need_id = session.exec(select(func.max(Need.id))).one()
        assert session.exec(select(Match).where(Match.need_id == need_id)).first() is None

    at.switch_page("samenspel/web/views/mine.py").run()
    looking = "We zoeken suggesties voor deze vraag. Ze staan hier zo vanzelf."
    assert looking in [i.value for i in at.info]
    assert suggestion_jobs.run_due(engine) == 1
    at.run()  # what the page's two-second check does once the job is gone
    assert not at.exception
    assert looking not in [i.value for i in at.info]
    with Session(engine) as session:
        found = session.exec(select(Match.id).where(Match.need_id == need_id)).all()
    cards = {c.key for c in at.get("flex_container")}
    assert found and {f"mine_suggestion_{match_id}" for match_id in found} <= cards

    # Changed again: the suggestions there stay, and the page says they are being redone.
    with db.unit_of_work(engine) as session:
        suggestion_jobs.queue(session, need_ids=[need_id])
    at.run()
    assert "We zoeken opnieuw suggesties voor deze vraag. De lijst kan zo veranderen." in [
        i.value for i in at.info
    ]
    assert looking not in [i.value for i in at.info]
    assert {f"mine_suggestion_{match_id}" for match_id in found} <= {
        c.key for c in at.get("flex_container")
    }


def test_mijn_vragen_starts_on_suggestions_that_a_stopped_process_left(demo_users):
    """A job queued long ago that nobody took: the page waiting for it starts on it."""
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, demo_users["initiatief"])
    at.run()  # the app has started (and done what was waiting then)
    assert suggestion_jobs.wait_until_idle(60)
    engine = db.engine_for(db.settings.database_url())
    with Session(engine) as session:
        need_id = session.exec(
            select(Need.id).join(Organisation).where(Organisation.name == "Buurtkeuken De Pan")
        ).first()
        session.add(SuggestionJob(need_id=need_id, queued_at=utcnow() - timedelta(minutes=5)))
        session.commit()
    at.switch_page("samenspel/web/views/mine.py").run()
    assert not at.exception
    assert suggestion_jobs.wait_until_idle(60)
    with Session(engine) as session:
        assert session.exec(select(SuggestionJob)).all() == []


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


def newest_need() -> Need:
    with Session(db.engine_for(db.settings.database_url())) as session:
        return session.exec(select(Need).order_by(Need.id.desc())).first()


def test_availability_is_picked_in_the_grid_and_typed_clock_times_join_it(demo_users):
    at = open_post_page(demo_users["initiatief"])
    at.selectbox(key="post_kind").set_value("venue").run()
    at.text_input(key="post_title").input("Plek voor ons buurtdiner")
    at.number_input(key="post_people").set_value(20)
    at.button_group(key="post_when_part2").set_value([1, 3]).run()  # di and do evening
    at.text_input(key="post_when").input("za 10:00-12:00")
    at.button(key="post_submit").click().run()
    assert errors(at) == []
    assert newest_need().slots == "di avond; do avond; za ochtend"


def test_the_number_of_people_in_the_text_is_offered_for_an_empty_field(demo_users):
    at = open_post_page(demo_users["initiatief"])
    at.selectbox(key="post_kind").set_value("venue").run()
    at.text_input(key="post_title").input("Zaal voor een diner met 35 buren").run()
    take = at.button(key="post_people_take")
    assert take.label == "In je tekst staat 35. Overnemen?"
    assert at.number_input(key="post_people").value is None  # never filled in unasked
    take.click().run()
    assert at.number_input(key="post_people").value == 35
    assert not [b for b in at.button if b.key == "post_people_take"]  # the field has a value
