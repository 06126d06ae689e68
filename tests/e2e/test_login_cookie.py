"""The login cookie in a real browser: a reload and a second tab keep the login (Streamlit
keeps a login in one tab's session only; the page stores the session token in a cookie),
and logout ends it in both and clears the cookie."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from samenspel.web.ui import COOKIE_NAME


@pytest.mark.browser
def test_a_reload_and_a_second_tab_keep_the_login_and_logout_ends_both(app_url, page):
    page.set_default_timeout(60_000)
    shown = "Ingelogd als Sanne (buurtmakelaar)"
    page.goto(app_url)
    page.get_by_role("heading", name="Samenspel in de buurt").wait_for()
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Inloggen").click()
    page.get_by_label("Gebruikersnaam").first.fill("makelaar")
    page.get_by_label("Wachtwoord").first.fill("demo")
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_text("Je bent ingelogd als").wait_for()
    page.wait_for_function(f"document.cookie.includes('{COOKIE_NAME}=')")

    page.reload()
    page.get_by_text(shown, exact=True).wait_for()
    other = page.context.new_page()
    other.set_default_timeout(60_000)
    other.goto(app_url)
    other.get_by_text(shown, exact=True).wait_for()

    page.get_by_role("button", name="Uitloggen").click()
    page.get_by_label("Gebruikersnaam").wait_for()
    page.wait_for_function(f"!document.cookie.includes('{COOKIE_NAME}=')")
    page.reload()
    page.get_by_label("Gebruikersnaam").wait_for()
    expect(page.get_by_text(shown, exact=True)).to_have_count(0)
    # The other tab's next rerun finds the session ended in the database.
    other.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Inloggen").click()
    expect(other.get_by_text(shown, exact=True)).to_have_count(0)
    other.get_by_text("Je bent uitgelogd. Log opnieuw in.").wait_for()
