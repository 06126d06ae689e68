"""The iCalendar text (services/calendar.py ics): it parses back with the same all-day dates
and words, user text with a newline and "BEGIN:VEVENT" in it stays one escaped value, and feed
files are written whole, readable by the server, and found by the hash of their secret."""

from __future__ import annotations

import stat
from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from samenspel.services import calendar

STAMP = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def event(match_id: int, on: date, summary: str, **changes) -> calendar.CalendarEvent:
    values = dict(
        uid=f"match-{match_id}-followup@samenspel", summary=summary,
        description=f"Samenwerking {match_id}", on=on,
        url="https://samenspel.example.nl/partnerships", stamp=STAMP, sequence=3,
    )  # fmt: skip
    values.update(changes)
    return calendar.CalendarEvent(**values)


def parsed(text: str) -> list:
    return Calendar.from_ical(text).walk("VEVENT")


def test_events_parse_back_as_all_day_events_with_their_words():
    text = calendar.ics([
        event(1, date(2026, 12, 9), "Is het gelukt? Plek om te koken met De Boog"),
        event(2, date(2027, 1, 4), "Did it work out? A kitchen with De Boog"),
    ])  # fmt: skip
    whole = Calendar.from_ical(text)
    assert str(whole["PRODID"]) == calendar.PRODID and str(whole["VERSION"]) == "2.0"
    first, second = parsed(text)
    assert str(first["UID"]) == "match-1-followup@samenspel"
    assert str(first["SUMMARY"]) == "Is het gelukt? Plek om te koken met De Boog"
    assert str(second["SUMMARY"]) == "Did it work out? A kitchen with De Boog"
    # All-day: a DATE (not a time of day) and the day after as its end.
    assert first.decoded("DTSTART") == date(2026, 12, 9)
    assert not isinstance(first.decoded("DTSTART"), datetime)
    assert first.decoded("DTEND") == date(2026, 12, 10)
    assert first.decoded("DTSTAMP") == STAMP
    assert str(first["URL"]) == "https://samenspel.example.nl/partnerships"
    assert int(first["SEQUENCE"]) == 3


def test_an_attachment_says_publish_and_a_feed_does_not():
    assert str(Calendar.from_ical(calendar.ics([], method="PUBLISH"))["METHOD"]) == "PUBLISH"
    assert "METHOD" not in Calendar.from_ical(calendar.ics([]))


def test_user_text_that_tries_to_add_lines_stays_one_value():
    attack = 'Koken\r\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil\nSUMMARY:Gratis; "geld", hier\\'
    text = calendar.ics([event(7, date(2026, 12, 9), attack, description=attack)])
    lines = text.split("\r\n")
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    assert "UID:evil" not in lines and not any(line.startswith("SUMMARY:Gratis") for line in lines)
    (only,) = parsed(text)
    assert str(only["UID"]) == "match-7-followup@samenspel"
    # The value comes back as typed (a CRLF inside a value is a newline in iCalendar).
    assert str(only["SUMMARY"]) == attack.replace("\r\n", "\n")
    assert str(only["DESCRIPTION"]) == attack.replace("\r\n", "\n")


def test_a_long_title_is_folded_and_comes_back_whole():
    title = "Is het gelukt? " + "Een heel lange titel met ë en € " * 8
    text = calendar.ics([event(3, date(2026, 12, 9), title)])
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    assert str(parsed(text)[0]["SUMMARY"]) == title


def test_a_feed_file_is_written_whole_readable_by_the_server(tmp_path, monkeypatch):
    monkeypatch.setattr(calendar, "FEED_DIR", tmp_path / "static" / "calendar")
    path = calendar.FEED_DIR / f"{'a' * 43}.ics"
    calendar._write(path, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    calendar._write(path, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    assert path.read_bytes() == b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o755
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path, monkeypatch):
    monkeypatch.setattr(calendar, "FEED_DIR", tmp_path)
    path = tmp_path / f"{'b' * 43}.ics"
    calendar._write(path, "old")

    def broken(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(calendar.os, "replace", broken)
    with pytest.raises(OSError):
        calendar._write(path, "new")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_feed_files_are_found_by_the_hash_of_their_secret_only(tmp_path, monkeypatch):
    monkeypatch.setattr(calendar, "FEED_DIR", tmp_path)
    secret = "S" * 43
    for name in (f"{secret}.ics", ".x.tmp", "notes.txt", "short.ics"):
        (tmp_path / name).write_text("x")
    assert calendar._feed_files() == {calendar._hash(secret): tmp_path / f"{secret}.ics"}
    monkeypatch.setattr(calendar, "FEED_DIR", tmp_path / "none")
    assert calendar._feed_files() == {}
