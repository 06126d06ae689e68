"""People hear what is new: every kind of notification, mailed through a real SMTP server
(aiosmtpd, tests/smtp_server.py) by the worker's own send_due and read as it arrived, in Dutch
and English, with links that work; nothing for a change that rolls back; each person's choice
(direct, daily, weekly, never) respected; the one-click links used once only; and
`samenspel digest --now` on a demo database. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, update
from sqlmodel import Session, select

from samenspel.services import links, mail_worker, matches, notify, posts, suggestions
from samenspel.services.errors import InvalidInput, NotAllowed
from samenspel.storage import db
from samenspel.storage.models import (
    Match,
    Notification,
    NotificationSetting,
    Organisation,
    OutboxMessage,
    User,
    utcnow,
)
from samenspel.storage.seed import seed_demo
from tests.conftest import ROOT
from tests.integration.conftest import TODAY
from tests.integration.test_flows import act, post_kitchen_need_and_hall, suggestion_for
from tests.smtp_server import smtp_server

BASE = "https://samenspel.example.nl"
NEED = "We zoeken een plek om op dinsdagavond samen te koken"
HALL = "Multifunctionele ruimte met ingerichte keuken"
PARTNER = "Buurthuis De Boog & <Co>"  # user text with markup characters, escaped in the HTML

ALL_KINDS = notify.KINDS_FOR["initiative"] + ("fitting_need",)


@pytest.fixture(autouse=True)
def settings_for_mail(monkeypatch):
    monkeypatch.setenv("SAMENSPEL_BASE_URL", BASE)
    monkeypatch.setenv("SAMENSPEL_SECRET_KEY", "a key for these tests only")


@pytest.fixture
def server(monkeypatch):
    with smtp_server() as running:
        monkeypatch.setenv("SAMENSPEL_SMTP_URL", running.url())
        yield running


def people(world, *, anja="nl", karim="en", sanne="nl") -> None:
    """Addresses and languages; De Boog's name with characters HTML must escape."""
    with db.unit_of_work(world["engine"]) as session:
        for name, lang in (("anja", anja), ("karim", karim), ("sanne", sanne)):
            user = session.exec(select(User).where(User.username == name)).one()
            user.email, user.language = f"{name}@example.org", lang
        session.get(Organisation, world["boog"]).name = PARTNER


def choose(world, name: str, **chosen: str) -> None:
    with db.unit_of_work(world["engine"]) as session:
        mine = notify.preferences(session, actor=world["actors"][name])
        notify.save_preferences(session, actor=world["actors"][name], email=mine.email,
                                frequencies=chosen)  # fmt: skip


def everything_direct(world) -> None:
    sides = {"anja": "initiative", "karim": "partner"}
    for name, role in sides.items():
        choose(world, name, **dict.fromkeys(notify.KINDS_FOR[role], notify.DIRECT))


def send(world) -> mail_worker.Delivered:
    return mail_worker.send_due(world["engine"])


def to(server, address: str) -> dict[str, object]:
    """The mails that reached `address`, by subject."""
    return {m.message["Subject"]: m for m in server.inbox.mails if address in m.rcpt_tos}


def link_in(text: str, purpose: str, answer: str | None = None) -> str:
    """A link of `purpose` from a mail's text (for follow_up: the one with `answer`)."""
    for url in re.findall(r"https://\S+", text):
        query = parse_qs(urlsplit(url).query)
        if query.get("do") == [purpose] and (
            answer is None or links.read_token(query["token"][0], purpose)["answer"] == answer
        ):
            assert url.startswith(f"{BASE}/mail_link?token=")
            return url
    raise AssertionError(f"no {purpose} link in:\n{text}")


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def notes(world, name: str, kind: str | None = None) -> list[Notification]:
    with Session(world["engine"]) as session:
        user_id = world["actors"][name].user_id
        query = select(Notification).where(Notification.user_id == user_id)
        if kind:
            query = query.where(Notification.kind == kind)
        return list(session.exec(query.order_by(Notification.id)))


def outbox_count(world) -> int:
    with Session(world["engine"]) as session:
        return session.exec(select(func.count()).select_from(OutboxMessage)).one()


def second_hall(world) -> int:
    return act(world, posts.create_offer, actor=world["actors"]["karim"],
               organisation_id=world["boog"], today=TODAY,
               form=posts.PostForm(kind="venue", title="Grote zaal met keuken", people=60,
                                   kitchen=True, when="di avond", distance_km=3)).id  # fmt: skip


