"""Importing a spreadsheet in the app: good rows stored, the bad row reported precisely."""

from __future__ import annotations

import pytest

from tests.e2e.test_golden_path import TIMEOUT, log_in, sidebar

pytestmark = pytest.mark.browser

CSV = (
    "id,initiative,legal_form,kind,title,description,themes,place,lat,lon,people,amount_eur,when,"
    "max_distance_km,deadline\n"
    "IMP-1,Buurtgroep Import,informal,goods,Stoelen voor de buurtkamer,,,,52.09,5.11,,,,,\n"
    "IMP-2,Buurtgroep Import,informal,boot,Verkeerde soort,,,,52.09,5.11,,,,,\n"
    "IMP-3,Buurtgroep Import,informal,venue,Plek voor de taalles,,,Lombok,,,12,,di avond,3,\n"
)


def test_a_broker_imports_a_file_and_sees_the_bad_row(app_url, page, tmp_path):
    page.set_default_timeout(TIMEOUT)
    path = tmp_path / "vragen.csv"
    path.write_text(CSV, encoding="utf-8")
    page.goto(app_url)
    page.get_by_role("heading", name="Samenspel in de buurt").wait_for()
    log_in(page, "makelaar")
    page.locator("[data-testid='stSidebarNav']").get_by_role(
        "link", name="Gegevens in en uit"
    ).click()
    page.get_by_role("heading", name="Gegevens in en uit").wait_for()
    page.locator("input[type='file']").set_input_files(str(path))
    page.get_by_text("Voorbeeld: de eerste rijen").wait_for()
    page.get_by_role("button", name="Importeren").click()
    page.get_by_text("vragen: 2 nieuw, 0 bijgewerkt.").wait_for()
    page.get_by_text("1 rijen zijn niet ingelezen").wait_for()
    errors = page.locator("[data-testid='stText']").filter(has_text="rij 3").inner_text()
    assert "rij 3, kolom 'kind': 'boot' is niet een van" in errors
    page.screenshot(path=str(tmp_path / "import.png"), full_page=True)

    # The imported needs are on the map for everyone.
    sidebar(page, "Kaart")
    page.get_by_text("Filters").first.click()
    field = page.get_by_label("Zoek in titel of organisatie").first
    field.fill("Buurtgroep Import")
    field.press("Tab")
    page.get_by_text("2 punten op de kaart").wait_for()
