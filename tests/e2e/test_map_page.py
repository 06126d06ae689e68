"""The map page in a real browser: a click shows the card beside the map, and user text that
tries to run code shows as text and runs nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_card, rerun, wait_until_idle
from tests.e2e.test_golden_path import choose, log_in, sidebar, type_into
from tests.e2e.test_home_map import map_frame

pytestmark = pytest.mark.browser
IMG_PAYLOAD = "<img src=x onerror=\"window.parent.document.body.dataset.pwned='img'\">"
TEMPLATE_PAYLOAD = "${window.parent.document.body.dataset.pwned='tpl'} `x` \\u0060"


def search_map(page, text: str) -> None:
    page.get_by_text("Filters").first.click()
    type_into(page, "Zoek in titel of organisatie", text)


def test_clicking_a_marker_shows_its_card_beside_the_map(app_url, page):
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Samenspel in de buurt")).to_be_visible()
    search_map(page, "Grote zaal met keuken op dinsdag")
    marker = map_frame(page).locator(".ss-marker").first
    marker.wait_for()
    card = page.locator("[class*='st-key-home_card_offer_']").first
    open_card(page, marker, card)
    expect(card).to_contain_text("Grote zaal met keuken op dinsdag")
    expect(card).to_contain_text("Buurtpand De Kade")
    assert "@" not in card.inner_text()  # no contact details for the public (the run ended)


def test_html_and_template_payloads_in_a_title_show_as_text_and_run_nothing(app_url, page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Samenspel in de buurt")).to_be_visible()
    log_in(page, "initiatief")
    for payload in (IMG_PAYLOAD, TEMPLATE_PAYLOAD):
        sidebar(page, "Plaatsen")
        choose(page, "Wat voor hulp?", "Spullen")  # the form keeps the kind after a post
        type_into(page, "Titel", payload)
        type_into(page, "Vertel in je eigen woorden", payload)
        with rerun(page):
            page.get_by_role("button", name="Plaatsen").click()
        expect(page.get_by_text("Geplaatst:")).to_be_visible()

    sidebar(page, "Kaart")
    search_map(page, "window.parent")
    frame = map_frame(page)
    # Both payload needs sit on the same neighbourhood centre: one cluster, which spiderfies.
    frame.locator(".ss-cluster, .ss-marker").first.wait_for()
    if frame.locator(".ss-cluster").count():
        frame.locator(".ss-cluster").first.click()
    markers = frame.locator(".ss-marker")
    expect(markers).to_have_count(2)
    tooltips = []
    for index in range(2):
        markers.nth(index).hover()
        # Leaflet opens the hovered marker's tooltip (and closes the one before).
        tooltip = frame.locator(".leaflet-tooltip").last
        expect(tooltip).to_contain_text("window.parent")
        tooltips.append(tooltip.inner_text())
    card = page.locator("[class*='st-key-home_card_need_']").first
    open_card(page, markers.first, card)
    expect(card).to_contain_text("window.parent.document.body.dataset.pwned")
    wait_until_idle(page)

    assert any("<img src=x" in tip for tip in tooltips)  # shown as text, literally
    assert frame.locator("img[src='x']").count() == 0
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None  # the parent page was not touched
    assert dialogs == []