def introduce(world, match: Match, today: date = TODAY) -> Match:
    return act(world, matches.introduce, actor=world["actors"]["sanne"], match_id=match.id,
               seen_version=match.version, today=today)  # fmt: skip


def say_yes(world, name: str, match: Match) -> Match:
    return act(world, matches.respond, actor=world["actors"][name], match_id=match.id,
               seen_version=match.version, accept=True)  # fmt: skip


def agreed_and_due(world) -> Match:
    """De Pan and De Boog agreed, their follow-up question due today."""
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = introduce(world, suggestion_for(world, need_id, hall_id),
                     today=date.today() - timedelta(days=matches.FOLLOW_UP_DAYS))  # fmt: skip
    seen = say_yes(world, "karim", say_yes(world, "anja", seen))
    assert seen.status == "agreed" and seen.follow_up_on == date.today()
    return seen


def periodic(world, now: datetime | None = None, force: bool = False) -> dict[str, int]:
    with db.unit_of_work(world["engine"]) as session:
        return notify.periodic(session, now=now or utcnow(), force=force)


def morning(days: int = 0) -> datetime:
    """08:00 UTC today (or `days` on): after the hour digests go out."""
    return utcnow().replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=days)


# Per kind: a word of its subject in Dutch and in English.
SUBJECTS = {
    "new_suggestion": ("Nieuwe suggestie voor", "New suggestion for"),
    "fitting_need": ("Een vraag die past bij", "A need that fits"),
    "other_side_asked": ("wil kennismaken", "would like to meet you"),
    "other_side_yes": ("zegt ja", "says yes"),
    "introduction": ("Kennismaken met", "Meet "),
    "agreed": ("zeggen allebei ja", "both say yes"),
    "follow_up_due": ("Is het gelukt met", "Did it work out with"),
    "broker_digest": ("Overzicht van jouw buurten", "Overview of your neighbourhoods"),
}
GREETING = {"nl": "Hallo ", "en": "Hello "}
STOP = {"nl": "Geen mails meer hierover?", "en": "No more mails about this?"}


