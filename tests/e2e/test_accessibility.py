"""WCAG 2.1 AA in a real browser: axe-core on every page of every role (the map's frame and
its list view included) finds nothing serious or critical; every page is in Dutch (its
language, and none of Streamlit's English words) and has its own title."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from samenspel.web.chrome import STREAMLIT_WORDS_NL
from tests.e2e.axe import describe, findings
from tests.e2e.conftest import rerun, wait_until_idle
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
    """Open a page and wait until it is drawn: its title, the app's style (web/chrome.py),
    and no script run going on. (Right after loading, the page says "not running" before its
    first run has even started.)"""
    page.goto(address)
    expect(page.locator("h1").first).to_be_visible()
    page.wait_for_function(
        "() => [...document.querySelectorAll('style')].some((s) => s.textContent.includes('#5a5958'))"
    )
    wait_until_idle(page)
    if page.locator("iframe[title='streamlit_folium.st_folium']").count():
        map_frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
        map_frame.locator(".leaflet-container").first.wait_for(state="attached")  # may be folded
    wait_until_idle(page)
    # What a run has not drawn again yet is faded (on purpose): axe would measure the fade.
    expect(page.locator("[data-stale='true']")).to_have_count(0)


_TEXTS = """() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) out.push(node.nodeValue.trim());
    for (const element of document.querySelectorAll('[placeholder],[aria-label],[title]'))
        for (const name of ['placeholder', 'aria-label', 'title']) out.push(element.getAttribute(name) || '');
    return out;
}"""


def page_problems(page) -> list[dict]:
    """What axe does not check: the language is Dutch, the title names the page, and none of
    Streamlit's own English words is left."""
    problems = []
    if page.evaluate("document.documentElement.lang") != "nl":
        problems.append(
            {"id": "html-lang-nl", "lang": page.evaluate("document.documentElement.lang")}
        )
    if not page.title().endswith(" - Samenspel") or page.title() == " - Samenspel":
        problems.append({"id": "page-title", "title": page.title()})
    english = sorted(set(page.evaluate(_TEXTS)) & set(STREAMLIT_WORDS_NL))
    if english:
        problems.append({"id": "streamlit-english", "words": english})
    return [{**problem, "impact": "serious", "frame": page.url} for problem in problems]


def scan_role(page, url: str, username: str | None) -> dict[str, list[dict]]:
    page.goto(url)
    wait_until_idle(page)
    if username:
        log_in(page, username)
    found = {}
    for name, address in nav_links(page).items():  # "Uitloggen" too: it only asks
        open_page(page, address)
        found[name] = findings(page) + page_problems(page)
        if name == "Kaart":  # and the map's text alternative
            with rerun(page):
                page.locator(".st-key-home_view").get_by_text("Lijst", exact=True).click()
            expect(page.locator("[data-testid='stDataFrame']")).to_be_visible()
            found["Kaart: lijst"] = findings(page)
    found = {name: page_findings for name, page_findings in found.items() if page_findings}
    return found


@pytest.mark.parametrize("username", list(ROLES), ids=list(ROLES.values()))
def test_no_serious_axe_findings_on_any_page(app_url, page, username):
    found = scan_role(page, app_url, username)
    assert found == {}, describe([{"page": name, **f} for name, fs in found.items() for f in fs])
