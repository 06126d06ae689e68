"""Gegevens in en uit: an export made on the page is the same file the command line writes,
and one with exact places and contacts is an administrator's, recorded in the audit trail in
the same unit of work that made it."""

from __future__ import annotations

import csv
import io

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from samenspel.matching.fields import NEEDS
from samenspel.storage import db
from samenspel.storage.models import AuditEvent
from tests.app.conftest import log_in
from tests.conftest import APP

PAGE = "samenspel/web/views/data.py"


def data_page(user_id: int) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, user_id)
    at.run()
    return at.switch_page(PAGE).run()


def prepared(at: AppTest, what: str, *, contacts: bool = False) -> tuple[bytes, str]:
    at.selectbox(key="data_what").set_value(what).run()
    if contacts:
        at.checkbox(key="data_contacts").check().run()
    at.button(key="data_prepare").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at.session_state["data_file"]


def audited(action: str) -> list[AuditEvent]:
    with Session(db.engine_for(db.settings.database_url())) as session:
        return session.exec(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_an_administrators_full_export_has_every_column_and_is_audited(demo_users):
    data, name = prepared(data_page(demo_users["beheer"]), "needs", contacts=True)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert name == "samenspel-needs.csv" and len(rows) == 84
    assert list(rows[0]) == list(NEEDS.file_columns)
    assert {row["format_version"] for row in rows} == {"2"}
    (event,) = audited("export_full")
    assert (event.user_id, event.entity) == (demo_users["beheer"], "need")


def test_a_brokers_export_shows_informal_groups_at_neighbourhood_level_unaudited(demo_users):
    at = data_page(demo_users["makelaar"])
    assert "data_contacts" not in [c.key for c in at.checkbox]  # not theirs to ask for
    data, _ = prepared(at, "organisations")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    informal = [row for row in rows if row["legal_form"] == "informal"]
    assert informal and all(row["address"] == "" and row["contact_email"] == "" for row in informal)
    assert audited("export_contacts") == [] and audited("export_full") == []
