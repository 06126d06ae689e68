"""WCAG 2.1 AA in a real browser: axe-core on every page of every role (the map's frame
included) finds nothing serious or critical."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import describe, findings
from tests.e2e.conftest import wait_until_idle
from tests.e2e.test_golden_path import log_in

pytestmark = pytest.mark.browser

ROLES = {None: "public", "initiatief": "initiative", "partner": "partner",
         "makelaar": "broker", "beheer": "admin"}  # fmt: skip


def nav_links(page) -> dict[str, str]:
    """The menu's pages: name -> address (a reload there keeps the login: its cookie)."""
    nav = page.locator("[data-testid='stSidebarNav']")
    expect(nav).to_be_visible()
    links = nav.get_by_role("link")
    return {
        links.nth(i).inner_text().splitlines()[-1].strip(): links.nth(i).get_attribute("href")
        for i in range(links.count())
    }


def open_page(page, address: str) -> None:
    page.goto(address)
    wait_until_idle(page)
    if page.locator("iframe[title='streamlit_folium.st_folium']").count():
        map_frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
        map_frame.locator(".leaflet-marker-icon").first.wait_for()
    wait_until_idle(page)
    # What a run has not drawn again yet is faded (on purpose): axe would measure the fade.
    expect(page.locator("[data-stale='true']")).to_have_count(0)


def scan_role(page, url: str, username: str | None) -> dict[str, list[dict]]:
    page.goto(url)
    wait_until_idle(page)
    if username:
        log_in(page, username)
    found = {}
    for name, address in nav_links(page).items():
        if name == "Uitloggen":
            continue
        open_page(page, address)
        page_findings = findings(page)
        if page_findings:
            found[name] = page_findings
    return found


@pytest.mark.parametrize("username", list(ROLES), ids=list(ROLES.values()))
def test_no_serious_axe_findings_on_any_page(app_url, page, username):
    found = scan_role(page, app_url, username)
    assert found == {}, describe([{"page": name, **f} for name, fs in found.items() for f in fs])
