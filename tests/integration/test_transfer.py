"""Data in and out: imports with bad rows, a killed import, and round trips that lose nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, func, select

from samenspel.matching.csvformat import NEED_COLUMNS
from samenspel.matching.synthetic import generate, to_csv
from samenspel.services import funding, transfer
from samenspel.services.backup import backup, restore
from samenspel.services.permissions import Actor
from samenspel.storage import db
from samenspel.storage.models import Need
from samenspel.storage.seed import seed_demo
from tests.conftest import ROOT

SYSTEM = Actor(user_id=None, role="admin", system=True)
# (column, bad value, words in the reason): 37 bad rows cycle through these
CORRUPTIONS = [
    ("kind", "boot", "niet een van"),
    ("amount_eur", "veel", "geen getal"),
    ("when", "soms", "geen dag of dagdeel"),
    ("title", "", "moet ingevuld zijn"),
    ("deadline", "31-02-2027", "geen datum"),
    ("legal_form", "club", "niet een van"),
    ("max_distance_km", "-3", "kleiner dan 0"),
    ("people", "2.5", "geen heel getal"),
]


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: to compare databases exactly."""
    rows = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            query = sa_select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in connection.execute(query)]
    return rows


def bad_file(rows: int, bad: int) -> tuple[bytes, set[tuple[int, str]]]:
    needs, _ = generate(rows, 1)
    expected = set()
    for k in range(bad):
        index = (k * 131 + 7) % rows  # spread over the file
        column, value, _ = CORRUPTIONS[k % len(CORRUPTIONS)]
        if column == "people":
            needs[index]["kind"] = "venue"
        needs[index][column] = value
        expected.add((index + 2, column))  # spreadsheet row: the header is row 1
    return to_csv(needs, NEED_COLUMNS).encode("utf-8"), expected


def test_importing_5000_rows_with_37_bad_stores_4963_and_reports_the_37_precisely(sqlite_engine):
    content, expected = bad_file(5000, 37)
    assert len(expected) == 37
    with Session(sqlite_engine) as session:
        report = transfer.import_file(
            session=session, actor=SYSTEM, filename="vragen.csv", content=content
        )
        assert report.created == 4963 and report.updated == 0
        assert {(e.row, e.column) for e in report.errors} == expected
        for error in report.errors:
            words = next(w for c, _, w in CORRUPTIONS if c == error.column)
            assert words in error.message
        assert session.exec(select(func.count()).select_from(Need)).one() == 4963


def test_reimporting_the_same_file_updates_instead_of_duplicating(sqlite_engine):
    content, _ = bad_file(300, 0)
    with Session(sqlite_engine) as session:
        first = transfer.import_file(
            session=session, actor=SYSTEM, filename="a.csv", content=content
        )
        second = transfer.import_file(
            session=session, actor=SYSTEM, filename="a.csv", content=content
        )
        assert (first.created, second.created, second.updated) == (300, 0, 300)
        assert session.exec(select(func.count()).select_from(Need)).one() == 300


