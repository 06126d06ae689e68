"""A conversation per introduction (services/conversations.py): the two sides and the area's
broker read and write, nobody else; only while the introduction is under way (history stays
readable); the other side hears of each message in the app and by mail as they chose; a side
reports a message of the other side once; the daily limit; empty or too long is refused and
nothing is stored. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from samenspel.services import conversations, limits, matches, notify, partnerships
from samenspel.services.errors import Conflict, InvalidInput, NotAllowed
from samenspel.storage import db
from samenspel.storage.models import (
    AuditEvent,
    ConversationMessage,
    Notification,
    OutboxMessage,
    User,
)
from tests.integration.conftest import TODAY
from tests.integration.test_flows import act, post_kitchen_need_and_hall, suggestion_for


@pytest.fixture(autouse=True)
def settings_for_mail(monkeypatch):
    monkeypatch.setenv("SAMENSPEL_BASE_URL", "https://samenspel.example.nl")
    monkeypatch.setenv("SAMENSPEL_SECRET_KEY", "a key for these tests only")


def introduced(world):
    """De Pan's kitchen need and De Boog's hall, introduced by Sanne (broker of Lombok)."""
    need_id, hall_id = post_kitchen_need_and_hall(world)
    match = suggestion_for(world, need_id, hall_id)
    return act(world, matches.introduce, actor=world["actors"]["sanne"], match_id=match.id,
               seen_version=match.version, today=TODAY)  # fmt: skip


def say(world, name: str, match_id: int, body: str):
    return act(world, conversations.write, actor=world["actors"][name], match_id=match_id,
               body=body)  # fmt: skip


def read(world, name: str, match_id: int) -> list[conversations.Message]:
    return act(world, conversations.read, actor=world["actors"][name], match_id=match_id)


def stored(world) -> list[ConversationMessage]:
    with Session(world["engine"]) as session:
        return list(session.exec(select(ConversationMessage).order_by(ConversationMessage.id)))


def notes(world, name: str, kind: str) -> list[Notification]:
    with Session(world["engine"]) as session:
        return list(
            session.exec(
                select(Notification)
                .where(Notification.user_id == world["actors"][name].user_id)
                .where(Notification.kind == kind)
                .order_by(Notification.id)
            )
        )


def mails(world, name: str) -> list[OutboxMessage]:
    with Session(world["engine"]) as session:
        return list(
            session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.user_id == world["actors"][name].user_id)
                .order_by(OutboxMessage.id)
            )
        )


def address(world, **emails: str) -> None:
    with db.unit_of_work(world["engine"]) as session:
        for name, email in emails.items():
            session.get(User, world["actors"][name].user_id).email = email


def test_both_sides_and_their_broker_talk_and_nobody_else_reads_or_writes(world):
    match = introduced(world)
    say(world, "anja", match.id, "Hoi! Kunnen we dinsdag komen kijken?")
    say(world, "karim", match.id, "Ja hoor, om acht uur.")
    say(world, "sanne", match.id, "Fijn dat het zo snel gaat.")
    say(world, "admin", match.id, "Ik kijk ook even mee.")

    for name in ("anja", "karim", "sanne", "ahmed", "admin"):
        lines = [(m.author, m.body) for m in read(world, name, match.id)]
        assert lines == [
            ("Buurtkeuken De Pan", "Hoi! Kunnen we dinsdag komen kijken?"),
            ("Buurthuis De Boog", "Ja hoor, om acht uur."),
            ("buurtmakelaar Sanne", "Fijn dat het zo snel gaat."),
            ("beheerder Beheer", "Ik kijk ook even mee."),
        ], name
    own = [m.own for m in read(world, "karim", match.id)]
    assert own == [False, True, False, False]

    # The broker of another neighbourhood and another initiative: neither reads nor writes.
    for name in ("noord", "zuilen"):
        with pytest.raises(NotAllowed, match="alleen voor de twee organisaties"):
            read(world, name, match.id)
        with pytest.raises(NotAllowed, match="alleen voor de twee organisaties"):
            say(world, name, match.id, "Mag ik ook iets zeggen?")
    assert len(stored(world)) == 4
    # Their summaries leave the match out; the sides and the broker see the count.
    assert act(world, conversations.summaries, actor=world["actors"]["noord"],
               match_ids=[match.id]) == {}  # fmt: skip
    for name in ("anja", "karim", "sanne"):
        summary = act(world, conversations.summaries, actor=world["actors"][name],
                      match_ids=[match.id])  # fmt: skip
        assert summary == {match.id: conversations.Summary(4, 0)}


def test_an_author_is_never_shown_by_an_address(world):
    """A signed-up broker's username is an e-mail address; it never shows."""
    match = introduced(world)
    with db.unit_of_work(world["engine"]) as session:
        sanne = session.get(User, world["actors"]["sanne"].user_id)
        sanne.display_name, sanne.username = "", "sanne@gemeente.example"
    say(world, "sanne", match.id, "Hallo allebei.")
    (message,) = read(world, "anja", match.id)
    assert message.author == "de buurtmakelaar"


