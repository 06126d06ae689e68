"""The sociale kaart (Open Referral HSDS) from the page 'Gegevens in en uit': a zip with the
partners as organizations, their open offers as services and their public addresses as
locations. No contact details: the page does not even offer them for this export, while the
administrator's organisations list has them only when asked for (the control that the check
for contact details in a download can find them)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
import streamlit.testing.v1.app_test as app_test_module
from sqlmodel import Session, select
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from samenspel.storage import db
from samenspel.storage.models import AuditEvent, Contact, Offer, Organisation
from tests.app.conftest import log_in
from tests.conftest import APP

HSDS_COLUMNS = {
    "organizations.csv": ["id", "name", "description", "legal_status", "tax_status"],
    "services.csv": [
        "id", "organization_id", "name", "description", "status", "keywords", "category",
    ],
    "locations.csv": [
        "id", "organization_id", "name", "address_1", "postal_code", "city", "latitude",
        "longitude",
    ],
}  # fmt: skip


@pytest.fixture
def served_files(monkeypatch) -> list[MemoryMediaFileStorage]:
    """The media storages AppTest creates for each run, kept so that a test can read what a
    download button serves (AppTest drops its runtime at the end of every run)."""
    storages: list[MemoryMediaFileStorage] = []

    class KeptStorage(MemoryMediaFileStorage):
        def __init__(self, endpoint: str) -> None:
            super().__init__(endpoint)
            storages.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", KeptStorage)
    return storages


def downloaded(at: AppTest, storages: list[MemoryMediaFileStorage], key: str) -> tuple[str, bytes]:
    """The label and the bytes of the download button `key`, as a browser would get them."""
    (button,) = [b for b in at.get("download_button") if b.proto.id.endswith(key)]
    name = button.proto.url.rsplit("/", 1)[-1]
    return button.proto.label, storages[-1].get_file(name).content


def data_page(user_id: int) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, user_id)
    at.run()
    return at.switch_page("samenspel/web/views/data.py").run()


def rows_of(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def contact_details() -> list[str]:
    """Every e-mail address and phone number of the demo city's contact people."""
    with Session(db.engine_for(db.settings.database_url())) as session:
        contacts = session.exec(select(Contact)).all()
    return [value for c in contacts for value in (c.email, c.phone) if value]


def exports_recorded() -> list[str]:
    with Session(db.engine_for(db.settings.database_url())) as session:
        return list(
            session.exec(select(AuditEvent.action).where(AuditEvent.action == "export_contacts"))
        )


@pytest.mark.parametrize("account", ["makelaar", "beheer"])
def test_the_sociale_kaart_is_a_zip_of_three_files_without_contact_details(
    account, demo_users, served_files
):
    at = data_page(demo_users[account])
    at.selectbox(key="data_what").set_value("hsds").run()
    assert not at.checkbox  # not even an administrator is offered contacts in this export
    assert not at.radio  # always a zip of CSV files
    at.button(key="data_prepare").click().run()
    assert not at.exception
    label, content = downloaded(at, served_files, "data_download")
    assert label == "Download samenspel-sociale-kaart.zip"

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assert set(files) == set(HSDS_COLUMNS)
    for name, columns in HSDS_COLUMNS.items():
        header = next(csv.reader(io.StringIO(files[name].decode("utf-8"))))
        assert header == columns, name

    with Session(db.engine_for(db.settings.database_url())) as session:
        partners = session.exec(select(Organisation).where(Organisation.role == "partner")).all()
        open_offers = session.exec(
            select(Offer)
            .join(Organisation)
            .where(Organisation.role == "partner", Offer.status == "open")
        ).all()
    organizations = rows_of(files["organizations.csv"])
    services = rows_of(files["services.csv"])
    locations = rows_of(files["locations.csv"])
    assert sorted(o["name"] for o in organizations) == sorted(p.name for p in partners)
    assert sorted(s["name"] for s in services) == sorted(o.title for o in open_offers)
    assert {s["organization_id"] for s in services} <= {o["id"] for o in organizations}
    # An informal group's address is a home: it is not a public location.
    informal = {p.name for p in partners if p.legal_form == "informal"}
    assert informal and not informal & {loc["name"] for loc in locations}
    assert locations and all(loc["latitude"] and loc["address_1"] for loc in locations)

    everything = b"".join(files.values()).decode("utf-8")
    details = contact_details()
    assert details and [d for d in details if d in everything] == []
    assert "@" not in everything
    assert exports_recorded() == []  # nothing personal left the app, so nothing to record


def test_contact_details_leave_only_when_the_administrator_asks(demo_users, served_files):
    at = data_page(demo_users["beheer"])
    at.selectbox(key="data_what").set_value("organisations").run()
    at.button(key="data_prepare").click().run()
    _, without = downloaded(at, served_files, "data_download")
    details = contact_details()
    assert [d for d in details if d in without.decode("utf-8")] == []

    at.checkbox(key="data_contacts").check().run()
    at.button(key="data_prepare").click().run()
    _, asked = downloaded(at, served_files, "data_download")
    assert [d for d in details if d not in asked.decode("utf-8")] == []
    assert exports_recorded() == ["export_contacts"]
