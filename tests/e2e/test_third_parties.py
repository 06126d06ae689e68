"""No third party sees a visitor without consent (AVG): on every page of every role the browser
contacts only the app itself and the configured map-tile server."""

from __future__ import annotations

import pytest

from samenspel import settings
from tests.e2e.test_golden_path import TIMEOUT

pytestmark = pytest.mark.browser

ROLES = [None, "initiatief", "partner", "makelaar", "beheer"]


def wait_until_idle(page) -> None:
    """The script has run to its end (Streamlit marks its root with the run state)."""
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        timeout=TIMEOUT
    )


def log_in(page, username: str) -> None:
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Inloggen").click()
    page.get_by_role("heading", name="Inloggen").wait_for(timeout=TIMEOUT)
    page.get_by_label("Gebruikersnaam").first.fill(username)
    page.get_by_label("Wachtwoord").first.fill("demo")
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_text("Je bent ingelogd als").wait_for(timeout=TIMEOUT)


@pytest.mark.parametrize("username", ROLES, ids=[r or "public" for r in ROLES])
def test_every_page_contacts_only_the_app_and_the_tile_server(app_url, page, username):
    page.goto(app_url)
    wait_until_idle(page)
    if username:
        log_in(page, username)
    nav = page.locator("[data-testid='stSidebarNav'] a")
    pages = nav.count()
    assert pages >= 2
    for i in range(pages):
        nav.nth(i).click()
        wait_until_idle(page)
    # The map page again, loaded afresh (the login stays), until its frame asked for tiles.
    page.goto(app_url)
    wait_until_idle(page)
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
    frame.locator(".leaflet-tile").first.wait_for(state="attached", timeout=TIMEOUT)
    print(f"{username or 'public'}: {pages} pages, outside hosts: {sorted(page.external_hosts)}")
    assert page.external_hosts == {settings.tile_host()}
