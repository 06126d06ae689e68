"""The home page in a real browser shows the demo city's markers."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def map_frame(page):
    page.wait_for_selector("iframe[title='streamlit_folium.st_folium']", timeout=60_000)
    return page.frame_locator("iframe[title='streamlit_folium.st_folium']")


def test_home_page_shows_demo_city_markers(app_url, page, tmp_path):
    page.goto(app_url)
    page.get_by_text("Samenspel in de buurt").wait_for(timeout=60_000)
    frame = map_frame(page)
    # Clusters and single markers are both drawn by Leaflet from our data.
    frame.locator(".ss-cluster, .ss-marker").first.wait_for(timeout=60_000)
    clusters = frame.locator(".ss-cluster").all_inner_texts()
    singles = frame.locator(".ss-marker").count()
    shown = sum(int(text) for text in clusters if text.strip().isdigit()) + singles
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
    assert shown >= 140
    assert page.get_by_text("Traceback").count() == 0


def test_a_city_with_too_many_points_is_counted_per_neighbourhood_and_enter_opens_one(
    tmp_path, page
):
    from playwright.sync_api import expect

    from tests.e2e.axe import describe, findings
    from tests.e2e.conftest import rerun, running_app, wait_until_idle

    with running_app(tmp_path, env={"SAMENSPEL_MAP_POINTS_MAX": "50"}) as url:
        page.goto(url)
        wait_until_idle(page)
        expect(page.get_by_text("te veel om los te tonen")).to_be_visible()
        frame = map_frame(page)
        circles = frame.locator(".ss-area")
        circles.first.wait_for()
        assert frame.locator(".ss-cluster, .ss-marker").count() == 0
        # The biggest neighbourhood comes first; its circle is named for a screen reader.
        name, count = circles.first.get_attribute("title").rsplit(": ", 1)
        assert count == f"{circles.first.inner_text()} punten"
        found = findings(page)  # the circles are named buttons like the points
        assert found == [], describe(found)
        with rerun(page):  # Enter on a focused circle clicks it, as on a point
            circles.first.focus()
            page.keyboard.press("Enter")
        # Its points are on the map now, and the filter says which neighbourhood it is.
        map_frame(page).locator(".ss-cluster, .ss-marker").first.wait_for()
        expect(page.get_by_text("te veel om los te tonen")).to_have_count(0)
        expect(page.locator(".st-key-home_hoods")).to_contain_text(name)
        assert page.get_by_text("Traceback").count() == 0
