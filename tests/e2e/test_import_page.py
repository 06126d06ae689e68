"""Importing a spreadsheet in the app: good rows stored, the bad row reported precisely."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import rerun
from tests.e2e.test_golden_path import log_in, sidebar, type_into

pytestmark = pytest.mark.browser

CSV = (
    "id,initiative,legal_form,kind,title,description,themes,place,lat,lon,people,amount_eur,when,"
    "max_distance_km,deadline\n"
    "IMP-1,Buurtgroep Import,informal,goods,Stoelen voor de buurtkamer,,,,52.09,5.11,,,,,\n"
    "IMP-2,Buurtgroep Import,informal,boot,Verkeerde soort,,,,52.09,5.11,,,,,\n"
    "IMP-3,Buurtgroep Import,informal,venue,Plek voor de taalles,,,Lombok,,,12,,di avond,3,\n"
)


def test_a_broker_imports_a_file_and_sees_the_bad_row(app_url, page, tmp_path):
    path = tmp_path / "vragen.csv"
    path.write_text(CSV, encoding="utf-8")
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Samenspel in de buurt")).to_be_visible()
    log_in(page, "makelaar")
    sidebar(page, "Gegevens in en uit")
    with rerun(page):
        page.locator("input[type='file']").set_input_files(str(path))
    expect(page.get_by_text("Voorbeeld: de eerste rijen")).to_be_visible()
    with rerun(page):
        page.get_by_role("button", name="Importeren").click()
    expect(page.get_by_text("vragen: 2 nieuw, 0 bijgewerkt.")).to_be_visible()
    expect(page.get_by_text("1 rijen zijn niet ingelezen")).to_be_visible()
    errors = page.locator("[data-testid='stText']").filter(has_text="rij 3")
    expect(errors).to_contain_text("rij 3, kolom 'kind': 'boot' is niet een van")
    page.screenshot(path=str(tmp_path / "import.png"), full_page=True)

    # The imported needs are on the map for everyone.
    sidebar(page, "Kaart")
    page.get_by_text("Filters").first.click()
    type_into(page, "Zoek in titel of organisatie", "Buurtgroep Import")
    expect(page.get_by_text("2 punten op de kaart")).to_be_visible()
