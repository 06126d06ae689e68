"""The language switch in a real browser: the pages and the engine's reasons follow it, and
it is still the user's choice after logging out and in again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import keep_local, rerun, wait_until_idle, watch_runs
from tests.e2e.test_golden_path import TIMEOUT, log_in

pytestmark = pytest.mark.browser


def choose_language(page, name: str, heading: str) -> None:
    """Pick a language and wait until the page shows `heading` in it."""
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").click()
    with rerun(page):
        page.get_by_role("option", name=name).click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()


def test_english_sticks_to_the_user_and_the_reasons_follow(app_url, page):
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Samenspel in de buurt")).to_be_visible()
    log_in(page, "makelaar")
    choose_language(page, "English", "New for you")
    with rerun(page):
        page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", name="To review")).to_be_visible()
    # The queue is read once its run has ended, not when its heading appears.
    expect(page.locator("[data-testid='stText']").filter(has_text="km away").first).to_be_visible()
    reasons = " ".join(page.locator("[data-testid='stText']").all_inner_texts())
    assert "km away" in reasons and "km verderop" not in reasons

    # A new browser session (a new tab after closing the old one): Dutch until login.
    fresh = page.context.browser.new_context(viewport={"width": 1400, "height": 1000})
    keep_local(fresh)
    fresh.on("page", watch_runs)
    other = fresh.new_page()
    other.set_default_timeout(TIMEOUT)
    other.goto(app_url)
    expect(other.get_by_role("heading", name="Samenspel in de buurt")).to_be_visible()
    wait_until_idle(other)
    with rerun(other):
        other.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Inloggen").click()
    other.locator("input[aria-label='Gebruikersnaam']").fill("makelaar")
    other.locator("input[aria-label='Wachtwoord']").fill("demo")
    with rerun(other):
        other.get_by_role("button", name="Inloggen").click()
    # The page it opens now speaks English.
    expect(other.get_by_role("heading", name="New for you")).to_be_visible()
    choose_language(other, "Nederlands", "Nieuw voor jullie")  # leave the demo account as it was
    fresh.close()
