"""No third party sees a visitor without consent (AVG): on every page of every role the browser
contacts only the app itself and the configured map-tile server."""

from __future__ import annotations

import pytest

from samenspel import settings
from tests.e2e.conftest import rerun, wait_until_idle
from tests.e2e.test_golden_path import log_in

pytestmark = pytest.mark.browser

ROLES = [None, "initiatief", "partner", "makelaar", "beheer"]


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
        # Each page's run ends before the next link is clicked: every page had its chance to
        # ask for something from outside.
        with rerun(page):
            nav.nth(i).click()
    # The map page again, loaded afresh (the login stays), until its frame asked for tiles.
    # (Logged in, the first page is "Nieuw voor jullie": the map has its own path.)
    page.goto(f"{app_url.rstrip('/')}/home" if username else app_url)
    wait_until_idle(page)
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
    frame.locator(".leaflet-tile").first.wait_for(state="attached")
    print(f"{username or 'public'}: {pages} pages, outside hosts: {sorted(page.external_hosts)}")
    assert page.external_hosts == {settings.tile_host()}
