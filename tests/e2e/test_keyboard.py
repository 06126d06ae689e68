"""Keyboard only, in a real browser: an initiative logs in, posts a need, opens a map point's
card and answers a suggestion without a mouse. Every element is reached with Tab (and
Shift+Tab), never clicked or focused by the test, so what a keyboard user cannot reach fails."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import rerun, wait_until_idle
from tests.e2e.test_home_map import map_frame

pytestmark = pytest.mark.browser

MAX_TABS = 250  # the menu, the page and the map's points: more means something is in the way
NEED_TITLE = "Toetsenbordtest: een zaal voor ons buurtdiner met 25 buren"


def focused_is(locator) -> bool:
    return locator.evaluate("(element) => element === document.activeElement || "
                            "element.contains(document.activeElement)")  # fmt: skip


def tab_to(page, locator, *, backwards: bool = False) -> int:
    """Press Tab until `locator` has the keyboard focus; the number of presses."""
    locator.wait_for()
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press(key)
        if focused_is(locator):
            return presses
    raise AssertionError(f"{locator} not reached in {MAX_TABS} presses of {key}")


def arrow_to(page, toolbar, button) -> None:
    """Move the focus inside `toolbar` to `button` with the arrow keys, as someone who sees
    where the focus is would: left or right. (Tab may enter a toolbar at either end.)"""
    buttons = toolbar.get_by_role("button")
    target = buttons.evaluate_all("(all, b) => all.indexOf(b)", button.element_handle())
    for _ in range(buttons.count()):
        at = buttons.evaluate_all("(all) => all.indexOf(document.activeElement)")
        if at == target:
            return
        page.keyboard.press("ArrowRight" if at < target else "ArrowLeft")
    raise AssertionError(f"{button} not reached with the arrow keys")


def press(page, key: str) -> None:
    """A key that makes Streamlit run the page again; back when that run has ended."""
    with rerun(page):
        page.keyboard.press(key)


def menu_link(page, name: str):
    return page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=name)


def test_log_in_post_open_a_card_and_answer_a_suggestion_by_keyboard(app_url, page):
    page.goto(f"{app_url}/login")
    wait_until_idle(page)
    tab_to(page, page.locator("input[aria-label='Gebruikersnaam']"))
    page.keyboard.type("initiatief")
    tab_to(page, page.locator("input[aria-label='Wachtwoord']"))
    page.keyboard.type("demo")
    press(page, "Enter")  # Enter in the login form sends it
    expect(page.get_by_role("heading", name="Nieuw voor jullie")).to_be_visible()
    wait_until_idle(page)

    # Post a need: a venue for 25 people, Tuesday evening, picked in the grid.
    tab_to(page, menu_link(page, "Plaatsen"))
    press(page, "Enter")
    expect(page.get_by_role("heading", name="Vraag plaatsen")).to_be_visible()
    tab_to(page, page.get_by_label("Titel"))
    page.keyboard.type(NEED_TITLE)
    press(page, "Tab")
    # The form reads the number of people from the title and offers it.
    take = page.get_by_role("button", name="In je tekst staat 25. Overnemen?")
    tab_to(page, take, backwards=True)
    press(page, "Enter")
    expect(page.get_by_label("Met hoeveel mensen zijn jullie?")).to_have_value("25")
    # A row of the grid is a toolbar: Tab enters it, the arrow keys move between the days.
    evening = page.locator(".st-key-post_when_part2").get_by_role("toolbar", name="Avond")
    tab_to(page, evening)
    tuesday = evening.get_by_role("button", name="di", exact=True)
    arrow_to(page, evening, tuesday)
    press(page, "Enter")
    expect(tuesday).to_have_attribute("aria-pressed", "true")
    tab_to(page, page.get_by_role("button", name="Plaatsen", exact=True))
    press(page, "Enter")
    expect(page.get_by_text("Geplaatst:")).to_be_visible()

    # Open its point on the map: the search narrows the map to it, Tab reaches its point.
    tab_to(page, menu_link(page, "Kaart"), backwards=True)
    press(page, "Enter")
    expect(page.get_by_role("heading", name="Samenspel in de buurt")).to_be_visible()
    tab_to(page, page.locator("[data-testid='stExpander'] summary").filter(has_text="Filters"))
    page.keyboard.press("Enter")
    search = page.get_by_label("Zoek in titel of organisatie")
    tab_to(page, search)
    page.keyboard.type("Toetsenbordtest")
    press(page, "Tab")
    frame = map_frame(page)
    point = frame.locator(".ss-marker[title*='Toetsenbordtest']")
    expect(frame.locator(".ss-marker")).to_have_count(1)
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if focused_is(point):
            break
    else:
        raise AssertionError("the map's point was not reached with Tab")
    page.keyboard.press("Enter")
    card = page.locator("[class*='st-key-home_card_need_']").first
    expect(card).to_contain_text(NEED_TITLE)
    wait_until_idle(page)

    # Answer a suggestion for it on "Mijn vragen en aanbod".
    tab_to(page, menu_link(page, "Mijn vragen en aanbod"), backwards=True)
    press(page, "Enter")
    expect(page.get_by_role("heading", name="Mijn vragen en aanbod")).to_be_visible()
    need = page.locator("[data-testid='stExpander']").filter(has_text=NEED_TITLE).first
    tab_to(page, need.locator("summary"))
    page.keyboard.press("Enter")
    yes = need.get_by_role("button", name="Ja, hier willen we mee kennismaken").first
    tab_to(page, yes)
    press(page, "Enter")
    expect(need).to_contain_text("Jullie vroegen om kennis te maken")


def test_the_skip_link_passes_the_map_in_one_step(app_url, page):
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Samenspel in de buurt")).to_be_visible()
    wait_until_idle(page)
    tab_to(page, page.get_by_role("link", name="Sla de kaart over"))
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # The next stop is beside the map (the legend's heading), not one of its points.
    assert page.evaluate("document.activeElement.closest('iframe') === null")
    beside = page.locator("[data-testid='stHeading']").filter(has_text="Legenda")
    expect(beside.locator("a")).to_be_focused()
