"""The golden path in a real browser, on the demo city: an initiative posts a venue need in
plain words, sees the fitting partner with reasons, a broker introduces them, both sides say
yes, contact details appear only then, and the partnership shows on the map.

Every step waits on the app's state (a script run that ended, an element that carries the
text), never on time: see tests/e2e/conftest.py `rerun`."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import BROWSER_TIMEOUT_MS
from tests.e2e.conftest import rerun, wait_until_idle
from tests.e2e.test_home_map import map_frame

pytestmark = pytest.mark.browser
TIMEOUT = BROWSER_TIMEOUT_MS
NEED_TITLE = "We zoeken een plek om op dinsdagavond met buren samen te koken"


HEADINGS = {
    "Kaart": "Samenspel in de buurt",
    "Inloggen": "Inloggen",
    "Plaatsen": "Vraag plaatsen",
    "Mijn vragen en aanbod": "Mijn vragen en aanbod",
    "Te beoordelen": "Te beoordelen",
    "Gegevens in en uit": "Gegevens in en uit",
    "Nieuw voor jullie": "Nieuw voor jullie",
    "Waar kunnen wij helpen?": "Waar kunnen wij helpen?",
    "Samenwerkingen": "Samenwerkingen",
    "Uitloggen": "Inloggen",  # the login page's name in the navigation while logged in
}


def sidebar(page, name: str) -> None:
    """Navigate inside the same Streamlit session; back when the page's run has ended."""
    with rerun(page):
        page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=HEADINGS[name])).to_be_visible()


def log_in(page, username: str) -> None:
    """Log out whoever is logged in, log in as `username` (demo password), and land where a
    login starts: "Nieuw voor jullie"."""
    nav = page.locator("[data-testid='stSidebarNav']")
    if nav.get_by_role("link", name="Uitloggen").count():  # read after the run ended
        sidebar(page, "Uitloggen")
        with rerun(page):
            page.get_by_role("button", name="Uitloggen").click()
        expect(nav.get_by_role("link", name="Inloggen")).to_be_visible()
    else:
        sidebar(page, "Inloggen")
    page.locator("input[aria-label='Gebruikersnaam']").fill(username)
    page.locator("input[aria-label='Wachtwoord']").fill("demo")
    with rerun(page):
        page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Nieuw voor jullie")).to_be_visible()
    wait_until_idle(page)


def type_into(page, label: str, text: str) -> None:
    """Type into a field and leave it, as a person would: Streamlit sends the value and runs
    the script; back when that run has ended."""
    field = page.get_by_label(label, exact=False).first
    field.fill(text)
    with rerun(page):
        field.press("Tab")


def choose(page, label: str, option: str) -> None:
    """Pick an option of a select box; back when the run it starts has ended. Nothing to do
    when it shows that option already (picking it again starts no run)."""
    field = page.get_by_role("combobox", name=label).first
    if field.input_value() == option:  # the box shows its chosen option as the field's value
        return
    field.click()
    with rerun(page):
        page.get_by_role("option", name=option, exact=True).click()


def show_partnerships(page):
    """Switch the map's partnership lines on (under Filters; off by default); the lines."""
    page.locator("[data-testid='stExpander'] summary").filter(has_text="Filters").click()
    switch = page.get_by_role("switch", name="Toon samenwerkingen (lijnen)")
    switch.focus()  # by keyboard: a click could land while the panel still slides open
    with rerun(page):
        page.keyboard.press("Space")
    expect(switch).to_be_checked()
    return map_frame(page).locator("path.leaflet-interactive")


def test_post_suggest_introduce_agree_reveal_and_map(app_url, page, tmp_path):
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Samenspel in de buurt")).to_be_visible()
    wait_until_idle(page)
    map_frame(page).locator(".ss-cluster, .ss-marker").first.wait_for()  # the map is drawn
    expect(map_frame(page).locator("path.leaflet-interactive")).to_have_count(0)  # no lines yet
    lines = show_partnerships(page)
    lines.first.wait_for()  # one layer draws every line in one script: all of them are there now
    lines_before = lines.count()  # the demo city's partnerships

    # The initiative posts a venue need in its own words.
    log_in(page, "initiatief")
    sidebar(page, "Plaatsen")
    type_into(page, "Titel", NEED_TITLE)
    type_into(page, "Met hoeveel mensen zijn jullie?", "30")
    with rerun(page):  # availability is picked: Tuesday in the evening row
        page.locator(".st-key-post_when_part2").get_by_role("button", name="di").click()
    with rerun(page):
        page.get_by_role("button", name="Plaatsen").click()
    expect(page.get_by_text("Geplaatst:")).to_be_visible()

    # Its suggestions show the fitting partner with reasons.
    sidebar(page, "Mijn vragen en aanbod")
    need = page.locator("[data-testid='stExpander']").filter(has_text=NEED_TITLE).first
    need.get_by_text(NEED_TITLE).first.click()
    details = need.locator("[data-testid='stExpanderDetails']")
    expect(details).to_contain_text("dinsdagavond beschikbaar")
    expect(details).to_contain_text(re.compile(r"ruimte voor \d+, jullie zijn met 30"))
    suggestion_text = details.inner_text()
    partner_name = suggestion_text.strip().splitlines()[0].split(":")[0]
    assert "@" not in suggestion_text  # no contact details yet

    # The broker introduces them.
    log_in(page, "makelaar")
    sidebar(page, "Te beoordelen")
    # Like a broker would: narrow the queue to the initiative's neighbourhood.
    choose(page, "Buurt", "Kanaleneiland")
    choose(page, "Soort", "Ruimte")
    card = (
        page.locator("[class*='st-key-review_card_']")
        .filter(has_text=NEED_TITLE)
        .filter(has_text=partner_name)
        .first
    )
    with rerun(page):
        card.get_by_role("button", name="Voorstellen").click()
    expect(page.get_by_text("1 voorgesteld aan elkaar.")).to_be_visible()

    # Both sides say yes; contact details appear only after the second yes.
    log_in(page, "initiatief")
    sidebar(page, "Mijn vragen en aanbod")
    with rerun(page):
        page.get_by_role("button", name="Ja, we willen kennismaken").first.click()
    expect(page.get_by_text("Je hebt 'ja' gezegd.")).to_be_visible()
    expect(page.get_by_text("Jullie zeiden ja. We wachten op de andere kant.")).to_be_visible()
    assert page.get_by_text("Toon contactgegevens").count() == 0  # the run has ended

    log_in(page, "partner")
    sidebar(page, "Mijn vragen en aanbod")
    with rerun(page):
        page.get_by_role("button", name="Ja, we willen kennismaken").first.click()
    expect(page.get_by_text("Je hebt 'ja' gezegd.")).to_be_visible()
    with rerun(page):
        page.get_by_role("button", name="Toon contactgegevens").first.click()
    contact = page.locator("[data-testid='stText']").filter(has_text="@").first
    expect(contact).to_contain_text("Buurtkeuken De Pan")

    # The partnership shows on the map.
    sidebar(page, "Kaart")
    lines = show_partnerships(page)
    expect(lines).to_have_count(lines_before + 1)  # the new partnership
    page.screenshot(path=str(tmp_path / "golden.png"), full_page=True)
