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
