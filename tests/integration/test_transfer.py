"""Data in and out: imports with bad rows, a killed import, re-imports that update and keep
what a file has no column for, references to organisations, format versions, and imports and
exports that work in their caller's unit of work. The whole city's round trip is
test_roundtrip.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, func, select

from samenspel.matching.csvformat import NEED_COLUMNS
from samenspel.matching.synthetic import generate, to_csv
from samenspel.services import transfer
from samenspel.services.backup import backup, restore
from samenspel.services.permissions import Actor
from samenspel.storage import db
from samenspel.storage.models import Match, Need, Organisation
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
    """Every row of every table, in primary-key order: to compare databases exactly. Not the
    data versions: a restore moves them past every earlier number on purpose (they say when
    caches must read again, storage/versions.py; tests/integration/test_data_versions.py)."""
    rows = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name == "data_version":
                continue
            query = sa_select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in connection.execute(query)]
    return rows


def import_into(engine, content: bytes, *, actor=SYSTEM, kind: str | None = None):
    """One import in its own unit of work, as the command line and the data page run it."""
    with db.unit_of_work(engine) as session:
        return transfer.import_file(session=session, actor=actor, filename="bestand.csv",
                                    content=content, kind=kind)  # fmt: skip


def export(engine, what: str) -> bytes:
    with db.unit_of_work(engine) as session:
        return transfer.export_file(session=session, actor=SYSTEM, what=what, full=True).data


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
    with db.unit_of_work(sqlite_engine) as session:
        report = transfer.import_file(
            session=session, actor=SYSTEM, filename="vragen.csv", content=content
        )
    with Session(sqlite_engine) as session:
        assert report.created == 4963 and report.updated == 0
        assert {(e.row, e.column) for e in report.errors} == expected
        for error in report.errors:
            words = next(w for c, _, w in CORRUPTIONS if c == error.column)
            assert words in error.message
        assert session.exec(select(func.count()).select_from(Need)).one() == 4963


def test_an_imports_progress_keeps_moving_while_its_suggestions_are_made(sqlite_engine):
    seed_demo(sqlite_engine)  # offers to suggest
    content, _ = bad_file(1000, 0)
    seen = []
    with db.unit_of_work(sqlite_engine) as session:
        transfer.import_file(session=session, actor=SYSTEM, filename="vragen.csv",
                             content=content, progress=seen.append)  # fmt: skip
    assert seen == sorted(seen) and seen[-1] == 1.0
    # The rows take the first four fifths; the suggestions, 400 needs at a time, the rest.
    assert [round(x, 2) for x in seen if x > 0.8] == [0.88, 0.96, 1.0, 1.0]
    with Session(sqlite_engine) as session:
        imported = select(Need.id).where(col(Need.external_id).is_not(None))
        with_suggestions = select(func.count(func.distinct(Match.need_id))).where(
            col(Match.need_id).in_(imported)
        )
        assert session.exec(with_suggestions).one() > 0  # those near the demo city


def test_reimporting_the_same_file_updates_instead_of_duplicating(sqlite_engine):
    content, _ = bad_file(300, 0)
    first, second = (import_into(sqlite_engine, content), import_into(sqlite_engine, content))
    with Session(sqlite_engine) as session:
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
    engine = db.make_engine(f"sqlite:///{instance / 'samenspel.db'}")
    before = snapshot(engine)
    engine.dispose()
    assert len(before["need"]) == 200  # the database the command line wrote to

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

    engine = db.make_engine(f"sqlite:///{instance / 'samenspel.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert snapshot(engine) == before
    engine.dispose()


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
    with db.unit_of_work(sqlite_world["engine"]) as session:
        report = transfer.import_file(
            session=session, actor=noord, filename="v.csv", content=(header + rows).encode()
        )
    assert report.created == 3
    assert [(e.row, e.column) for e in report.errors] == [(3, "initiative")]  # De Pan: Lombok
    with pytest.raises(NotAllowed), db.unit_of_work(sqlite_world["engine"]) as session:
        transfer.import_file(session=session, actor=noord, filename="o.csv",
                             content=b"id,name,role\nA,Iets,initiative\n")  # fmt: skip


def test_an_export_of_records_posted_in_the_app_imports_back_onto_them(sqlite_world):
    from samenspel.services import posts

    engine = sqlite_world["engine"]
    with db.unit_of_work(engine) as session:
        posts.create_need(
            session=session,
            actor=sqlite_world["actors"]["anja"],
            organisation_id=sqlite_world["pan"],
            form=posts.PostForm(kind="goods", title="Stoelen", kitchen=True, skills="tillen"),
        )
    exported = export(engine, "needs")
    assert exported.splitlines()[1].startswith(b'"N')
    report = import_into(engine, exported)
    assert (report.created, report.updated) == (0, 1)
    with Session(engine) as session:
        (need,) = session.exec(select(Need)).all()
        assert (need.external_id, need.needs_kitchen, need.skills) == (
            f"N{need.id}",
            True,
            "tillen",
        )


# --- re-imports, references and versions ------------------------------------------------

NEED = "id,initiative,kind,title,lat,lon"


def stored_need(engine, external_id: str = "N1") -> Need:
    with Session(engine) as session:
        return session.exec(select(Need).where(Need.external_id == external_id)).one()


def test_a_file_without_a_column_keeps_that_field_and_an_empty_cell_clears_it(sqlite_engine):
    full = (f"{NEED},skills,needs_kitchen,start_date,status\n"
            "N1,De Pan,volunteers,Koks,52.09,5.10,koken,yes,2027-03-01,matched\n").encode()  # fmt: skip
    import_into(sqlite_engine, full)
    # Today's columns only (format 1): what it has no column for stays as it was.
    report = import_into(sqlite_engine, f"{NEED}\nN1,De Pan,volunteers,Koks!,52.09,5.10\n".encode())
    need = stored_need(sqlite_engine)
    assert report.updated == 1 and need.title == "Koks!"
    assert (need.skills, need.needs_kitchen, need.start_date.isoformat(), need.status) == (
        "koken", True, "2027-03-01", "matched"
    )  # fmt: skip
    # The column is there but empty: the field is emptied, to its default.
    import_into(
        sqlite_engine,
        f"{NEED},skills,needs_kitchen\nN1,De Pan,volunteers,Koks,52.09,5.10,,\n".encode(),
    )
    need = stored_need(sqlite_engine)
    assert (need.skills, need.needs_kitchen, need.status) == ("", False, "matched")


def test_a_reference_to_an_organisation_wins_over_its_name(sqlite_world):
    engine, pan = sqlite_world["engine"], sqlite_world["pan"]
    content = (f"{NEED},organisation_id\nN1,Oude naam van De Pan,goods,Stoelen,52.09,5.10,ORG{pan}\n"
               f"N2,Buurtkeuken De Pan,goods,Tafels,52.09,5.10,\n"
               f"N3,Nieuwe Groep,goods,Bekers,52.09,5.10,ORG999\n").encode()  # fmt: skip
    report = import_into(engine, content)
    assert (report.created, report.errors) == (3, [])
    assert stored_need(engine, "N1").organisation_id == pan  # renamed, still found by its id
    assert stored_need(engine, "N2").organisation_id == pan  # no id: found by its name
    with Session(engine) as session:  # an id nobody has: the name decides (a new group)
        org = session.get(Organisation, stored_need(engine, "N3").organisation_id)
        assert (org.name, org.external_id) == ("Nieuwe Groep", None)
        assert session.get(Organisation, pan).external_id is None  # only read, never renamed


def test_a_file_of_a_newer_format_version_is_refused_whole_and_older_ones_import(sqlite_engine):
    from samenspel.services.errors import InvalidInput

    row = "N1,De Pan,goods,Stoelen,52.09,5.10"
    with pytest.raises(InvalidInput) as refused:
        import_into(
            sqlite_engine, f"{NEED},format_version\n{row},2\nN2,X,goods,Y,52,5,3\n".encode()
        )
    assert "versie 3" in refused.value.field_errors["file"]
    assert "1 tot en met 2" in refused.value.field_errors["file"]
    with Session(sqlite_engine) as session:
        assert session.exec(select(func.count()).select_from(Need)).one() == 0
    for version in ("1", "2", ""):
        report = import_into(sqlite_engine, f"{NEED},format_version\n{row},{version}\n".encode())
        assert report.errors == []
    with pytest.raises(InvalidInput, match="geen versienummer"):
        import_into(sqlite_engine, f"{NEED},format_version\n{row},twee\n".encode())


def test_a_fund_file_of_a_newer_format_version_is_refused(sqlite_engine):
    from samenspel.services.errors import InvalidInput

    with pytest.raises(InvalidInput, match="versie 9"):
        import_into(sqlite_engine, b"id,name,source_type,format_version\nf1,Fonds,fund,9\n")


def test_texts_a_spreadsheet_would_read_as_formulas_come_back_as_typed(sqlite_world):
    """Exports put a quote before a leading = + - @ (CSV injection); imports take it off."""
    engine = sqlite_world["engine"]
    typed = {"title": "=SOM(1;2)", "skills": "+31 6 1234 5678", "description": "@buurt\n-- twee"}
    with db.unit_of_work(engine) as session:
        session.add(Need(organisation_id=sqlite_world["pan"], kind="goods", external_id="N1",
                         lat=52.09, lon=5.1, **typed))  # fmt: skip
    exported = export(engine, "needs")
    assert b"'=SOM" in exported and b"'+31" in exported
    with db.unit_of_work(engine) as session:
        session.exec(select(Need)).one().title = "weg"
    import_into(engine, exported)
    need = stored_need(engine)
    assert {key: getattr(need, key) for key in typed} == typed


def test_imports_and_exports_never_commit_their_callers_unit_of_work(sqlite_world):
    """Services work in the entry point's unit of work: when it fails, nothing of them stays,
    not even the audit trail of an export with exact places."""
    from sqlmodel import delete

    from samenspel.storage.models import AuditEvent

    engine = sqlite_world["engine"]
    with Session(engine) as session:
        session.exec(delete(AuditEvent))
        session.commit()
    with pytest.raises(RuntimeError), db.unit_of_work(engine) as session:
        transfer.import_file(session=session, actor=SYSTEM, filename="v.csv",
                             content=f"{NEED}\nN1,De Pan,goods,Stoelen,52.09,5.10\n".encode())  # fmt: skip
        transfer.export_file(session=session, actor=sqlite_world["actors"]["admin"],
                             what="needs", full=True)  # fmt: skip
        raise RuntimeError("the entry point fails after the services")
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Need)).one() == 0
        assert session.exec(select(func.count()).select_from(AuditEvent)).one() == 0


@pytest.mark.parametrize("who", ["anja", "public"])
@pytest.mark.parametrize("what", ["needs", "matches", "organisations", "funds", "hsds"])
def test_only_brokers_and_administrators_export(sqlite_world, who, what):
    from samenspel.services.errors import NotAllowed
    from samenspel.services.permissions import PUBLIC

    actor = PUBLIC if who == "public" else sqlite_world["actors"][who]
    with pytest.raises(NotAllowed), db.unit_of_work(sqlite_world["engine"]) as session:
        transfer.export_file(session=session, actor=actor, what=what)
    with db.unit_of_work(sqlite_world["engine"]) as session:
        broker = sqlite_world["actors"]["sanne"]
        assert transfer.export_file(session=session, actor=broker, what=what).data
