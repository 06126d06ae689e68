"""Meldingen per mail (the person's own address and how often per kind) and "Berichten" on
Nieuw voor jullie (what was new, marked read once shown)."""

from __future__ import annotations

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from samenspel.services import notify
from samenspel.storage import db
from samenspel.storage.models import Notification, NotificationSetting, User
from tests.app.conftest import log_in, shown
from tests.conftest import APP

PAGE = "samenspel/web/views/notifications.py"


def engine():
    return db.engine_for(db.settings.database_url())


def open_page(user_id: int) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, user_id)
    at.run()
    return at.switch_page(PAGE).run()


def settings_of(user_id: int) -> tuple[str, dict[str, str]]:
    with Session(engine()) as session:
        chosen = dict(session.exec(select(NotificationSetting.kind, NotificationSetting.frequency)
                                   .where(NotificationSetting.user_id == user_id)).all())  # fmt: skip
        return session.get(User, user_id).email, chosen


def test_a_side_saves_its_address_and_how_often_per_kind(demo_users):
    at = open_page(demo_users["initiatief"])
    assert not at.exception
    labels = [r.label for r in at.radio]
    assert labels == [notify.KIND_LABELS[kind] for kind in notify.KINDS_FOR["initiative"]]
    assert at.radio(key="notifications_introduction").value == "direct"  # the default
    at.text_input(key="notifications_email").input("pan@example.org")
    at.radio(key="notifications_introduction").set_value("never")
    at.radio(key="notifications_new_suggestion").set_value("weekly")
    at.button[0].click().run()
    assert not at.exception and [s.value for s in at.success] == ["Opgeslagen."]
    email, chosen = settings_of(demo_users["initiatief"])
    assert email == "pan@example.org"
    assert chosen["introduction"] == "never" and chosen["new_suggestion"] == "weekly"
    assert chosen["agreed"] == "direct"


def test_a_wrong_address_shows_its_message_and_stores_nothing(demo_users):
    at = open_page(demo_users["partner"])
    at.text_input(key="notifications_email").input("geen adres")
    at.radio(key="notifications_fitting_need").set_value("never")
    at.button[0].click().run()
    assert "Dit e-mailadres klopt niet." in [shown(e.value) for e in at.error]
    assert settings_of(demo_users["partner"]) == ("", {})
    assert at.text_input(key="notifications_email").value == "geen adres"


def test_a_broker_chooses_for_the_summary_of_their_areas(demo_users):
    at = open_page(demo_users["makelaar"])
    assert [r.label for r in at.radio] == [
        "Overzicht van mijn buurten", "Een nieuwe organisatie meldt zich aan",
        "Een nieuw bericht in een gesprek", "Iemand meldt een bericht bij mij"]  # fmt: skip
    assert at.radio(key="notifications_broker_digest").options == [
        "elke dag", "elke week", "nooit"]  # fmt: skip


def test_berichten_on_nieuw_voor_jullie_shows_whats_new_once_as_new(demo_users):
    user_id = demo_users["initiatief"]
    with db.unit_of_work(engine()) as session:
        notify.notify(session, user_id=user_id, kind="introduction",
                      params={"need": "Plek om te koken", "offer": "Zaal", "other": "*De Kade*",
                              "page": "mine"})  # fmt: skip
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, user_id)
    at.run()  # the first page after logging in
    assert not at.exception
    assert "Berichten" in [h.value for h in at.subheader]
    (line,) = [m.value for m in at.markdown if "Kennismaken met" in m.value]
    assert shown(line).startswith("• **Nieuw** · Kennismaken met *De Kade* · ")
    assert "\\*De Kade\\*" in line  # user text escaped: no markdown from it
    with Session(engine()) as session:
        (note,) = session.exec(select(Notification).where(Notification.user_id == user_id)).all()
        assert note.read_at is not None
    at.run()
    (line,) = [m.value for m in at.markdown if "Kennismaken met" in m.value]
    assert "Nieuw" not in line  # seen: no longer new
    assert at.title[0].value == "Nieuw voor jullie"


def test_the_calendar_link_is_made_shown_and_renewed(demo_users, monkeypatch, tmp_path):
    from datetime import date

    from icalendar import Calendar

    from samenspel.services import calendar

    monkeypatch.setattr(calendar, "FEED_DIR", tmp_path / "static" / "calendar")
    monkeypatch.setenv("SAMENSPEL_BASE_URL", "https://samenspel.example.nl")
    at = open_page(demo_users["partner"])
    assert not at.exception and not at.code
    assert "Je hebt nog geen agenda-link." in [c.value for c in at.caption]
    at.button(key="notifications_calendar_renew").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Nieuwe agenda-link gemaakt. De oude link werkt niet meer."]  # fmt: skip
    (first,) = [c.value for c in at.code]
    assert first.startswith("https://samenspel.example.nl/app/static/calendar/")
    first_file = calendar.FEED_DIR / first.rsplit("/", 1)[1]
    # What the feed holds: the demo partner's own calendar, as a calendar app reads it.
    with Session(engine()) as session:
        own = calendar.events_for(session, user_id=demo_users["partner"], today=date.today())
    assert first_file.read_bytes() == calendar.ics(own).encode()
    assert len(Calendar.from_ical(first_file.read_bytes()).walk("VEVENT")) == len(own)
    at.button(key="notifications_calendar_renew").click().run()
    (second,) = [c.value for c in at.code]
    assert second != first and not first_file.exists()
    assert [p.name for p in calendar.FEED_DIR.iterdir()] == [second.rsplit("/", 1)[1]]
    # Shown again on a later visit (the same link, not a new one).
    assert [c.value for c in open_page(demo_users["partner"]).code] == [second]
