"""Calendar (services/calendar.py) on SQLite and PostgreSQL: the follow-up date of a
partnership as an event in each reader's language, attached to the "agreed" and follow-up
mails, and in a private feed file that renewing replaces, refresh_feeds keeps current, and that
never holds another organisation's partnerships or anyone's contact details."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from sqlalchemy import update
from sqlmodel import Session, select

from samenspel.services import calendar, notify, posts
from samenspel.services.errors import Conflict
from samenspel.storage import db
from samenspel.storage.models import Match, OutboxMessage, User, utcnow
from tests.integration.conftest import TODAY
from tests.integration.test_flows import act
from tests.integration.test_notifications import NEED, agreed_and_due, everything_direct

BASE = "https://samenspel.example.nl"


@pytest.fixture(autouse=True)
def setup(monkeypatch, tmp_path):
    monkeypatch.setenv("SAMENSPEL_BASE_URL", BASE)
    monkeypatch.setenv("SAMENSPEL_SECRET_KEY", "a key for these tests only")
    monkeypatch.setattr(calendar, "FEED_DIR", tmp_path / "static" / "calendar")


def user_id(world, name: str) -> int:
    return world["actors"][name].user_id


def speak(world, **languages: str) -> None:
    with db.unit_of_work(world["engine"]) as session:
        for name, lang in languages.items():
            session.get(User, user_id(world, name)).language = lang


def events(world, name: str) -> list[calendar.CalendarEvent]:
    with Session(world["engine"]) as session:
        return calendar.events_for(session, user_id=user_id(world, name))


def vevents(text: str) -> list:
    return Calendar.from_ical(text).walk("VEVENT")


def renew(world, name: str) -> str:
    return act(world, calendar.renew_feed, actor=world["actors"][name])


def feed_file(url: str):
    assert url.startswith(f"{BASE}/app/static/calendar/") and url.endswith(".ics")
    return calendar.FEED_DIR / urlsplit(url).path.rsplit("/", 1)[1]


def refresh(world) -> dict[str, int]:
    with db.unit_of_work(world["engine"]) as session:
        return calendar.refresh_feeds(session, now=utcnow())


def zuilen_partnership(world, on: date) -> int:
    """Taalcafé Zuilen runs a partnership with De Boog's hall too (the engine's suggestion
    for the pair, or a new row), its follow-up on `on`."""
    need = act(world, posts.create_need, actor=world["actors"]["zuilen"],
               organisation_id=world["other"], today=TODAY,
               form=posts.PostForm(kind="venue", title="Een zaal voor het taalcafé", people=20,
                                   when="di avond", distance_km=10))  # fmt: skip
    with db.unit_of_work(world["engine"]) as session:
        hall = session.exec(select(Match.offer_id).where(Match.status == "agreed")).one()
        match = session.exec(
            select(Match).where(Match.need_id == need.id, Match.offer_id == hall)
        ).first() or Match(need_id=need.id, offer_id=hall)  # fmt: skip
        match.status, match.follow_up_on = "active", on
        session.add(match)
        session.flush()
        return match.id


def test_each_reader_sees_the_follow_up_in_their_own_language_and_side(world):
    seen = agreed_and_due(world)
    speak(world, karim="en")
    (anja,) = events(world, "anja")
    (karim,) = events(world, "karim")
    (sanne,) = events(world, "sanne")
    assert anja.summary == f"Is het gelukt? {NEED} met Buurthuis De Boog"
    assert karim.summary == f"Did it work out? {NEED} with Buurtkeuken De Pan"
    assert sanne.summary == f"Is het gelukt? {NEED} van Buurtkeuken De Pan met Buurthuis De Boog"
    assert karim.description.startswith("Partnership of Buurtkeuken De Pan and Buurthuis De Boog")
    assert {e.uid for e in (anja, karim, sanne)} == {f"match-{seen.id}-followup@samenspel"}
    assert anja.on == seen.follow_up_on and anja.url == f"{BASE}/partnerships"
    # Parsed back from the text a calendar app reads.
    (parsed,) = vevents(calendar.ics([karim]))
    assert parsed.decoded("DTSTART") == seen.follow_up_on
    assert str(parsed["SUMMARY"]) == f"Did it work out? {NEED} with Buurtkeuken De Pan"
    # Another area's broker and another initiative: nothing of it.
    assert events(world, "noord") == [] and events(world, "zuilen") == []


def test_a_calendar_holds_only_the_partnerships_of_the_readers_side_or_areas(world):
    lombok = agreed_and_due(world).id
    zuilen = zuilen_partnership(world, date.today() + timedelta(days=20))

    def ids(name):
        return [e.uid.split("-")[1] for e in events(world, name)]

    assert ids("anja") == [str(lombok)] and ids("sanne") == [str(lombok)]
    assert ids("zuilen") == [str(zuilen)] and ids("noord") == [str(zuilen)]
    assert ids("karim") == [str(lombok), str(zuilen)]  # De Boog is in both, by date
    # A suggestion, or a partnership that ended, has no place in it.
    with db.unit_of_work(world["engine"]) as session:
        session.execute(update(Match).where(Match.id == zuilen).values(status="done"))
    assert ids("karim") == [str(lombok)]


def test_a_feed_holds_names_and_titles_never_contact_details(world):
    agreed_and_due(world)
    url = renew(world, "anja")
    text = feed_file(url).read_text(encoding="utf-8")
    assert "Buurthuis De Boog" in text
    for contact in ("karim@deboog.example", "030-2222222", "Karim", "anja@depan.example"):
        assert contact not in text


def test_the_agreed_and_follow_up_mails_carry_the_date_as_an_attachment(world):
    seen = agreed_and_due(world)  # everything before the addresses: the agreed mail comes next
    with db.unit_of_work(world["engine"]) as session:
        session.execute(update(Match).where(Match.id == seen.id).values(status="introduced"))
        for name, lang in (("anja", "nl"), ("karim", "en")):
            user = session.get(User, user_id(world, name))
            user.email, user.language = f"{name}@example.org", lang
    everything_direct(world)
    with db.unit_of_work(world["engine"]) as session:  # a mail without a date of its own
        notify.match_event(session, match_id=seen.id, event=notify.INTRODUCED, actor=None)
    with db.unit_of_work(world["engine"]) as session:
        session.execute(update(Match).where(Match.id == seen.id).values(status="agreed"))
        notify.match_event(session, match_id=seen.id, event=notify.AGREED, actor=None)
    with db.unit_of_work(world["engine"]) as session:
        notify.periodic(session, now=utcnow())  # the follow-up question, due today

    with Session(world["engine"]) as session:
        mails = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    by = {(m.kind, m.to_address): m for m in mails}
    summaries = {"anja@example.org": f"Is het gelukt? {NEED} met Buurthuis De Boog",
                 "karim@example.org": f"Did it work out? {NEED} with Buurtkeuken De Pan"}  # fmt: skip
    for kind in ("agreed", "follow_up_due"):
        for address, summary in summaries.items():
            files = [a for a in by[(kind, address)].attachments if "filename" in a]
            assert [(f["filename"], f["content_type"]) for f in files] == [
                ("samenspel.ics", "text/calendar")]  # fmt: skip
            whole = Calendar.from_ical(files[0]["text"])
            assert str(whole["METHOD"]) == "PUBLISH"
            (event,) = whole.walk("VEVENT")
            assert str(event["UID"]) == f"match-{seen.id}-followup@samenspel"
            assert event.decoded("DTSTART") == seen.follow_up_on
            assert str(event["SUMMARY"]) == summary
    # Other mails have no calendar in them.
    others = [m for m in mails if m.kind not in calendar.ATTACHED_KINDS]
    assert {m.kind for m in others} == {"introduction"}
    assert all("filename" not in a for m in others for a in m.attachments)


def test_renewing_makes_a_new_file_and_the_old_url_stops(world):
    agreed_and_due(world)
    with Session(world["engine"]) as session:
        assert calendar.feed_url(session, actor=world["actors"]["anja"]) is None
    first = renew(world, "anja")
    assert feed_file(first).is_file()
    (event,) = vevents(feed_file(first).read_text(encoding="utf-8"))
    assert str(event["SUMMARY"]) == f"Is het gelukt? {NEED} met Buurthuis De Boog"
    second = renew(world, "anja")
    assert second != first and feed_file(second).is_file()
    assert not feed_file(first).exists()
    assert sorted(p.name for p in calendar.FEED_DIR.iterdir()) == [feed_file(second).name]
    with Session(world["engine"]) as session:
        assert calendar.feed_url(session, actor=world["actors"]["anja"]) == second
        stored = session.get(User, user_id(world, "anja")).calendar_token_hash
    # The database holds the hash of the secret, not the secret.
    secret = feed_file(second).stem
    assert stored == hashlib.sha256(secret.encode()).hexdigest() and secret not in stored


def test_a_renewal_that_rolls_back_leaves_the_old_feed_as_it_was(world):
    agreed_and_due(world)
    first = renew(world, "anja")
    with pytest.raises(RuntimeError), db.unit_of_work(world["engine"]) as session:
        calendar.renew_feed(session, actor=world["actors"]["anja"])
        raise RuntimeError("something after it failed")
    assert [p.name for p in calendar.FEED_DIR.iterdir()] == [feed_file(first).name]
    with Session(world["engine"]) as session:
        assert calendar.feed_url(session, actor=world["actors"]["anja"]) == first


def test_two_renewals_from_what_each_saw_one_wins_the_other_is_told(world):
    first = renew(world, "anja")
    with Session(world["engine"], expire_on_commit=False) as stale:
        seen = stale.get(User, user_id(world, "anja"))  # this tab read the feed as it was
        assert seen.calendar_token_hash == calendar._hash(feed_file(first).stem)
        stale.commit()
        winner = renew(world, "anja")  # another tab renewed meanwhile
        with pytest.raises(Conflict) as told:
            calendar.renew_feed(stale, actor=world["actors"]["anja"])
        stale.rollback()
    assert "ander venster" in str(told.value)
    assert not feed_file(first).exists() and feed_file(winner).is_file()


def test_refresh_follows_a_changed_date_and_removes_a_disabled_persons_feed(world):
    seen = agreed_and_due(world)
    anja, karim = renew(world, "anja"), renew(world, "karim")
    assert refresh(world) == {"feeds_written": 0, "feeds_removed": 0}  # nothing changed
    later = seen.follow_up_on + timedelta(days=14)
    with db.unit_of_work(world["engine"]) as session:
        session.execute(update(Match).where(Match.id == seen.id).values(
            follow_up_on=later, version=Match.version + 1, updated_at=utcnow()))  # fmt: skip
    assert refresh(world) == {"feeds_written": 2, "feeds_removed": 0}
    for url in (anja, karim):
        (event,) = vevents(feed_file(url).read_text(encoding="utf-8"))
        assert event.decoded("DTSTART") == later
    assert refresh(world) == {"feeds_written": 0, "feeds_removed": 0}
    # A disabled person's feed goes at once, not only when it changes.
    with db.unit_of_work(world["engine"]) as session:
        session.get(User, user_id(world, "karim")).is_active = False
    assert refresh(world) == {"feeds_written": 0, "feeds_removed": 1}
    assert not feed_file(karim).exists() and feed_file(anja).is_file()


def test_the_periodic_job_refreshes_the_feeds(world):
    seen = agreed_and_due(world)
    url = renew(world, "anja")
    with db.unit_of_work(world["engine"]) as session:
        session.execute(update(Match).where(Match.id == seen.id).values(status="done"))
    with db.unit_of_work(world["engine"]) as session:
        done = notify.periodic(session, now=utcnow())
    assert done["feeds_written"] == 1
    assert vevents(feed_file(url).read_text(encoding="utf-8")) == []