def test_talking_is_for_introductions_under_way_and_history_stays_readable(world):
    need_id, hall_id = post_kitchen_need_and_hall(world)
    suggestion = suggestion_for(world, need_id, hall_id)
    with pytest.raises(NotAllowed, match="als de buurtmakelaar jullie aan elkaar"):
        say(world, "anja", suggestion.id, "Zullen we alvast praten?")
    match = act(world, matches.introduce, actor=world["actors"]["sanne"],
                match_id=suggestion.id, seen_version=suggestion.version, today=TODAY)  # fmt: skip
    say(world, "anja", match.id, "Voorgesteld: hallo!")
    for name in ("anja", "karim"):
        match = act(world, matches.respond, actor=world["actors"][name], match_id=match.id,
                    seen_version=match.version, accept=True)  # fmt: skip
    assert match.status == "agreed"
    say(world, "karim", match.id, "Allebei ja: welkom.")
    match = act(world, matches.start, actor=world["actors"]["anja"], match_id=match.id,
                seen_version=match.version)  # fmt: skip
    assert match.status == "active"
    say(world, "sanne", match.id, "Hoe gaat het?")
    match = act(world, partnerships.follow_up, actor=world["actors"]["karim"],
                match_id=match.id, seen_version=match.version, outcome=partnerships.FAILED,
                today=TODAY)  # fmt: skip
    assert match.status == "declined"

    with pytest.raises(Conflict, match="afgesloten") as refused:
        say(world, "anja", match.id, "Jammer!")
    assert refused.value.status == "declined"
    assert [m.body for m in stored(world)] == [
        "Voorgesteld: hallo!",
        "Allebei ja: welkom.",
        "Hoe gaat het?",
    ]
    assert [m.body for m in read(world, "anja", match.id)][-1] == "Hoe gaat het?"


def test_the_other_side_hears_of_a_message_in_the_app_and_by_mail(world):
    match = introduced(world)
    address(world, karim="karim@example.org", sanne="sanne@example.org")
    body = "<b>Hallo</b> & *welkom* [klik](javascript:alert(1))\n" + "x" * 300
    say(world, "anja", match.id, body)

    (note,) = notes(world, "karim", "message")
    assert note.params["other"] == "Buurtkeuken De Pan"
    assert note.params["match_id"] == match.id
    assert note.params["preview"] == body[: conversations.PREVIEW_MAX] + "…"
    (mail,) = mails(world, "karim")
    assert mail.kind == "message"
    assert mail.subject.startswith("Nieuw bericht van Buurtkeuken De Pan")
    assert "<b>Hallo</b> & *welkom*" in mail.body_text
    assert "&lt;b&gt;Hallo&lt;/b&gt; &amp; *welkom*" in mail.body_html
    assert "<b>Hallo" not in mail.body_html and 'href="javascript' not in mail.body_html
    assert "https://samenspel.example.nl/partnerships" in mail.body_text
    # Not the writer, not her own organisation, and no broker who has not joined in.
    for name in ("anja", "sanne", "ahmed"):
        assert notes(world, name, "message") == []

    # A person without an address hears of it in the app only.
    say(world, "karim", match.id, "Dank je!")
    assert len(notes(world, "anja", "message")) == 1 and mails(world, "anja") == []

    # The broker writes: both sides hear of it; from then on the broker hears of replies.
    say(world, "sanne", match.id, "Ik help graag mee.")
    assert len(notes(world, "anja", "message")) == 2
    assert notes(world, "karim", "message")[-1].params["other"] == "buurtmakelaar Sanne"
    say(world, "anja", match.id, "Top.")
    assert [n.params["preview"] for n in notes(world, "sanne", "message")] == ["Top."]
    assert notes(world, "ahmed", "message") == []
    assert [m.kind for m in mails(world, "sanne")] == ["message"]

    # Karim wants no mail about messages: the app still tells him.
    with db.unit_of_work(world["engine"]) as session:
        notify.save_preferences(session, actor=world["actors"]["karim"],
                                email="karim@example.org",
                                frequencies={"message": notify.NEVER})  # fmt: skip
    say(world, "anja", match.id, "Nog één ding.")
    assert len(notes(world, "karim", "message")) == 4
    assert len(mails(world, "karim")) == 3  # not for the last one


