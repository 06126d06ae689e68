"""Logboek: the audit trail, for administrators only. Filters, newest first, paged with counts
from SQL, and a formula-safe CSV download that is itself recorded in the trail."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from samenspel.services import audit_log
from samenspel.services.errors import NotAllowed
from samenspel.services.permissions import Actor
from samenspel.storage import db
from samenspel.storage.models import AuditEvent, User
from samenspel.web.navigation import pages_for
from tests.app.conftest import log_in
from tests.conftest import APP, ROOT

ADMIN = Actor(user_id=None, role="admin", system=True)


def app_engine():
    return db.engine_for(db.settings.database_url())


def add_events(engine, action: str, n: int, *, user_id=None, start=None, detail="") -> None:
    """n events of `action`, one minute apart, the last one newest."""
    start = start or datetime.now(UTC) - timedelta(hours=1)
    with Session(engine) as session:
        for i in range(n):
            session.add(AuditEvent(at=start + timedelta(minutes=i), user_id=user_id,
                                   action=action, entity="need", entity_id=i, detail=detail))  # fmt: skip
        session.commit()


def audit_page(user_id: int) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, user_id)
    at.run()
    return at.switch_page("samenspel/web/views/audit.py").run()


# --- the page --------------------------------------------------------------------------------


def test_only_administrators_have_the_page():
    assert [role for role in ("public", "initiative", "partner", "broker", "admin")
            if "samenspel/web/views/audit.py" in pages_for(role)] == ["admin"]  # fmt: skip


def test_a_broker_opening_the_page_is_refused(demo_users):
    at = AppTest.from_file(
        str(ROOT / "samenspel" / "web" / "views" / "audit.py"), default_timeout=60
    )
    log_in(at, demo_users["makelaar"])
    at.run()
    assert [e.value for e in at.error] == [
        "Deze pagina is niet voor jouw account. Log in met een ander account."
    ]
    assert not at.dataframe and not at.exception


def test_the_administrator_sees_the_trail_newest_first_and_filters_it(demo_users):
    add_events(app_engine(), "page_test_filter", 3, user_id=demo_users["makelaar"])
    at = audit_page(demo_users["beheer"])
    assert not at.exception
    assert [title.value for title in at.title] == ["Logboek"]
    at.selectbox(key="audit_action").set_value("page_test_filter").run()
    assert [c.value for c in at.main.caption] == ["3 regels, bladzijde 1 van 1"]
    table = at.dataframe[0].value
    assert list(table["nummer"]) == [2, 1, 0]  # newest first
    assert set(table["wie"]) == {"makelaar"}
    at.text_input(key="audit_who").input("beheer").run()  # nobody else did this action
    assert [c.value for c in at.main.caption] == ["0 regels, bladzijde 1 van 1"]


def test_many_rows_come_a_hundred_per_page(demo_users):
    add_events(app_engine(), "page_test_paging", 150)
    add_events(app_engine(), "page_test_filter", 3)
    at = audit_page(demo_users["beheer"])
    at.selectbox(key="audit_action").set_value("page_test_paging").run()
    assert [c.value for c in at.main.caption] == ["150 regels, bladzijde 1 van 2"]
    assert len(at.dataframe[0].value) == 100
    assert set(at.dataframe[0].value["wie"]) == {"(systeem)"}
    at.number_input(key="audit_page").set_value(2).run()
    assert [c.value for c in at.main.caption] == ["150 regels, bladzijde 2 van 2"]
    assert list(at.dataframe[0].value["nummer"])[:3] == [49, 48, 47]
    # Fewer rows after a filter change: the page shown moves back into range.
    at.selectbox(key="audit_action").set_value("page_test_filter").run()
    assert at.caption[0].value.endswith("bladzijde 1 van 1")


def test_the_download_is_recorded_in_the_trail(demo_users):
    add_events(app_engine(), "page_test_paging", 3)
    at = audit_page(demo_users["beheer"])
    at.selectbox(key="audit_action").set_value("page_test_paging").run()
    assert not at.get("download_button")
    at.button(key="audit_prepare").click().run()
    assert not at.exception and at.get("download_button")
    with Session(app_engine()) as session:
        last = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (last.action, last.user_id) == ("export_audit_log", demo_users["beheer"])
    assert "action=page_test_paging" in last.detail


# --- the queries, on SQLite and PostgreSQL --------------------------------------------------


@pytest.fixture
def trail(engine):
    with Session(engine) as session:
        anja = User(username="anja", role="initiative")
        bram = User(username="bram_50%", role="broker")
        session.add_all([anja, bram])
        session.commit()
        ids = {"anja": anja.id, "bram": bram.id}
    day = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    add_events(engine, "create", 2, user_id=ids["anja"], start=day)
    add_events(engine, "reject", 1, user_id=ids["bram"], start=day + timedelta(days=1),
               detail="=HYPERLINK(\"http://evil.example\",\"klik\")")  # fmt: skip
    # 23:30 UTC on 11 March is 00:30 on 12 March in Amsterdam: a Dutch date of 12 March.
    add_events(
        engine, "login", 1, user_id=ids["anja"], start=datetime(2026, 3, 11, 23, 30, tzinfo=UTC)
    )
    return engine, ids


def search(engine, **filters) -> audit_log.AuditPage:
    with db.unit_of_work(engine, read_only=True) as session:
        return audit_log.search(
            session=session, actor=ADMIN, filters=audit_log.AuditFilter(**filters)
        )


def test_filters_combine_and_count_in_sql(trail):
    engine, ids = trail
    assert search(engine).total == 4
    assert list(search(engine, username="ANJ").rows["action"]) == ["login", "create", "create"]
    # _ and % are characters here, not wildcards ("ram" and "m_50%" would match them).
    assert search(engine, username="r_m").total == 0
    assert search(engine, username="m%").total == 0
    assert search(engine, username="m_50%").total == 1
    assert search(engine, action="create", username="anja").total == 2
    assert search(engine, entity="offer").total == 0
    assert search(engine, start=date(2026, 3, 11), end=date(2026, 3, 11)).total == 1
    march_12 = search(engine, start=date(2026, 3, 12))
    assert list(march_12.rows["action"]) == ["login"]  # a Dutch day, not a UTC one
    assert search(engine, end=date(2026, 3, 10)).total == 2


def test_pages_clamp_to_the_rows_there_are(trail):
    engine, _ = trail
    with db.unit_of_work(engine, read_only=True) as session:
        second = audit_log.search(session=session, actor=ADMIN, filters=audit_log.AuditFilter(),
                                  page=2, page_size=3)  # fmt: skip
        past_the_end = audit_log.search(session=session, actor=ADMIN,
                                        filters=audit_log.AuditFilter(), page=9, page_size=3)  # fmt: skip
    assert (second.total, second.pages, second.page, len(second.rows)) == (4, 2, 2, 1)
    assert past_the_end.page == 2


def test_the_csv_is_formula_safe_and_its_download_recorded(trail):
    engine, ids = trail
    admin = Actor(user_id=ids["bram"], role="admin")
    with db.unit_of_work(engine) as session:
        data = audit_log.export_csv(session=session, actor=admin,
                                    filters=audit_log.AuditFilter(action="reject"))  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert [row["action"] for row in rows] == ["reject"]
    assert rows[0]["username"] == "bram_50%"
    assert rows[0]["detail"].startswith("'=HYPERLINK")  # text in a spreadsheet, not a formula
    assert datetime.fromisoformat(rows[0]["time"]).utcoffset() == timedelta(hours=1)
    exported = search(engine, action="export_audit_log")
    assert exported.total == 1 and exported.rows["user_id"][0] == ids["bram"]


@pytest.mark.parametrize("role", ["public", "initiative", "partner", "broker"])
def test_only_an_administrator_may_read_or_download(trail, role):
    engine, ids = trail
    who = Actor(user_id=ids["anja"], role=role)
    for call in (
        lambda session: audit_log.search(session=session, actor=who,
                                         filters=audit_log.AuditFilter()),
        lambda session: audit_log.choices(session=session, actor=who),
        lambda session: audit_log.export_csv(session=session, actor=who,
                                             filters=audit_log.AuditFilter()),
    ):  # fmt: skip
        with pytest.raises(NotAllowed), db.unit_of_work(engine) as session:
            call(session)
    assert search(engine, action="export_audit_log").total == 0
