"""The map page in a real browser: a click shows the card beside the map, and user text that
tries to run code shows as text and runs nothing."""

from __future__ import annotations

import pytest

from tests.e2e.test_golden_path import TIMEOUT, log_in, sidebar, type_into
from tests.e2e.test_home_map import map_frame

pytestmark = pytest.mark.browser
IMG_PAYLOAD = "<img src=x onerror=\"window.parent.document.body.dataset.pwned='img'\">"
TEMPLATE_PAYLOAD = "${window.parent.document.body.dataset.pwned='tpl'} `x` \\u0060"


def search_map(page, text: str) -> None:
    page.get_by_text("Filters").first.click()
    type_into(page, "Zoek in titel of organisatie", text)


def test_clicking_a_marker_shows_its_card_beside_the_map(app_url, page):
    page.set_default_timeout(TIMEOUT)
    page.goto(app_url)
    page.get_by_role("heading", name="Samenspel in de buurt").wait_for()
    search_map(page, "Grote zaal met keuken op dinsdag")
    marker = map_frame(page).locator(".ss-marker").first
    marker.wait_for()
    marker.click()
    card = page.locator("[class*='st-key-home_card_offer_']").first
    card.wait_for()
    text = card.inner_text()
    assert "Grote zaal met keuken op dinsdag" in text and "Buurtpand De Kade" in text
    assert "@" not in text  # no contact details for the public


def test_html_and_template_payloads_in_a_title_show_as_text_and_run_nothing(app_url, page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_default_timeout(TIMEOUT)
    page.goto(app_url)
    page.get_by_role("heading", name="Samenspel in de buurt").wait_for()
    log_in(page, "initiatief")
    for payload in (IMG_PAYLOAD, TEMPLATE_PAYLOAD):
        sidebar(page, "Plaatsen")
        page.get_by_label("Wat voor hulp?").first.click()
        page.get_by_role("option", name="Spullen").click()
        type_into(page, "Titel", payload)
        type_into(page, "Vertel in je eigen woorden", payload)
        page.get_by_role("button", name="Plaatsen").click()
        page.get_by_text("Geplaatst:").wait_for()

    sidebar(page, "Kaart")
    search_map(page, "window.parent")
    frame = map_frame(page)
    # Both payload needs sit on the same neighbourhood centre: one cluster, which spiderfies.
    frame.locator(".marker-cluster, .ss-marker").first.wait_for()
    if frame.locator(".marker-cluster").count():
        frame.locator(".marker-cluster").first.click()
    markers = frame.locator(".ss-marker")
    markers.first.wait_for()
    for index in range(markers.count()):
        markers.nth(index).hover()
        page.wait_for_timeout(300)
    tooltips = frame.locator(".leaflet-tooltip").all_inner_texts()
    markers.first.click()
    page.locator("[class*='st-key-home_card_need_']").first.wait_for()
    page.wait_for_timeout(1000)

    assert any("<img src=x" in tip for tip in tooltips)  # shown as text, literally
    assert frame.locator("img[src='x']").count() == 0
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None  # the parent page was not touched
    assert dialogs == []
    card_text = page.locator("[class*='st-key-home_card_need_']").first.inner_text()
    assert "window.parent.document.body.dataset.pwned" in card_text
