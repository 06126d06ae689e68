"""Storage on a real database: Alembic builds the schema, upgrades keep rows, and the SQLite
default loses no update under concurrent read-then-write transactions."""

from __future__ import annotations

import threading

from sqlalchemy import text
from sqlmodel import Session, select

from samenspel.storage import db
from samenspel.storage.models import Match, Need, Organisation

HEAD = "0016"
TABLES = {"organisation", "contact", "need", "offer", "fund", "match", "user", "auditevent"}


def test_alembic_creates_every_table_and_stamps_head(engine):
    assert TABLES <= db.table_names(engine)
    assert "alembic_version" in db.table_names(engine)
    assert db.current_revision(engine) == HEAD


def test_upgrade_is_a_no_op_when_already_at_head(engine):
    db.upgrade(engine)
    db.upgrade(engine)
    assert db.current_revision(engine) == HEAD


def test_upgrading_a_database_that_holds_rows_keeps_them(empty_database_url):
    """Rows written by the first schema (with plain SQL, as the app of that time wrote them)
    survive every later migration."""
    engine = db.make_engine(empty_database_url)
    db.upgrade(engine, "0001")
    assert db.current_revision(engine) == "0001"
    now = "2026-01-01 10:00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisation (id, name, role, partner_type, description, boundaries, legal_form,"
                " anbi, neighbourhood, municipality, address, postcode, lat, lon, conditions, themes,"
                " created_at, updated_at) VALUES (1, 'Buurtkeuken De Pan', 'initiative', 'initiative', '', '',"
                " 'informal', false, 'Lombok', 'Utrecht', '', '', 52.07, 5.09, '', '', :now, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO need (id, organisation_id, kind, title, description, themes, conditions, people,"
                " skills, needs_kitchen, needs_step_free, slots, place, status, created_at, updated_at)"
                " VALUES (1, 1, 'venue', 'Plek om samen te koken', '', '', '', 30, '', false, false,"
                " 'di avond', '', 'open', :now, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO match (id, need_id, score, components, reasons, tie, status, initiative_agreed,"
                " partner_agreed, decision_reason, version, created_at, updated_at) VALUES (1, 1, 0.8, '{}',"
                " '[\"1,2 km verderop\", \"dinsdagavond beschikbaar\"]', 'bridging', 'introduced', false, false, '', 3, :now, :now)"
            ),
            {"now": now},
        )

    db.upgrade(engine)

    assert db.current_revision(engine) == HEAD
    with Session(engine) as session:
        (org,) = session.exec(select(Organisation)).all()
        (need,) = session.exec(select(Need)).all()
        (match,) = session.exec(select(Match)).all()
        assert (org.name, org.legal_form, org.lat) == ("Buurtkeuken De Pan", "informal", 52.07)
        assert (need.title, need.people, need.slots, need.organisation_id) == (
            "Plek om samen te koken",
            30,
            "di avond",
            1,
        )
        # 0006 dropped the distance measured from an informal group's home; the rest stays,
        # as a legacy reason since 0008 (it has no English: 0004 came after it).
        assert (match.score, match.reasons, match.status, match.version) == (
            0.8,
            [{"code": "legacy", "params": {"nl": "dinsdagavond beschikbaar", "en": ""}}],
            "introduced",
            3,
        )
        assert match.origin == "engine"  # the column added later got its default
    engine.dispose()


def test_eight_threads_doing_read_then_write_lose_no_update(sqlite_engine):
    with Session(sqlite_engine) as session:
        org = Organisation(name="Teller")
        session.add(org)
        session.flush()
        need = Need(organisation_id=org.id, kind="money", title="geld")
        session.add(need)
        session.flush()
        match = Match(need_id=need.id, score=0.5, version=0)
        session.add(match)
        session.commit()
        match_id = match.id
    threads, per_thread, failures = 8, 50, []

    def work():
        try:
            for _ in range(per_thread):
                with Session(sqlite_engine) as session:
                    row = session.get(Match, match_id)  # read ...
                    row.version = row.version + 1  # ... then write, in one transaction
                    session.commit()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert failures == []
    with Session(sqlite_engine) as session:
        assert session.get(Match, match_id).version == threads * per_thread


def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_engine):
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_read_only_units_of_work_do_not_take_the_write_lock(sqlite_engine):
    with db.unit_of_work(sqlite_engine, read_only=True) as reader:
        reader.exec(select(Organisation)).all()
        # A writer can still start while the reader's transaction is open.
        with Session(sqlite_engine) as writer:
            writer.add(Organisation(name="Tegelijk"))
            writer.commit()
