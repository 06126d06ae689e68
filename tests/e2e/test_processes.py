"""Two app processes on one PostgreSQL database, as docs/deployment.md runs them behind nginx:
a login made on one holds on the other (a session row and a cookie), a need posted on one is on
the other's pages at once (the data versions reach its caches), and the suggestions the first
process works out in its background thread show on the second."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import running_app, wait_until_idle
from tests.e2e.test_golden_path import log_in, sidebar, type_into
from tests.e2e.test_home_map import map_frame

pytestmark = pytest.mark.browser
TITLE = "Een keuken voor onze kookavond met buren op dinsdag"
HOOD = "Kanaleneiland"  # where the demo initiative (Buurtkeuken De Pan) is


def neighbourhood_count(page, name: str) -> int:
    """The number on the map's circle of one neighbourhood (the map counts per neighbourhood
    when there are more points than SAMENSPEL_MAP_POINTS_MAX)."""
    circle = map_frame(page).locator(f".ss-area[title^='{name}:']")
    circle.wait_for()
    return int(circle.get_attribute("title").rsplit(": ", 1)[1].split()[0].replace(".", ""))


def test_two_processes_share_logins_posts_and_suggestions(tmp_path, postgres_url, page):
    env = {"SAMENSPEL_DATABASE_URL": postgres_url, "SAMENSPEL_MAP_POINTS_MAX": "50"}
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    with running_app(tmp_path / "one", env=env) as one:
        page.goto(one)  # the first run seeds the demo city, before the second process starts
        expect(page.get_by_role("heading", name="Samenspel in de buurt")).to_be_visible()
        wait_until_idle(page)
        with running_app(tmp_path / "two", env=env) as two:
            page.goto(two)  # the second process's map, read and cached there
            wait_until_idle(page)
            before = neighbourhood_count(page, HOOD)

            page.goto(one)
            log_in(page, "initiatief")
            sidebar(page, "Plaatsen")
            type_into(page, "Titel", TITLE)
            type_into(page, "Met hoeveel mensen zijn jullie?", "20")
            page.get_by_role("button", name="Plaatsen").click()
            expect(page.get_by_text("Geplaatst:")).to_be_visible()

            # The same browser on the other process (nginx would move it there when the
            # first one restarts): still logged in; its cached map counts the new need...
            page.goto(two)
            expect(page.get_by_role("heading", name="Nieuw voor jullie")).to_be_visible()
            sidebar(page, "Kaart")
            assert neighbourhood_count(page, HOOD) == before + 1
            # ...and the suggestions the first process worked out are there.
            sidebar(page, "Mijn vragen en aanbod")
            need = page.locator("[data-testid='stExpander']").filter(has_text=TITLE).first
            need.get_by_text(TITLE).first.click()
            details = need.locator("[data-testid='stExpanderDetails']")
            expect(
                details.get_by_role("button", name="Ja, hier willen we mee kennismaken").first
            ).to_be_visible()
            expect(details).not_to_contain_text("We zoeken suggesties")