@pytest.mark.parametrize(("initiative", "partner"), [("nl", "en"), ("en", "nl")])
def test_every_kind_arrives_in_the_readers_language_with_links_that_work(
    world, server, initiative, partner
):
    people(world, anja=initiative, karim=partner, sanne=initiative)
    everything_direct(world)
    need_id, hall_id = post_kitchen_need_and_hall(world)  # new_suggestion, fitting_need
    other_hall = second_hall(world)  # fitting_need (the need's people heard of it today)
    act(world, matches.ask_for_introduction, actor=world["actors"]["karim"],
        match_id=suggestion_for(world, need_id, other_hall).id, today=TODAY)  # fmt: skip
    seen = introduce(world, suggestion_for(world, need_id, hall_id),
                     today=date.today() - timedelta(days=matches.FOLLOW_UP_DAYS))  # fmt: skip
    seen = say_yes(world, "karim", seen)  # other_side_yes for De Pan
    seen = say_yes(world, "anja", seen)  # agreed, for De Boog (Anja said it herself)
    made = periodic(world)  # on a Monday morning this makes Sanne's weekly summary too
    assert made["follow_ups"] == 2  # follow_up_due for both sides, due today
    with db.unit_of_work(world["engine"]) as session:
        forced = notify.digests(session, now=utcnow(), force=True)["broker_digests"]
    assert made["broker_digests"] + forced == 2  # Sanne and Ahmed (in the app only)

    assert send(world).sent == 11
    expected = {
        "anja@example.org": (initiative, ["new_suggestion", "other_side_asked", "introduction",
                                          "other_side_yes", "follow_up_due"]),
        "karim@example.org": (partner, ["fitting_need", "fitting_need", "introduction",
                                        "agreed", "follow_up_due"]),
        "sanne@example.org": (initiative, ["broker_digest"]),
    }  # fmt: skip
    for address, (lang, kinds) in expected.items():
        arrived = [m for m in server.inbox.mails if m.rcpt_tos == [address]]
        subjects = sorted(str(m.message["Subject"]) for m in arrived)
        assert len(arrived) == len(kinds)
        for kind in set(kinds):  # each kind's subject in the reader's language
            index = 0 if lang == "nl" else 1
            assert sum(SUBJECTS[kind][index] in s for s in subjects) == kinds.count(kind), subjects
        for mail in arrived:
            assert mail.message["Content-Language"] == lang
            assert mail.text.startswith(GREETING[lang])
            assert STOP[lang] in mail.text
            assert mail.message["List-Unsubscribe"]
            link_in(mail.text, "unsubscribe")
            # User text is text: escaped in the HTML, never markup.
            assert "<Co>" not in mail.html
            if PARTNER in mail.text:
                assert "Buurthuis De Boog &amp; &lt;Co&gt;" in mail.html

    # The words of the mails: titles and names, and the page to go to.
    (introduction,) = [m for s, m in to(server, "karim@example.org").items()
                       if SUBJECTS["introduction"][partner == "en"] in s]  # fmt: skip
    assert NEED in introduction.text and HALL in introduction.text
    assert "Buurtkeuken De Pan" in introduction.text and f"{BASE}/mine" in introduction.text
    (digest,) = to(server, "sanne@example.org").values()
    assert "Grote zaal met keuken" in digest.text  # De Boog asked: waiting for the broker
    assert NEED in digest.text
    assert f"{BASE}/review" in digest.text

    # One click on "ja" in Anja's follow-up: the partnership runs, asked again in four weeks.
    (follow_up,) = [m for s, m in to(server, "anja@example.org").items()
                    if SUBJECTS["follow_up_due"][initiative == "en"] in s]  # fmt: skip
    assert "<a href=" in follow_up.html
    yes = link_in(follow_up.text, "follow_up", "ja")
    with db.unit_of_work(world["engine"]) as session:
        assert notify.answer_follow_up(session, actor=world["actors"]["zuilen"],
                                       token=token_of(yes)) == "ja"  # fmt: skip
    with Session(world["engine"]) as session:
        running = session.get(Match, seen.id)
        assert running.status == "active"
        assert running.follow_up_on == date.today() + timedelta(weeks=4)

    # One click on the unsubscribe link of Karim's introduction: no more of those by mail.
    stop = link_in(introduction.text, "unsubscribe")
    with db.unit_of_work(world["engine"]) as session:
        assert notify.unsubscribe(session, actor=world["actors"]["zuilen"],
                                  token=token_of(stop)) == ["introduction"]  # fmt: skip
    with Session(world["engine"]) as session:
        assert notify.frequencies(session, world["actors"]["karim"].user_id,
                                  ["introduction", "agreed"]) == {
            "introduction": "never", "agreed": "direct"}  # fmt: skip


def test_an_introduction_whose_unit_of_work_rolls_back_tells_and_mails_nobody(world, server):
    people(world)
    everything_direct(world)
    need_id, hall_id = post_kitchen_need_and_hall(world)
    send(world)
    before = len(server.inbox.mails)
    match = suggestion_for(world, need_id, hall_id)
    with pytest.raises(RuntimeError), db.unit_of_work(world["engine"]) as session:
        matches.introduce(session=session, actor=world["actors"]["sanne"], match_id=match.id,
                          seen_version=match.version, today=TODAY)  # fmt: skip
        queued = session.exec(select(func.count()).select_from(OutboxMessage)).one()
        assert queued == before + 2  # both sides' mails were queued, inside this unit of work
        raise RuntimeError("something after the introduction failed")
    assert notes(world, "anja", "introduction") == notes(world, "karim", "introduction") == []
    assert outbox_count(world) == before
    assert send(world) == 0
    assert len(server.inbox.mails) == before

    introduce(world, match)  # committed: now they hear of it
    assert send(world).sent == 2


