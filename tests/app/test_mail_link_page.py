"""The page behind the links in notification mails (BASE_URL/mail_link?token=...&do=...), as
someone opens it from their mailbox, logged in or not: "Is het gelukt?" answered in one click,
"no more mail about this" in one click; a tampered, used or expired link is refused with a
clear Dutch message and changes nothing."""

from __future__ import annotations

import time
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from samenspel.services import notify
from samenspel.storage import db
from samenspel.storage.models import Match, Need, NotificationSetting, Offer, User
from tests.app.conftest import log_in, shown
from tests.conftest import APP

PAGE = "samenspel/web/views/mail_link.py"
USED = "Deze link is al gebruikt."
WRONG = "Deze link klopt niet. Gebruik de link uit de mail, helemaal."
EXPIRED = "Deze link is verlopen. Vraag een nieuwe aan."
NOTHING_CHANGED = "Er is niets veranderd. In Samenspel kun je alles zelf bekijken en regelen."


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("SAMENSPEL_SECRET_KEY", "a key for these tests only")


def engine():
    return db.engine_for(db.settings.database_url())


def partnership(demo_users) -> Match:
    """The demo initiative and the demo partner agreed, their follow-up question due today."""
    with db.unit_of_work(engine()) as session:
        pan = session.get(User, demo_users["initiatief"]).organisation_id
        kade = session.get(User, demo_users["partner"]).organisation_id
        match = session.exec(
            select(Match)
            .join(Need, Match.need_id == Need.id)
            .join(Offer, Match.offer_id == Offer.id)
            .where(Need.organisation_id == pan, Offer.organisation_id == kade)
        ).first()
        session.execute(update(Match).where(Match.id == match.id).values(
            status="agreed", initiative_agreed=True, partner_agreed=True,
            follow_up_on=date.today()))  # fmt: skip
        return session.get(Match, match.id, populate_existing=True)


def current(match_id: int) -> Match:
    with Session(engine()) as session:
        return session.get(Match, match_id)


def link(purpose: str, **data) -> dict[str, str]:
    """The query of a link as a mail has it."""
    query = parse_qs(urlsplit(notify.link_url(purpose, **data)).query)
    return {name: values[0] for name, values in query.items()}


def answer_link(match: Match, user_id: int, answer: str) -> dict[str, str]:
    return link("follow_up", match_id=match.id, user_id=user_id, answer=answer,
                on=match.follow_up_on.isoformat())  # fmt: skip


def open_link(query: dict[str, str], user_id: int | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    if user_id is not None:
        log_in(at, user_id)
    at.run()
    at.switch_page(PAGE)
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def told(at: AppTest) -> tuple[list[str], list[str]]:
    assert not at.exception
    return [shown(s.value) for s in at.success], [shown(e.value) for e in at.error]


def test_ja_in_the_mail_keeps_the_partnership_running_once_without_logging_in(demo_users):
    match = partnership(demo_users)
    query = answer_link(match, demo_users["initiatief"], "ja")
    at = open_link(query)
    assert told(at) == (["Fijn dat het gelukt is! We vragen het over 4 weken weer."], [])
    after = current(match.id)
    assert after.status == "active"
    assert after.follow_up_on == date.today() + timedelta(weeks=4)
    at.run()  # a rerun of the same tab keeps saying what the link did
    assert told(at) == (["Fijn dat het gelukt is! We vragen het over 4 weken weer."], [])

    again = open_link(query)  # the link once more, in a new tab
    assert told(again) == ([], [USED])
    assert NOTHING_CHANGED in [m.value for m in again.markdown]
    assert current(match.id).version == after.version


@pytest.mark.parametrize(
    ("answer", "message", "status", "days"),
    [
        ("nee", "Jammer dat het niet is gelukt. Dank je wel dat je het laat weten.", "declined", 0),
        ("nog_niet", "Goed, we vragen het over 2 weken weer.", "agreed", 14),
    ],
)
def test_nee_and_nog_niet_do_what_they_say(demo_users, answer, message, status, days):
    match = partnership(demo_users)
    # Opened while someone else is logged in: the link acts for whom it was made.
    at = open_link(answer_link(match, demo_users["partner"], answer), demo_users["makelaar"])
    assert told(at) == ([message], [])
    after = current(match.id)
    assert after.status == status
    if days:
        assert after.follow_up_on == date.today() + timedelta(days=days)


def test_a_tampered_expired_or_other_sides_answered_link_is_refused_and_changes_nothing(
    demo_users,
):
    match = partnership(demo_users)
    good = answer_link(match, demo_users["initiatief"], "nee")
    tampered = {
        **good,
        "token": good["token"][:-2] + ("xx" if good["token"][-2:] != "xx" else "yy"),
    }
    real_time = time.time
    with pytest.MonkeyPatch.context() as patch:  # a mail of 15 days ago
        patch.setattr(time, "time", lambda: real_time() - 15 * 24 * 3600)
        expired = answer_link(match, demo_users["initiatief"], "nee")
    wrong_kind = {**good, "do": "unsubscribe"}
    for query, message in (
        (tampered, WRONG),
        (expired, EXPIRED),
        (wrong_kind, WRONG),
        ({"do": "follow_up"}, WRONG),
    ):
        assert told(open_link(query)) == ([], [message])
    assert (current(match.id).status, current(match.id).version) == ("agreed", match.version)

    # The partner answered first: the initiative's own link finds the question answered.
    assert told(open_link(answer_link(match, demo_users["partner"], "ja")))[1] == []
    late = open_link(good)
    assert told(late) == ([], ["Deze vraag is al beantwoord. Kijk in Samenspel hoe het nu staat."])
    assert current(match.id).status == "active"


def test_unsubscribe_in_one_click_sets_that_kind_to_never(demo_users):
    partner = demo_users["partner"]
    query = link("unsubscribe", user_id=partner, kinds=["fitting_need", "introduction"])
    at = open_link(query)
    successes, errors = told(at)
    assert (successes, errors) == (["Gelukt. Hierover krijg je geen mail meer."], [])
    listed = [m.value for m in at.markdown]
    assert "• Vragen die passen bij ons aanbod" in listed
    assert "• De makelaar stelt ons voor" in listed
    with Session(engine()) as session:
        chosen = dict(session.exec(select(NotificationSetting.kind, NotificationSetting.frequency)
                                   .where(NotificationSetting.user_id == partner)).all())  # fmt: skip
    assert chosen == {"fitting_need": "never", "introduction": "never"}
    # Tampered: refused, nothing else changes.
    broken = {**query, "token": query["token"].replace(".", "!", 1)}
    assert told(open_link(broken)) == ([], [WRONG])