def test_a_kill_9_in_the_middle_of_an_import_leaves_the_database_exactly_as_before(tmp_path):
    instance = tmp_path / "instance"
    env = {**os.environ, "SAMENSPEL_INSTANCE_DIR": str(instance), "SAMENSPEL_DEMO": "0"}
    env.pop("SAMENSPEL_DATABASE_URL", None)
    small, _ = bad_file(200, 0)
    (tmp_path / "small.csv").write_bytes(small)
    big, _ = bad_file(20000, 0)
    (tmp_path / "big.csv").write_bytes(big.replace(b",N", b",B"))  # other ids than small.csv
    cli = [sys.executable, "-m", "samenspel.cli", "import"]
    subprocess.run(
        [*cli, str(tmp_path / "small.csv")], env=env, cwd=ROOT, check=True, capture_output=True
    )
    engine = db.make_engine(f"sqlite:///{instance / 'samenspel.storage.db'}")
    before = snapshot(engine)
    engine.dispose()

    process = subprocess.Popen([*cli, str(tmp_path / "big.csv")], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    seen = bytearray()

    def read_progress() -> None:
        while chunk := process.stderr.read(1):
            seen.extend(chunk)

    threading.Thread(target=read_progress, daemon=True).start()
    deadline = time.monotonic() + 120
    while b"#" not in seen and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # rows are being written inside the import's transaction
    assert process.poll() is None, "the import ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    engine = db.make_engine(f"sqlite:///{instance / 'samenspel.storage.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert snapshot(engine) == before
    engine.dispose()


def test_export_then_import_loses_nothing(sqlite_url, tmp_path):
    source = db.make_engine(sqlite_url)
    seed_demo(source)
    target = db.make_engine(f"sqlite:///{tmp_path / 'target.db'}")
    db.upgrade(target)

    def exports(engine) -> dict[str, pd.DataFrame]:
        with Session(engine) as session:
            return {
                "organisations": transfer.export_organisations(
                    session, actor=SYSTEM, with_contacts=True
                ),
                "funds": funding.catalogue_frame(session),
                "needs": transfer.export_needs(session, actor=SYSTEM, full=True),
                "offers": transfer.export_offers(session, actor=SYSTEM, full=True),
            }

    first = exports(source)
    with Session(target) as session:
        for kind, frame in first.items():
            content = frame.to_csv(index=False).encode("utf-8")
            report = transfer.import_file(
                session=session, actor=SYSTEM, filename=f"{kind}.csv", content=content
            )
            assert report.errors == [] and report.created == len(frame)
    second = exports(target)
    for kind in first:
        pd.testing.assert_frame_equal(first[kind].astype(str), second[kind].astype(str), obj=kind)


def test_backup_then_restore_loses_nothing(engine, tmp_path):
    seed_demo(engine)
    before = snapshot(engine)
    path = backup(
        engine, tmp_path / ("backup.db" if engine.dialect.name == "sqlite" else "backup.dump")
    )
    with Session(engine) as session:  # damage: what a restore must undo
        for need in session.exec(select(Need)).all()[:10]:
            need.title = "kapot"
        session.commit()
    assert snapshot(engine) != before
    restore(engine, path)
    after = snapshot(engine)
    # The restore itself is the one new line in the audit trail.
    restored = [row for row in after["auditevent"] if row not in before["auditevent"]]
    assert len(restored) == 1 and "restore" in restored[0]
    assert {**after, "auditevent": before["auditevent"]} == before


def test_restoring_something_that_is_not_a_backup_is_a_clear_error(sqlite_engine, tmp_path):
    from samenspel.services.backup import BackupError

    junk = tmp_path / "junk.db"
    junk.write_text("geen database")
    with pytest.raises(BackupError, match="geen backup van Samenspel"):
        restore(sqlite_engine, junk)


def test_a_broker_imports_only_for_their_own_areas_and_never_organisations(sqlite_world):
    from samenspel.services.errors import NotAllowed

    noord = sqlite_world["actors"]["noord"]  # broker for Zuilen, not Lombok
    header = ",".join(NEED_COLUMNS) + "\n"
    rows = ("Z1,Taalcafé Zuilen,informal,goods,Stoelen,,,,52.1,5.09,,,,,\n"
            "L1,Buurtkeuken De Pan,informal,goods,Pannen,,,,52.09,5.10,,,,,\n"
            "X1,Nieuwe Groep,informal,goods,Tafels,,,,52.1,5.09,,,,,\n"
            "X2,Nieuwe Groep,informal,goods,Bekers,,,,52.1,5.09,,,,,\n")  # fmt: skip
    with Session(sqlite_world["engine"]) as session:
        report = transfer.import_file(
            session=session, actor=noord, filename="v.csv", content=(header + rows).encode()
        )
        assert report.created == 3
        assert [(e.row, e.column) for e in report.errors] == [
            (3, "initiative")
        ]  # De Pan is in Lombok
        with pytest.raises(NotAllowed):
            transfer.import_file(
                session=session,
                actor=noord,
                filename="o.csv",
                content=b"id,name,role\nA,Iets,initiative\n",
            )


def test_an_export_of_records_posted_in_the_app_imports_back_onto_them(sqlite_world):
    from samenspel.services import posts

    with Session(sqlite_world["engine"]) as session:
        posts.create_need(
            session=session,
            actor=sqlite_world["actors"]["anja"],
            organisation_id=sqlite_world["pan"],
            form=posts.PostForm(kind="goods", title="Stoelen"),
        )
        exported = transfer.export_needs(session, actor=SYSTEM, full=True)
        assert exported.loc[0, "id"].startswith("N")
        report = transfer.import_file(
            session=session,
            actor=SYSTEM,
            filename="n.csv",
            content=exported.to_csv(index=False).encode(),
        )
        assert (report.created, report.updated) == (0, 1)
        assert session.exec(select(func.count()).select_from(Need)).one() == 1