def test_a_side_reports_a_message_of_the_other_side_once(world):
    match = introduced(world)
    say(world, "karim", match.id, "Bel me maar op 06-12345678, dan regelen we het zwart.")
    say(world, "anja", match.id, "Liever niet zo.")
    theirs, ours = (m.id for m in read(world, "anja", match.id))
    assert [m.can_report for m in read(world, "anja", match.id)] == [True, False]
    assert [m.can_report for m in read(world, "karim", match.id)] == [False, True]
    assert not any(m.can_report for m in read(world, "sanne", match.id))

    act(world, conversations.report, actor=world["actors"]["anja"], message_id=theirs,
        reason="Dit voelt niet goed")  # fmt: skip

    for name in ("sanne", "ahmed"):  # both brokers of Lombok
        (note,) = notes(world, name, "message_reported")
        assert note.params["reporter"] == "Buurtkeuken De Pan"
        assert note.params["reason"] == "Dit voelt niet goed"
        assert note.params["preview"].startswith("Bel me maar")
    assert notes(world, "noord", "message_reported") == []
    # The broker and the side that reported see it marked; the author's side does not.
    assert [m.reported for m in read(world, "sanne", match.id)] == [True, False]
    assert [m.reported for m in read(world, "anja", match.id)] == [True, False]
    assert [m.reported for m in read(world, "karim", match.id)] == [False, False]
    assert not read(world, "anja", match.id)[0].can_report
    summary = act(world, conversations.summaries, actor=world["actors"]["sanne"],
                  match_ids=[match.id])  # fmt: skip
    assert summary[match.id] == conversations.Summary(2, 1)

    with pytest.raises(Conflict, match="al gemeld"):
        act(world, conversations.report, actor=world["actors"]["anja"], message_id=theirs)
    with pytest.raises(NotAllowed, match="van de andere organisatie"):
        act(world, conversations.report, actor=world["actors"]["anja"], message_id=ours)
    with pytest.raises(NotAllowed, match="Alleen de twee organisaties"):
        act(world, conversations.report, actor=world["actors"]["sanne"], message_id=ours)
    with pytest.raises(NotAllowed):
        act(world, conversations.report, actor=world["actors"]["noord"], message_id=ours)
    assert len(notes(world, "sanne", "message_reported")) == 1
    with Session(world["engine"]) as session:
        first = session.get(ConversationMessage, theirs)
        assert first.reported_by_id == world["actors"]["anja"].user_id
        assert session.get(ConversationMessage, ours).reported_at is None
        reports = session.exec(
            select(func.count()).where(AuditEvent.action == "message_reported")
        ).one()
    assert reports == 1


def test_empty_or_too_long_is_refused_in_dutch_and_nothing_is_stored(world):
    match = introduced(world)
    for empty in ("", "   \n\t ", "\x00\x07\x1b"):
        with pytest.raises(InvalidInput) as refused:
            say(world, "anja", match.id, empty)
        assert refused.value.field_errors == {"body": "Schrijf eerst een bericht."}
    with pytest.raises(InvalidInput) as refused:
        say(world, "anja", match.id, "a" * (conversations.BODY_MAX + 1))
    assert refused.value.field_errors["body"] == (
        "Een bericht mag hoogstens 2000 tekens hebben. Dit bericht heeft er 2001."
    )
    assert stored(world) == [] and notes(world, "karim", "message") == []

    say(world, "anja", match.id, "  Hoi\x00 daar\r\nTot dinsdag  ")
    say(world, "anja", match.id, "b" * conversations.BODY_MAX)
    assert [m.body for m in stored(world)] == ["Hoi daar\nTot dinsdag", "b" * 2000]


def test_a_daily_limit_per_account(world):
    match = introduced(world)
    allowed = limits.QUOTAS["message"].per_user[0]
    with db.unit_of_work(world["engine"]) as session:
        for n in range(allowed):
            conversations.write(session=session, actor=world["actors"]["anja"],
                                match_id=match.id, body=f"bericht {n}")  # fmt: skip
    with pytest.raises(NotAllowed, match=f"grens van {allowed} per dag"):
        say(world, "anja", match.id, "nog eentje")
    assert len(stored(world)) == allowed
    say(world, "karim", match.id, "Ik mag nog wel.")  # the limit is per account
