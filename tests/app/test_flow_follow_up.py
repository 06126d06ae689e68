"""'Is het gelukt?' on the partnerships page: "Ja, en het loopt nog door" moves an agreed
partnership to running (with a new check date), "Ja, en het is klaar" makes it done; no ends it
as declined. The broker of the area and each side may answer."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from samenspel.storage import db
from samenspel.storage.models import Match, Need, Offer, User
from tests.app.conftest import log_in, shown
from tests.conftest import APP

PAGE = "samenspel/web/views/partnerships.py"


def engine():
    return db.engine_for(db.settings.database_url())


def open_partnerships(user_id: int) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, user_id)
    at.run()
    return at.switch_page(PAGE).run()


def match(match_id: int) -> Match:
    with Session(engine()) as session:
        return session.get(Match, match_id)


def agreed_matches() -> list[int]:
    """The demo city's agreed partnerships (every demo neighbourhood is the broker's)."""
    with Session(engine()) as session:
        return list(
            session.exec(select(Match.id).where(Match.status == "agreed").order_by(Match.id))
        )


def successes(at: AppTest) -> list[str]:
    return [shown(s.value) for s in at.success]


def under_way(at: AppTest) -> int:
    (metric,) = [m for m in at.metric if m.label == "Onderweg"]
    return int(metric.value)


def buttons(at: AppTest, match_id: int) -> set[str]:
    """Which of a card's buttons are there: start, the two yeses (done, continue), no."""
    keys = {b.key for b in at.button}
    names = ("start", "done", "continue", "no")
    return {name for name in names if f"partners_{name}_{match_id}" in keys}


ANSWERS = {"done", "continue", "no"}


def test_yes_it_runs_makes_an_agreed_partnership_run_and_yes_it_is_over_makes_it_done(demo_users):
    match_id = agreed_matches()[0]
    at = open_partnerships(demo_users["makelaar"])
    assert buttons(at, match_id) == {"start"} | ANSWERS
    before = under_way(at)

    at.button(key=f"partners_continue_{match_id}").click().run()
    assert not at.exception
    assert successes(at) == ["Fijn! We vragen het weer op de nieuwe datum."]
    assert match(match_id).status == "active"
    assert buttons(at, match_id) == ANSWERS  # running: no "we zijn begonnen" any more
    assert under_way(at) == before

    at.button(key=f"partners_done_{match_id}").click().run()
    assert successes(at) == ["Fijn! De samenwerking is klaar."]
    assert match(match_id).status == "done"
    assert buttons(at, match_id) == set()  # done: nothing left to ask
    assert under_way(at) == before - 1


def test_no_ends_the_partnership_as_declined(demo_users):
    match_id = agreed_matches()[1]
    at = open_partnerships(demo_users["makelaar"])
    before = under_way(at)
    at.button(key=f"partners_no_{match_id}").click().run()
    assert not at.exception
    assert successes(at) == ["Bijgewerkt."]
    ended = match(match_id)
    assert (ended.status, ended.decision_reason) == ("declined", "niet gelukt")
    # A declined partnership leaves the page (it lists what is under way or done).
    assert buttons(at, match_id) == set()
    assert under_way(at) == before - 1


def test_a_side_answers_for_its_own_partnership_when_follow_up_is_due(demo_users):
    """The initiative's own partnership, agreed and due for follow-up today: the page asks,
    and the initiative's "no" ends it."""
    with Session(engine()) as session:
        organisation_id = session.get(User, demo_users["initiatief"]).organisation_id
        own = session.exec(
            select(Match)
            .join(Need, Match.need_id == Need.id)
            .join(Offer, Match.offer_id == Offer.id)
            .where(Need.organisation_id == organisation_id, Match.status == "suggested")
            .order_by(Match.score.desc())
        ).first()
        own.status, own.initiative_agreed, own.partner_agreed = "agreed", True, True
        own.follow_up_on = date.today()
        session.add(own)
        session.commit()
        match_id = own.id
    at = open_partnerships(demo_users["initiatief"])
    warnings = [shown(w.value) for w in at.warning]
    assert f"Opvolgen: het is {date.today():%d-%m-%Y}. Is het gelukt?" in warnings
    assert buttons(at, match_id) == {"start"} | ANSWERS

    at.button(key=f"partners_no_{match_id}").click().run()
    assert not at.exception
    assert successes(at) == ["Bijgewerkt."]
    assert match(match_id).status == "declined"