def test_never_mails_nothing_and_daily_only_in_one_digest_a_day(world, server):
    people(world)
    choose(world, "anja", introduction="daily", new_suggestion="never")
    choose(world, "karim", introduction="never", fitting_need="never")
    need_id, hall_id = post_kitchen_need_and_hall(world)
    introduce(world, suggestion_for(world, need_id, hall_id))
    assert outbox_count(world) == 0  # nothing direct
    # In the app all the same.
    assert [n.kind for n in notes(world, "anja")] == ["new_suggestion", "introduction"]
    assert [n.kind for n in notes(world, "karim")] == ["fitting_need", "introduction"]

    assert periodic(world, morning().replace(hour=6))["digests"] == 0  # before the hour
    assert periodic(world, morning())["digests"] == 1
    assert periodic(world, morning())["digests"] == 0  # once a day
    assert send(world).sent == 1
    (digest,) = server.inbox.mails
    assert digest.rcpt_tos == ["anja@example.org"]
    assert digest.message["Subject"] == "Nieuw voor jullie in Samenspel (1)"
    assert f"Kennismaken met {PARTNER}" in digest.text  # the introduction, not the "never"
    assert "Nieuwe suggestie" not in digest.text
    assert f"{BASE}/mine" in digest.text
    # Its unsubscribe link stops the kinds it bundled.
    with db.unit_of_work(world["engine"]) as session:
        kinds = notify.unsubscribe(session, actor=world["actors"]["zuilen"],
                                   token=token_of(link_in(digest.text, "unsubscribe")))  # fmt: skip
    assert kinds == ["introduction"]
    (introduction,) = notes(world, "anja", "introduction")
    assert introduction.mailed_at is not None
    (suggested,) = notes(world, "anja", "new_suggestion")
    assert suggested.mailed_at is None  # never: in the app only


def test_weekly_waits_for_monday_and_bundles_the_week(world, server):
    people(world)
    choose(world, "anja", introduction="weekly", new_suggestion="weekly")
    choose(world, "karim", fitting_need="never", introduction="never")
    need_id, hall_id = post_kitchen_need_and_hall(world)
    introduce(world, suggestion_for(world, need_id, hall_id))
    monday = next(morning(d) for d in range(1, 8) if morning(d).weekday() == 0)
    not_monday = monday - timedelta(days=1)
    assert periodic(world, not_monday)["digests"] == 0
    assert periodic(world, monday)["digests"] == 1
    assert periodic(world, monday + timedelta(hours=3))["digests"] == 0
    send(world)
    (digest,) = to(server, "anja@example.org").values()
    assert digest.message["Subject"] == "Nieuw voor jullie in Samenspel (2)"
    assert "Nieuwe suggestie voor" in digest.text and "Kennismaken met" in digest.text


def test_a_refresh_that_stores_the_same_pairs_again_tells_nobody_and_a_post_once_a_day(world):
    need_id, _ = post_kitchen_need_and_hall(world)
    assert len(notes(world, "anja", "new_suggestion")) == 1
    assert len(notes(world, "karim", "fitting_need")) == 1
    with db.unit_of_work(world["engine"]) as session:
        suggestions.refresh_for_need(session, need_id, today=TODAY)
    assert len(notes(world, "anja", "new_suggestion")) == 1
    assert len(notes(world, "karim", "fitting_need")) == 1
    second_hall(world)  # a new pair for the same need, the same day
    assert len(notes(world, "anja", "new_suggestion")) == 1  # that need: once today
    assert len(notes(world, "karim", "fitting_need")) == 2  # a new offer of theirs: new post


def test_asking_and_offering_help_tell_the_other_side_only(world):
    need_id, hall_id = post_kitchen_need_and_hall(world)
    act(world, matches.ask_for_introduction, actor=world["actors"]["anja"],
        match_id=suggestion_for(world, need_id, hall_id).id, today=TODAY)  # fmt: skip
    (asked,) = notes(world, "karim", "other_side_asked")
    assert asked.params["other"] == "Buurtkeuken De Pan"
    assert asked.params["page"] == "help"
    assert notes(world, "anja", "other_side_asked") == []


def test_the_follow_up_question_comes_once_per_date(world):
    seen = agreed_and_due(world)
    assert periodic(world)["follow_ups"] == 2
    assert periodic(world)["follow_ups"] == 0
    (anja,) = notes(world, "anja", "follow_up_due")
    assert anja.params["match_id"] == seen.id and anja.params["on"] == date.today().isoformat()
    # Not yet due, or long overdue: no question by mail.
    with db.unit_of_work(world["engine"]) as session:
        session.execute(update(Match).where(Match.id == seen.id).values(
            follow_up_on=date.today() - timedelta(days=60)))  # fmt: skip
    assert periodic(world)["follow_ups"] == 0


def test_the_worker_runs_the_periodic_job_every_few_minutes_not_every_round(world, monkeypatch):
    monkeypatch.setattr(notify, "_last_periodic", {})
    agreed_and_due(world)
    rounds = [dict(mail_worker.run_round(world["engine"])) for _ in range(2)]
    assert [r["periodic_job"].get("follow_ups") for r in rounds] == [2, None]
    assert len(notes(world, "anja", "follow_up_due")) == 1


