"""The golden path in a real browser, on the demo city: an initiative posts a venue need in
plain words, sees the fitting partner with reasons, a broker introduces them, both sides say
yes, contact details appear only then, and the partnership shows on the map."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_home_map import map_frame

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
NEED_TITLE = "We zoeken een plek om op dinsdagavond met buren samen te koken"


HEADINGS = {
    "Kaart": "Samenspel in de buurt",
    "Inloggen": "Inloggen",
    "Plaatsen": "Vraag plaatsen",
    "Mijn vragen en aanbod": "Mijn vragen en aanbod",
    "Te beoordelen": "Te beoordelen",
}


def sidebar(page, name: str) -> None:
    """Navigate inside the same Streamlit session and wait until the page has rendered."""
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=name).click()
    page.get_by_role("heading", name=HEADINGS[name]).wait_for()
    page.wait_for_timeout(500)


def log_in(page, username: str) -> None:
    sidebar(page, "Inloggen")
    if page.get_by_role("button", name="Uitloggen").count():
        page.get_by_role("button", name="Uitloggen").click()
        page.get_by_label("Gebruikersnaam").wait_for(timeout=TIMEOUT)
    page.get_by_label("Gebruikersnaam").first.fill(username)
    page.get_by_label("Wachtwoord").first.fill("demo")
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_text("Je bent ingelogd als").wait_for(timeout=TIMEOUT)


def type_into(page, label: str, text: str) -> None:
    field = page.get_by_label(label, exact=False).first
    field.fill(text)
    field.press("Tab")
    page.wait_for_timeout(400)


def test_post_suggest_introduce_agree_reveal_and_map(app_url, page, tmp_path):
    page.set_default_timeout(TIMEOUT)
    page.goto(app_url)
    page.get_by_role("heading", name="Samenspel in de buurt").wait_for()
    lines = map_frame(page).locator("path.leaflet-interactive")
    lines.first.wait_for()
    lines_before = lines.count()  # the demo city's partnerships

    # The initiative posts a venue need in its own words.
    log_in(page, "initiatief")
    sidebar(page, "Plaatsen")
    type_into(page, "Titel", NEED_TITLE)
    type_into(page, "Met hoeveel mensen zijn jullie?", "30")
    type_into(page, "Wanneer?", "di avond")
    page.get_by_role("button", name="Plaatsen").click()
    page.get_by_text("Geplaatst:").wait_for()

    # Its suggestions show the fitting partner with reasons.
    sidebar(page, "Mijn vragen en aanbod")
    page.get_by_text(NEED_TITLE).first.click()
    suggestion_text = page.locator("[data-testid='stExpanderDetails']").first.inner_text()
    assert "dinsdagavond beschikbaar" in suggestion_text
    assert re.search(r"ruimte voor \d+, jullie zijn met 30", suggestion_text)
    partner_name = suggestion_text.strip().splitlines()[0].split(":")[0]
    assert "@" not in suggestion_text  # no contact details yet

    # The broker introduces them.
    log_in(page, "makelaar")
    sidebar(page, "Te beoordelen")
    # Like a broker would: narrow the queue to the initiative's neighbourhood.
    page.get_by_label("Buurt").first.click()
    page.get_by_role("option", name="Kanaleneiland").click()
    page.wait_for_timeout(1000)
    page.get_by_label("Soort").first.click()
    page.get_by_role("option", name="Ruimte").click()
    page.wait_for_timeout(1000)
    card = (
        page.locator("[class*='st-key-review_card_']")
        .filter(has_text=NEED_TITLE)
        .filter(has_text=partner_name)
        .first
    )
    card.get_by_role("button", name="Voorstellen").click()
    page.get_by_text("1 voorgesteld aan elkaar.").wait_for()

    # Both sides say yes; contact details appear only after the second yes.
    log_in(page, "initiatief")
    sidebar(page, "Mijn vragen en aanbod")
    page.get_by_role("button", name="Ja, we willen kennismaken").first.click()
    page.get_by_text("Je hebt 'ja' gezegd.").wait_for()
    assert page.get_by_text("Toon contactgegevens").count() == 0

    log_in(page, "partner")
    sidebar(page, "Mijn vragen en aanbod")
    page.get_by_role("button", name="Ja, we willen kennismaken").first.click()
    page.get_by_text("Je hebt 'ja' gezegd.").wait_for()
    page.get_by_role("button", name="Toon contactgegevens").first.click()
    page.get_by_text("@").first.wait_for()
    assert (
        "Buurtkeuken De Pan"
        in page.locator("[data-testid='stText']").filter(has_text="@").first.inner_text()
    )

    # The partnership shows on the map.
    sidebar(page, "Kaart")
    lines = map_frame(page).locator("path.leaflet-interactive")
    expect(lines).to_have_count(lines_before + 1)  # the new partnership
    page.screenshot(path=str(tmp_path / "golden.png"), full_page=True)
