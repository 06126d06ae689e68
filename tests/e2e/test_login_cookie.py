"""The login cookie in a real browser: a reload and a second tab keep the login (Streamlit
keeps a login in one tab's session only; the page stores the session token in a cookie),
and logout ends it in both and clears the cookie."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from samenspel.web.ui import COOKIE_NAME
from tests.e2e.conftest import rerun, wait_until_idle


@pytest.mark.browser
def test_a_reload_and_a_second_tab_keep_the_login_and_logout_ends_both(app_url, page):
    shown = "Ingelogd als Sanne (buurtmakelaar)"
    nav = "[data-testid='stSidebarNav']"
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Samenspel in de buurt")).to_be_visible()
    with rerun(page):
        page.locator(nav).get_by_role("link", name="Inloggen").click()
    page.locator("input[aria-label='Gebruikersnaam']").fill("makelaar")
    page.locator("input[aria-label='Wachtwoord']").fill("demo")
    with rerun(page):
        page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Nieuw voor jullie")).to_be_visible()
    page.wait_for_function(f"document.cookie.includes('{COOKIE_NAME}=')")

    page.reload()
    expect(page.get_by_text(shown, exact=True)).to_be_visible()
    other = page.context.new_page()
    other.goto(app_url)
    expect(other.get_by_text(shown, exact=True)).to_be_visible()
    wait_until_idle(other)

    with rerun(page):  # the login page is called "Uitloggen" while logged in
        page.locator(nav).get_by_role("link", name="Uitloggen").click()
    with rerun(page):
        page.get_by_role("button", name="Uitloggen").click()
    expect(page.locator("input[aria-label='Gebruikersnaam']")).to_be_visible()
    page.wait_for_function(f"!document.cookie.includes('{COOKIE_NAME}=')")
    page.reload()
    expect(page.locator("input[aria-label='Gebruikersnaam']")).to_be_visible()
    wait_until_idle(page)
    expect(page.get_by_text(shown, exact=True)).to_have_count(0)
    # The other tab's next rerun finds the session ended in the database.
    with rerun(other):  # that tab was drawn while logged in
        other.locator(nav).get_by_role("link", name="Uitloggen").click()
    expect(other.get_by_text("Je bent uitgelogd. Log opnieuw in.")).to_be_visible()
    expect(other.get_by_text(shown, exact=True)).to_have_count(0)
