"""The demo city's suggestions were stored once, as codes; each page writes their reasons in
the language the reader picks, and switching back brings the Dutch back."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from samenspel.storage import db
from samenspel.storage.models import Offer
from tests.app.conftest import log_in
from tests.conftest import APP

REVIEW = "samenspel/web/views/review.py"
MINE = "samenspel/web/views/mine.py"
FUNDING = "samenspel/web/views/funding.py"


def app_in(language: str, user_id: int) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, user_id)
    at.run()
    at.selectbox(key="lang_choice").set_value(language).run()  # as a reader picks it
    return at


def texts(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in ("text", "success", "warning") for e in at.get(kind))


def bullets(at: AppTest) -> list[str]:
    """The reasons on the page ("• ..."), without the titles people typed around them."""
    return [str(e.value) for e in at.text if str(e.value).startswith("• ")]


@pytest.mark.parametrize(
    "language, ours, theirs",
    [("English", "km away", "km verderop"), ("Nederlands", "km verderop", "km away")],
)
def test_the_review_queue_shows_stored_reasons_in_the_readers_language(
    demo_users, language, ours, theirs
):
    at = app_in(language, demo_users["makelaar"])
    at.switch_page(REVIEW).run()
    assert not at.exception
    shown = texts(at)
    assert ours in shown and theirs not in shown


def test_an_initiatives_own_suggestions_and_money_plan_follow_the_language(demo_users):
    at = app_in("English", demo_users["initiatief"])
    at.switch_page(MINE).run()
    assert not at.exception
    shown = texts(at)
    assert "km away" in shown and "km verderop" not in shown
    # "Waarom niet?" for an offer: the engine's answer, written out on the page.
    why_not = next(box for box in at.selectbox if str(box.key).startswith("mine_whynot_"))
    with Session(db.engine_for(db.settings.database_url())) as session:
        offer_ids = session.exec(select(Offer.id)).all()
    # The box shows labels and returns ids: pick the id behind its first label.
    first = next(i for i in offer_ids if why_not.format_func(i) == why_not.options[0])
    why_not.set_value(first).run()
    assert not at.exception
    answer = " ".join(str(e.value) for kind in ("warning", "info") for e in at.get(kind))
    assert "Samenspel does not suggest this" in answer or "This offer" in answer
    assert bullets(at) and not any("jullie" in reason for reason in bullets(at))
    at.switch_page(FUNDING).run()
    assert not at.exception
    assert any("This plan pays" in s.value for s in at.success)
    shown = texts(at)
    assert "• money from a local business" in shown  # a line of the plan
    assert "only for association or foundation; you are an informal group" in shown  # why not
    assert not any("jullie" in reason for reason in bullets(at))
