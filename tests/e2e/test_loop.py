"""The whole matchmaking loop in a real browser, on the demo city, from both ends.

From the initiative's side: its yes on a suggestion puts it first in the broker's queue, the
broker introduces them, the partner's first page says an introduction waits, its yes makes the
contact details visible, and "Is het gelukt? Ja, en het is klaar" ends the partnership as done.
From the partner's side: it posts an offer, says "Ik kan helpen" on the map, the suggestion is
first in the queue, and the initiative's yes after the introduction agrees it.

Screenshots of each step land in the test's tmp_path (and in SAMENSPEL_SCREENSHOTS if set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_card, rerun, wait_until_idle
from tests.e2e.test_golden_path import choose, log_in, sidebar, type_into
from tests.e2e.test_home_map import map_frame
from tests.e2e.test_map_page import search_map

pytestmark = pytest.mark.browser
VENUE_NEED = "Plek om op dinsdagavond samen te koken"  # Buurtkeuken De Pan, demo 'initiatief'
HALL = "Buurtpand De Kade"  # demo 'partner'
HELPERS_NEED = "Buren die willen meekoken of afwassen"  # De Pan's volunteers need
OFFER = "Drie buren die op dinsdagavond meekoken en afwassen"


def shot(page, tmp_path: Path, name: str) -> None:
    wait_until_idle(page)
    folders = [tmp_path]
    if os.environ.get("SAMENSPEL_SCREENSHOTS"):
        folders.append(Path(os.environ["SAMENSPEL_SCREENSHOTS"]))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"loop-{name}.png"), full_page=True)


def first_review_card(page, need_title: str):
    sidebar(page, "Te beoordelen")
    card = page.locator("[class*='st-key-review_card_']").first
    expect(card).to_contain_text(need_title)  # first of the whole queue: people first
    return card


def say_yes_to_the_introduction(page, need_title: str) -> None:
    sidebar(page, "Mijn vragen en aanbod")
    card = page.locator("[class*='st-key-mine_card_']").filter(has_text=need_title).first
    with rerun(page):
        card.get_by_role("button", name="Ja, we willen kennismaken").click()
    expect(page.get_by_text("Je hebt 'ja' gezegd.")).to_be_visible()


def see_the_contact(page, need_title: str, other_side: str) -> None:
    card = page.locator("[class*='st-key-mine_card_']").filter(has_text=need_title).first
    with rerun(page):
        card.get_by_role("button", name="Toon contactgegevens").click()
    contact = card.locator("[data-testid='stText']").filter(has_text="@").first
    expect(contact).to_contain_text(other_side)


def test_the_loop_from_the_initiatives_side(app_url, page, tmp_path):
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Samenspel in de buurt")).to_be_visible()
    log_in(page, "initiatief")
    shot(page, tmp_path, "1-initiative-news")
    sidebar(page, "Mijn vragen en aanbod")
    need = page.locator("[data-testid='stExpander']").filter(has_text=VENUE_NEED).first
    need.get_by_text(VENUE_NEED).first.click()
    suggestion = need.locator("[class*='st-key-mine_suggestion_']").filter(has_text=HALL).first
    expect(suggestion).to_contain_text("past")  # the fit in words, no score
    with rerun(page):
        suggestion.get_by_role("button", name="Ja, hier willen we mee kennismaken").click()
    expect(page.get_by_text("Doorgegeven aan de buurtmakelaar")).to_be_visible()
    shot(page, tmp_path, "2-initiative-yes")

    log_in(page, "makelaar")
    card = first_review_card(page, VENUE_NEED)
    expect(card).to_contain_text("Gevraagd door het initiatief, vandaag")
    shot(page, tmp_path, "3-broker-queue")
    with rerun(page):
        card.get_by_role("button", name="Voorstellen").click()
    expect(page.get_by_text("1 voorgesteld aan elkaar.")).to_be_visible()

    log_in(page, "partner")
    expect(page.get_by_text("Kennismakingen die wachten op jullie ja: 1")).to_be_visible()
    shot(page, tmp_path, "4-partner-news")
    say_yes_to_the_introduction(page, VENUE_NEED)
    see_the_contact(page, VENUE_NEED, "Buurtkeuken De Pan")
    shot(page, tmp_path, "5-partner-contact")

    sidebar(page, "Samenwerkingen")
    card = page.locator("[class*='st-key-partners_card_']").filter(has_text=VENUE_NEED).first
    card.get_by_role("button", name="Is het gelukt? Ja").click()
    with rerun(page):
        page.get_by_role("button", name="Ja, en het is klaar").click()
    expect(page.get_by_text("Fijn! De samenwerking is klaar.")).to_be_visible()
    card = page.locator("[class*='st-key-partners_card_']").filter(has_text=VENUE_NEED).first
    expect(card).to_contain_text("klaar")
    expect(card.get_by_role("button", name="Is het gelukt? Ja")).to_have_count(0)
    shot(page, tmp_path, "6-done")


def test_the_loop_from_the_partners_side(app_url, page, tmp_path):
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Samenspel in de buurt")).to_be_visible()
    log_in(page, "partner")
    with rerun(page):
        page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Plaatsen").click()
    expect(page.get_by_role("heading", name="Aanbod plaatsen")).to_be_visible()
    choose(page, "Wat voor hulp?", "Vrijwilligers")
    type_into(page, "Titel", OFFER)
    with rerun(page):
        page.get_by_role("button", name="Plaatsen").click()
    expect(page.get_by_text("Geplaatst:")).to_be_visible()

    sidebar(page, "Kaart")
    search_map(page, HELPERS_NEED)
    marker = map_frame(page).locator(".ss-marker").first
    marker.wait_for()
    card = page.locator("[class*='st-key-home_card_need_']").first
    open_card(page, marker, card)
    choose(page, "Met welk aanbod?", OFFER)
    with rerun(page):
        card.get_by_role("button", name="Ik kan helpen").click()
    expect(page.get_by_text("Doorgegeven aan de buurtmakelaar")).to_be_visible()
    shot(page, tmp_path, "7-partner-ik-kan-helpen")

    log_in(page, "makelaar")
    card = first_review_card(page, HELPERS_NEED)
    expect(card).to_contain_text("Gevraagd door de partner, vandaag")
    with rerun(page):
        card.get_by_role("button", name="Voorstellen").click()
    expect(page.get_by_text("1 voorgesteld aan elkaar.")).to_be_visible()

    log_in(page, "initiatief")
    expect(page.get_by_text("Kennismakingen die wachten op jullie ja: 1")).to_be_visible()
    say_yes_to_the_introduction(page, HELPERS_NEED)
    see_the_contact(page, HELPERS_NEED, HALL)
    shot(page, tmp_path, "8-initiative-contact")
