"""Every page renders for every role that may use it, without an exception."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from samenspel.web.navigation import pages_for
from tests.app.conftest import log_in
from tests.conftest import APP

ROLE_USERS = {
    "public": None,
    "initiative": "initiatief",
    "partner": "partner",
    "broker": "makelaar",
    "admin": "beheer",
}


def run_app(user_id: int | None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    if user_id is not None:
        log_in(at, user_id)
    return at.run()


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_every_allowed_page_renders_without_exception(role, demo_users):
    user_id = demo_users[ROLE_USERS[role]] if ROLE_USERS[role] else None
    at = run_app(user_id)
    assert not at.exception
    for path in pages_for(role):
        at.switch_page(path).run()
        assert not at.exception, f"{path} as {role}: {at.exception}"
        assert at.title, f"{path} as {role} shows no title"
        shown = [
            str(e.value) for kind in ("caption", "text", "markdown", "metric") for e in at.get(kind)
        ]
        assert not [v for v in shown if re.search(r"\b(nan|None)\b", v)], (
            f"{path} as {role} shows nan/None"
        )


def test_home_page_counts_the_demo_city(demo_users):
    at = run_app(None)
    (points,) = [c.value for c in at.caption if "punten op de kaart" in c.value]
    assert int(points.split()[0]) >= 140
    # The legend counts each kind's open needs and offers.
    legend = [m.value for m in at.markdown if "</span>" in m.value]
    kinds = ["Ruimte", "Vrijwilligers", "Geld", "Kunst en cultuur", "Spullen", "Kennis"]
    assert [next(k for k in kinds if f"</span>{k}:" in line) for line in legend] == kinds
    assert all(re.search(r": \d+ vragen, \d+ aanbod$", line) for line in legend)


def test_the_money_plan_page_shows_a_plan_for_the_initiatives_money_need(demo_users):
    at = run_app(demo_users["initiatief"])
    at.switch_page("samenspel/web/views/funding.py").run()
    assert not at.exception
    assert any("Dit plan betaalt" in s.value for s in at.success)
    texts = " ".join(t.value for t in at.text)
    assert "EUR" in texts and "•" in texts


def test_the_review_queue_pages_through_suggestions_best_first(demo_users):
    at = run_app(demo_users["makelaar"])
    at.switch_page("samenspel/web/views/review.py").run()
    cards = [c for c in at.get("caption") if "score" in c.value]
    assert 0 < len(cards) <= 25
    assert at.number_input(key="review_page").max > 1  # the demo city has more than one page
    first_page = [c.value for c in cards]
    at.number_input(key="review_page").set_value(2).run()
    assert [c.value for c in at.get("caption") if "score" in c.value] != first_page