def follow_up_link(world, answer: str, who: str = "anja") -> str:
    seen = current(world)
    return token_of(notify.link_url("follow_up", match_id=seen.id, answer=answer,
                                    user_id=world["actors"][who].user_id,
                                    on=seen.follow_up_on.isoformat()))  # fmt: skip


def current(world) -> Match:
    with Session(world["engine"]) as session:
        return session.exec(select(Match).where(Match.status.in_(("agreed", "active",
                                                                  "declined")))).one()  # fmt: skip


def click(world, token: str) -> str:
    with db.unit_of_work(world["engine"]) as session:
        return notify.answer_follow_up(session, actor=world["actors"]["zuilen"], token=token)


@pytest.mark.parametrize(
    ("answer", "status", "next_days"),
    [("ja", "active", 28), ("nee", "declined", None), ("nog_niet", "agreed", 14)],
)
def test_each_one_click_answer_does_what_it_says_once(world, answer, status, next_days):
    agreed_and_due(world)
    mail = {a: follow_up_link(world, a) for a in notify.ANSWERS}  # the three links of one mail
    colleague_first = follow_up_link(world, "nee", who="karim")
    assert click(world, mail[answer]) == answer
    after = current(world)
    assert after.status == status
    if next_days:
        assert after.follow_up_on == date.today() + timedelta(days=next_days)
    # The same link again, or another answer of the same mail: used.
    for again in mail.values():
        with pytest.raises(InvalidInput) as refused:
            click(world, again)
        assert refused.value.field_errors == {"token": "Deze link is al gebruikt."}
    # The other side's link of that date: the question is no longer open.
    with pytest.raises(InvalidInput) as refused:
        click(world, colleague_first)
    assert refused.value.field_errors == {
        "token": "Deze vraag is al beantwoord. Kijk in Samenspel hoe het nu staat."
    }
    assert current(world).version == after.version


def test_a_tampered_expired_or_foreign_follow_up_link_is_refused_and_changes_nothing(world):
    seen = agreed_and_due(world)
    good = follow_up_link(world, "nee")
    tampered = good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb")
    real_time = time.time
    with pytest.MonkeyPatch.context() as patch:  # a link made 15 days ago
        patch.setattr(time, "time", lambda: real_time() - 15 * 24 * 3600)
        expired = follow_up_link(world, "nee")
    unsubscribe = token_of(notify.link_url("unsubscribe", user_id=1, kinds=["agreed"]))
    refusals = {
        tampered: "Deze link klopt niet. Gebruik de link uit de mail, helemaal.",
        expired: "Deze link is verlopen. Vraag een nieuwe aan.",
        unsubscribe: "Deze link klopt niet. Gebruik de link uit de mail, helemaal.",
    }
    for token, message in refusals.items():
        with pytest.raises(InvalidInput) as refused:
            click(world, token)
        assert refused.value.field_errors == {"token": message}
    # A person of neither side (a link made for someone else's partnership).
    with pytest.raises(NotAllowed):
        click(world, follow_up_link(world, "nee", who="zuilen"))
    after = current(world)
    assert (after.status, after.version) == ("agreed", seen.version)
    assert click(world, good) == "nee"  # the real one still works


def test_the_broker_summary_names_what_is_new_in_their_areas_only(world, server):
    people(world)
    with db.unit_of_work(world["engine"]) as session:
        noord = session.exec(select(User).where(User.username == "noord")).one()
        noord.email = "noord@example.org"
    need_id, hall_id = post_kitchen_need_and_hall(world)
    with db.unit_of_work(world["engine"]) as session:
        done = notify.digests(session, now=utcnow(), force=True)
    # Sanne and Ahmed (Lombok); Noord's Zuilen has nothing new, so no summary at all.
    assert done["broker_digests"] == 2
    with db.unit_of_work(world["engine"]) as session:  # and once per period
        assert notify.digests(session, now=utcnow(), force=True)["broker_digests"] == 0
    send(world)
    assert list(to(server, "noord@example.org")) == []
    (digest,) = to(server, "sanne@example.org").values()
    new_needs = digest.text.split("Nieuwe vragen:")[1].split("Gevraagd door")[0]
    assert NEED in new_needs
    assert "Taalcafé Zuilen" not in digest.text
    # Ahmed (Lombok, no address) sees it in the app only.
    (ahmed,) = notes(world, "ahmed", "broker_digest")
    assert ahmed.mailed_at is None and ahmed.params["count"] >= 1


def test_preferences_refuse_a_bad_address_or_choice_and_keep_the_rest(world):
    anja = world["actors"]["anja"]
    with db.unit_of_work(world["engine"]) as session:
        with pytest.raises(InvalidInput) as refused:
            notify.save_preferences(session, actor=anja, email="geen adres",
                                    frequencies={"introduction": "hourly", "digest": "daily"})  # fmt: skip
    assert set(refused.value.field_errors) == {"email", "introduction", "digest"}
    with db.unit_of_work(world["engine"]) as session:
        saved = notify.save_preferences(session, actor=anja, email=" anja@depan.example ",
                                        frequencies={"introduction": "weekly"})  # fmt: skip
    assert saved.email == "anja@depan.example"
    assert saved.frequencies["introduction"] == "weekly"
    assert saved.frequencies["agreed"] == "direct"  # the default
    with Session(world["engine"]) as session:
        assert session.exec(select(func.count()).select_from(NotificationSetting)).one() == 1


def test_the_app_lists_a_persons_notifications_and_marks_them_read(world):
    need_id, hall_id = post_kitchen_need_and_hall(world)
    introduce(world, suggestion_for(world, need_id, hall_id))
    anja = world["actors"]["anja"]
    with Session(world["engine"]) as session:
        lines = notify.recent(session, actor=anja)
    assert [line.text for line in lines] == [
        "Kennismaken met Buurthuis De Boog",
        f'Nieuwe suggestie voor "{NEED}"',
    ]
    assert not any(line.read for line in lines)
    with db.unit_of_work(world["engine"]) as session:
        assert notify.mark_read(session, actor=world["actors"]["karim"], ids=[lines[0].id]) == 0
        assert notify.mark_read(session, actor=anja, ids=[line.id for line in lines]) == 2
    with Session(world["engine"]) as session:
        assert all(line.read for line in notify.recent(session, actor=anja))


def test_digest_now_on_a_demo_database_mails_the_broker_a_need_just_imported(tmp_path):
    instance = tmp_path / "instance"
    env = {**os.environ, "SAMENSPEL_INSTANCE_DIR": str(instance), "SAMENSPEL_DEMO": "1",
           "SAMENSPEL_BASE_URL": BASE, "SAMENSPEL_SECRET_KEY": "a key for these tests only"}  # fmt: skip
    env.pop("SAMENSPEL_DATABASE_URL", None)
    engine = db.make_engine(f"sqlite:///{instance / 'samenspel.db'}")
    db.upgrade(engine)
    seed_demo(engine)
    with db.unit_of_work(engine) as session:
        broker = session.exec(select(User).where(User.username == "makelaar")).one()
        broker.email = "makelaar@example.org"
    engine.dispose()
    needs = tmp_path / "vragen.csv"
    needs.write_text(
        "id,initiative,legal_form,kind,title,description,themes,place,people,when,deadline\n"
        "N900,Buurtkeuken De Pan,informal,volunteers,Koks gezocht voor de kerstmaaltijd,"
        "Wie kookt mee op 24 december?,eten,Kanaleneiland,4,di avond,2027-06-01\n",
        encoding="utf-8",
    )

    def samenspel(*args: str, **extra: str) -> str:
        done = subprocess.run([sys.executable, "-m", "samenspel.cli", *args],
                              env={**env, **extra}, cwd=ROOT, capture_output=True, text=True,
                              timeout=180, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "1 nieuw" in samenspel("import", str(needs))
    assert "1 voor buurtmakelaars" in samenspel("digest", "--now")
    with smtp_server() as running:
        samenspel("worker", "--once", SAMENSPEL_SMTP_URL=running.url())
        (digest,) = running.inbox.wait_for(1)
    assert digest.rcpt_tos == ["makelaar@example.org"]
    assert digest.message["Subject"].startswith("Overzicht van jouw buurten (")
    assert "Koks gezocht voor de kerstmaaltijd" in digest.text
    assert f"{BASE}/review" in digest.text
    # Once a week: asking again now makes nothing new.
    assert "0 voor buurtmakelaars" in samenspel("digest", "--now")
