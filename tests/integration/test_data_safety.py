"""Data stays whole and private: a restore refuses what is not a Samenspel backup (and keeps
what it replaces), control characters never reach the database or break an export, a bad
import file gets row, column and reason (never SQL), and every download of personal data is
in the audit trail. Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from samenspel import cli
from samenspel.matching.csvformat import NEED_COLUMNS
from samenspel.services import organisations, posts, privacy, suggestions, transfer
from samenspel.services.backup import BackupError, backup, make_backup, restore
from samenspel.services.errors import InvalidInput, NotAllowed
from samenspel.services.exports import to_csv_bytes, to_excel_bytes
from samenspel.services.permissions import Actor
from samenspel.storage import db
from samenspel.storage.models import AuditEvent, Contact, Need, Organisation
from tests.conftest import POSTGRES_URL, ROOT
from tests.integration.conftest import TODAY
from tests.integration.test_transfer import snapshot

SYSTEM = Actor(user_id=None, role="admin", system=True)


@pytest.fixture
def instance(tmp_path, monkeypatch) -> Path:
    """Where the app keeps backups (and the copy a restore makes of what it replaces)."""
    folder = tmp_path / "instance"
    monkeypatch.setenv("SAMENSPEL_INSTANCE_DIR", str(folder))
    return folder


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def samenspel(engine, instance: Path, *args: str) -> subprocess.CompletedProcess:
    """The command line on this test's database, as a user runs it."""
    env = {**os.environ, "SAMENSPEL_DATABASE_URL": url_of(engine), "SAMENSPEL_DEMO": "0",
           "SAMENSPEL_INSTANCE_DIR": str(instance)}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "samenspel.cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=120)  # fmt: skip


def events(engine, action: str) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


# --- restore ------------------------------------------------------------------------------


def backup_file(engine, folder: Path, name: str) -> Path:
    return folder / (f"{name}.db" if engine.dialect.name == "sqlite" else f"{name}.dump")


def future_backup(engine, folder: Path) -> Path:
    """A real backup, but of a schema version this code does not know (a newer Samenspel)."""
    head = db.current_revision(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    try:
        return backup(engine, backup_file(engine, folder, "toekomst"))
    finally:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})


def backup_with_a_trigger(engine, folder: Path) -> Path:
    """A real backup, with a trigger added that would make everyone an administrator at the
    restore's own audit insert."""
    if engine.dialect.name == "sqlite":
        create = ("CREATE TRIGGER evil AFTER INSERT ON auditevent "
                  "BEGIN UPDATE user SET role = 'admin'; END")  # fmt: skip
        drop = "DROP TRIGGER evil"
    else:
        create = ("CREATE FUNCTION evil() RETURNS trigger LANGUAGE plpgsql AS "
                  "$$ BEGIN UPDATE \"user\" SET role = 'admin'; RETURN NEW; END $$")  # fmt: skip
        drop = "DROP FUNCTION evil()"
    with engine.begin() as connection:
        connection.execute(text(create))
    try:
        return backup(engine, backup_file(engine, folder, "met-trigger"))
    finally:
        with engine.begin() as connection:
            connection.execute(text(drop))


def not_backups(engine, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    empty = folder / "leeg.db"
    empty.write_bytes(b"")  # SQLite would happily open this as an empty database
    notes = folder / "notities.txt"
    notes.write_text("Dit is geen backup.\n", encoding="utf-8")
    other = folder / "ander-programma.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE boodschappen (wat TEXT)")
        connection.execute("INSERT INTO boodschappen VALUES ('melk')")
    connection.close()
    return {"empty": empty, "text": notes, "other sqlite": other,
            "future": future_backup(engine, folder),
            "trigger": backup_with_a_trigger(engine, folder)}  # fmt: skip


def with_some_data(engine) -> None:
    with Session(engine) as session:
        org = Organisation(name="Buurtkeuken De Pan", neighbourhood="Lombok")
        session.add(org)
        session.flush()
        session.add(Contact(organisation_id=org.id, person="Anja", email="anja@depan.example"))
        session.add(Need(organisation_id=org.id, kind="goods", title="Stoelen"))
        session.commit()


def test_restore_refuses_what_is_not_a_samenspel_backup_and_changes_nothing(
    engine, tmp_path, instance
):
    with_some_data(engine)
    files = not_backups(engine, tmp_path / "files")
    before = snapshot(engine)
    for what, path in files.items():
        with pytest.raises(BackupError) as refused:
            restore(engine, path)
        message = str(refused.value)
        assert "Er is niets veranderd" in message, what
        expected = "nieuwere" if what == "future" else "geen backup van Samenspel"
        assert expected in message, (what, message)
        assert snapshot(engine) == before, what
    # Nothing replaced, so nothing to keep either.
    assert not list((instance / "backups").glob("voor-terugzetten-*"))


@pytest.mark.parametrize("what", ["empty", "other sqlite", "future"])
def test_the_command_line_refuses_it_with_exit_2_and_a_dutch_message(
    engine, tmp_path, instance, what
):
    with_some_data(engine)
    path = not_backups(engine, tmp_path / "files")[what]
    before = snapshot(engine)
    result = samenspel(engine, instance, "restore", str(path), "--yes")
    assert result.returncode == 2, result.stderr
    assert "Er is niets veranderd" in result.stderr and "Traceback" not in result.stderr
    engine.dispose()
    assert snapshot(engine) == before


def test_a_postgres_dump_of_another_schema_is_refused(postgres_url, tmp_path, instance):
    """A genuine pg_dump archive, of something else: its table of contents gives it away."""
    engine = db.make_engine(postgres_url)
    db.upgrade(engine)
    schema = f"ander_{uuid.uuid4().hex[:8]}"
    admin = sa_create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        connection.execute(text(f'CREATE TABLE "{schema}".boodschappen (wat text)'))
    try:
        dump = tmp_path / "ander.dump"
        libpq = POSTGRES_URL.replace("postgresql+psycopg", "postgresql")
        subprocess.run(["pg_dump", "--format=custom", "--schema", schema, "--file", str(dump), libpq],
                       check=True, capture_output=True)  # fmt: skip
        with_some_data(engine)
        before = snapshot(engine)
        with pytest.raises(BackupError, match="tabellen van Samenspel ontbreken"):
            restore(engine, dump)
        assert snapshot(engine) == before
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        engine.dispose()


def test_a_real_backup_restores_and_what_it_replaced_is_kept(engine, tmp_path, instance):
    with_some_data(engine)
    path = backup(engine, backup_file(engine, tmp_path, "goed"))
    good = snapshot(engine)
    with Session(engine) as session:
        session.exec(select(Need)).one().title = "kapot"
        session.commit()
    damaged = snapshot(engine)

    kept = restore(engine, path)
    after = snapshot(engine)
    assert {**after, "auditevent": good["auditevent"]} == good
    (event,) = [row for row in after["auditevent"] if row not in good["auditevent"]]
    assert "restore" in event and str(kept) in event[-1]

    # The copy of what was replaced is itself a backup that restores.
    assert kept.parent == instance / "backups" and kept.name.startswith("voor-terugzetten-")
    restore(engine, kept)
    assert {**snapshot(engine), "auditevent": damaged["auditevent"]} == damaged


def test_the_command_line_restores_a_real_backup_and_says_where_the_old_data_is(
    engine, tmp_path, instance
):
    with_some_data(engine)
    path = backup(engine, backup_file(engine, tmp_path, "goed"))
    result = samenspel(engine, instance, "restore", str(path), "--yes")
    assert result.returncode == 0, result.stderr
    kept = Path(result.stdout.strip().splitlines()[-1].split(": ", 1)[1])
    assert kept.is_file() and kept.parent == instance / "backups"


# --- control characters -------------------------------------------------------------------

CONTROLS = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9f\ud800"


def test_posting_a_need_removes_control_characters(world):
    with db.unit_of_work(world["engine"]) as session:
        need = posts.create_need(
            session=session,
            actor=world["actors"]["anja"],
            organisation_id=world["pan"],
            today=TODAY,
            form=posts.PostForm(
                kind="goods",
                title=f"Stoe{CONTROLS}len\tvoor\nhet feest",
                description=f"Regel een{CONTROLS}\r\nregel twee\rregel drie\tmet tab",
                themes=[f"eten{CONTROLS}"],
                place=f"Lombok{CONTROLS}",
            ),
        )
        stored = session.get(Need, need.id)
        assert stored.title == "Stoelen voor het feest"
        assert stored.description == "Regel een\nregel twee\nregel drie\tmet tab"
        assert (stored.themes, stored.place) == ("eten", "Lombok")


def test_posting_an_offer_with_huge_or_odd_numbers_is_refused_per_field(world):
    with pytest.raises(InvalidInput) as refused:
        with db.unit_of_work(world["engine"]) as session:
            posts.create_offer(
                session=session,
                actor=world["actors"]["karim"],
                organisation_id=world["boog"],
                today=TODAY,
                form=posts.PostForm(
                    kind="venue",
                    title="Zaal",
                    people=10**30,
                    amount_max_eur=float("nan"),
                    distance_km=float("inf"),
                    valid_until=TODAY.replace(year=9999),
                    when="ochtend middag avond",
                ),  # fmt: skip
            )
    assert set(refused.value.field_errors) == {"people", "amount_max_eur", "distance_km",
                                                "valid_until", "when"}  # fmt: skip


def test_a_profile_with_control_characters_is_stored_without_them(world):
    with db.unit_of_work(world["engine"]) as session:
        organisations.update_profile(
            session=session,
            actor=world["actors"]["anja"],
            organisation_id=world["pan"],
            form=organisations.ProfileForm(
                name=f"De{CONTROLS} Pan",
                boundaries=f"Geen{CONTROLS} alcohol\r\nGeen vlees",
                neighbourhood="Lombok",
                lat=52.092,
                lon=5.101,
                contact_person=f"Anja{CONTROLS}",
                contact_phone="06\x0b-111",
            ),
        )
        org = session.get(Organisation, world["pan"])
        contact = session.exec(select(Contact).where(Contact.organisation_id == org.id)).one()
        assert (org.name, org.boundaries) == ("De Pan", "Geen alcohol\nGeen vlees")
        assert (contact.person, contact.phone) == ("Anja", "06-111")


def test_imported_cells_lose_their_control_characters(engine):
    # A file cannot hold a lone surrogate: such bytes are not UTF-8, and the file is refused.
    controls = CONTROLS.replace("\ud800", "")
    header = ",".join(NEED_COLUMNS) + "\n"
    content = (header + f'N1,De{controls} Pan,informal,goods,"Stoe\x00len",'
               f'"Regel\x0b een\r\ntwee",,,52.09,5.10,,,,,\n').encode()  # fmt: skip
    with Session(engine) as session:
        report = transfer.import_file(
            session=session, actor=SYSTEM, filename="v.csv", content=content
        )
        assert report.errors == [] and report.created == 1
        need, org = session.exec(select(Need, Organisation).join(Organisation)).one()
        assert (need.title, need.description, org.name) == ("Stoelen", "Regel een\ntwee", "De Pan")


def test_exports_survive_a_record_that_holds_control_characters(engine):
    """Records stored before this was checked (or by another program) must not make a whole
    export fail: the characters Excel cannot hold are left out, formulas still neutralised."""
    bad = "Stoel\x0ben\x1b" + ("\x00" if engine.dialect.name == "sqlite" else "")
    with Session(engine) as session:
        org = Organisation(name="=cmd|' /C calc'!A0", neighbourhood="Lombok")
        session.add(org)
        session.flush()
        session.add(Need(organisation_id=org.id, kind="goods", title=bad, description="\x0b=1+1"))
        session.commit()
        frame = transfer.export_needs(session)
    sheet = openpyxl.load_workbook(io.BytesIO(to_excel_bytes(frame, "needs"))).active
    row = {h.value: c.value for h, c in zip(sheet[1], sheet[2], strict=True)}
    assert (row["title"], row["description"], row["initiative"]) == (
        "Stoelen",
        "'=1+1",
        "'=cmd|' /C calc'!A0",
    )
    assert "Stoelen" in to_csv_bytes(frame).decode("utf-8")


# --- import errors ------------------------------------------------------------------------


def count(engine, table) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_duplicate_organisation_ids_are_a_row_error_not_sql(engine):
    content = (b"id,name,role,contact_email\nORG-A,De Pan,initiative,a@pan.example\n"
               b"ORG-A,De Pan bis,initiative,b@pan.example\nORG-B,De Boog,partner,\n")  # fmt: skip
    with db.unit_of_work(engine) as session:
        report = transfer.import_file(
            session=session, actor=SYSTEM, filename="o.csv", content=content
        )
    assert [(e.row, e.column) for e in report.errors] == [(3, "id")]
    assert "komt twee keer voor" in report.errors[0].message
    assert report.created == 2 and count(engine, Organisation) == 2


def test_an_unquoted_carriage_return_in_an_organisation_file_is_a_row_error(engine):
    content = b"id,name,role\nORG-A,De\rPan,initiative\nORG-B,De Boog,partner\n"
    with db.unit_of_work(engine) as session:
        report = transfer.import_file(
            session=session, actor=SYSTEM, filename="o.csv", content=content
        )
    assert [(e.row, e.column) for e in report.errors] == [(2, "name")]
    assert "regeleinde" in report.errors[0].message
    assert count(engine, Organisation) == 1


@pytest.mark.parametrize(
    "column, value, words",
    [
        ("people", "1e30", "groter dan 100.000"),
        ("people", "inf", "geen getal"),
        ("people", "nan", "geen getal"),
        ("people", "-5", "kleiner dan 1"),
        ("amount_eur", "1e30", "groter dan 100.000.000"),
        ("max_distance_km", "Infinity", "geen getal"),
        ("deadline", "9999-12-31", "ligt niet tussen"),
        ("deadline", "31-12-99999", "geen datum"),
        ("lat", "1e30", "groter dan 90"),
    ],
)
def test_bad_numbers_and_dates_are_row_errors_and_the_row_is_not_saved(
    engine, column, value, words
):
    cells = dict.fromkeys(NEED_COLUMNS, "") | {"id": "N1", "initiative": "De Pan", "kind": "venue",
                                               "title": "Zaal", "lat": "52.09", "lon": "5.1"}  # fmt: skip
    cells[column] = value
    content = (",".join(NEED_COLUMNS) + "\n" + ",".join(cells.values()) + "\n").encode()
    with Session(engine) as session:
        report = transfer.import_file(
            session=session, actor=SYSTEM, filename="v.csv", content=content
        )
    assert [(e.row, e.column) for e in report.errors] == [(2, column)]
    assert words in report.errors[0].message
    assert count(engine, Need) == 0


def test_bad_organisation_numbers_are_row_errors(engine):
    content = b"id,name,role,lat,lon\nA,De Pan,initiative,nan,5.1\nB,De Boog,partner,52.1,1e30\n"
    with Session(engine) as session:
        report = transfer.import_file(
            session=session, actor=SYSTEM, filename="o.csv", content=content
        )
    assert [(e.row, e.column) for e in report.errors] == [(2, "lat"), (3, "lon")]
    assert count(engine, Organisation) == 0


def test_a_database_error_during_an_import_saves_nothing_and_shows_no_sql(engine, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise IntegrityError("INSERT INTO match (need_id) VALUES (?)", {}, Exception("boom"))

    monkeypatch.setattr(suggestions, "refresh_needs", refuse)
    content = (
        ",".join(NEED_COLUMNS) + "\nN1,De Pan,informal,goods,Stoel,,,,52.09,5.1,,,,,\n"
    ).encode()
    with Session(engine) as session:
        with pytest.raises(InvalidInput) as refused:
            transfer.import_file(session=session, actor=SYSTEM, filename="v.csv", content=content)
    message = refused.value.field_errors["file"]
    assert "er is niets veranderd" in message
    assert "INSERT" not in message and "boom" not in message
    assert count(engine, Need) == 0 and count(engine, Organisation) == 0


def test_the_command_line_import_prints_row_column_and_reason_never_sql(engine, tmp_path, instance):
    bad = tmp_path / "organisaties.csv"
    bad.write_bytes(b"id,name,role\nORG-A,De Pan,initiative\nORG-A,De Pan bis,initiative\n")
    result = samenspel(engine, instance, "import", str(bad))
    assert "rij 3, kolom 'id'" in result.stderr and "komt twee keer voor" in result.stderr
    for leak in ("INSERT", "UNIQUE", "Traceback", "sqlalchemy"):
        assert leak not in result.stderr + result.stdout


# --- audit of personal data leaving the database ------------------------------------------


def recent(event: AuditEvent) -> bool:
    return abs(event.at.replace(tzinfo=None) - datetime.utcnow()) < timedelta(minutes=5)


def test_a_backup_is_audited_with_who_what_and_when(world, tmp_path):
    engine, admin = world["engine"], world["actors"]["admin"]
    path = make_backup(engine, backup_file(engine, tmp_path, "b"), actor=admin,
                       detail="downloaded in the app")  # fmt: skip
    (event,) = events(engine, "backup")
    assert (event.user_id, event.entity) == (admin.user_id, "database")
    assert str(path) in event.detail and "downloaded in the app" in event.detail
    assert recent(event)


def test_only_an_administrator_makes_a_backup(world, tmp_path):
    path = tmp_path / "b.db"
    with pytest.raises(NotAllowed):
        make_backup(world["engine"], path, actor=world["actors"]["sanne"])
    assert not path.exists() and events(world["engine"], "backup") == []


def test_the_command_line_backup_is_audited(engine, tmp_path, instance):
    path = backup_file(engine, tmp_path, "cli")
    result = samenspel(engine, instance, "backup", str(path))
    assert result.returncode == 0, result.stderr
    (event,) = events(engine, "backup")
    assert event.user_id is None and "command line" in event.detail and str(path) in event.detail


def test_exports_with_exact_places_or_contacts_are_audited(world):
    engine, admin = world["engine"], world["actors"]["admin"]
    with db.unit_of_work(engine) as session:
        transfer.export_needs(session, actor=admin, full=True)
        transfer.export_offers(session, actor=admin, full=True)
        transfer.export_organisations(session, actor=admin, with_contacts=True)
        transfer.export_needs(session, actor=admin)  # public places only: nothing to record
    full = events(engine, "export_full")
    assert sorted(e.entity for e in full) == ["need", "offer"]
    (contacts,) = events(engine, "export_contacts")
    for event in (*full, contacts):
        assert event.user_id == admin.user_id and recent(event)
    assert "contacts" in contacts.detail


def test_an_organisations_own_data_download_is_audited(world):
    engine, anja = world["engine"], world["actors"]["anja"]
    with db.unit_of_work(engine) as session:
        data = privacy.export_organisation(
            session=session, actor=anja, organisation_id=world["pan"]
        )
    assert b"anja@depan.example" in data
    (event,) = events(engine, "export_own_data")
    assert (event.user_id, event.entity, event.entity_id) == (
        anja.user_id,
        "organisation",
        world["pan"],
    )
    assert "1 contact" in event.detail and recent(event)


def test_the_sociale_kaart_has_no_contacts_so_it_needs_no_audit(world, tmp_path):
    with Session(world["engine"]) as session:
        frames = transfer.export_hsds(session)
    text_of_all = "".join(to_csv_bytes(frame).decode() for frame in frames.values())
    for private in ("Anja", "anja@depan.example", "06-11111111", "Karim", "karim@deboog.example"):
        assert private not in text_of_all


def test_the_command_line_export_with_contacts_is_audited(world, monkeypatch, tmp_path):
    engine = world["engine"]
    monkeypatch.setenv("SAMENSPEL_DATABASE_URL", url_of(engine))
    output = tmp_path / "organisaties.csv"
    assert cli.main(["export", "organisations", "--with-contacts", "-o", str(output)]) == 0
    (event,) = events(engine, "export_contacts")
    assert event.user_id is None and "command line" in event.detail


def test_the_backup_button_in_the_app_is_audited(sqlite_world, monkeypatch, tmp_path):
    """The page an administrator uses: the backup it offers for download is on record."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import log_in
    from tests.conftest import APP

    engine = sqlite_world["engine"]
    monkeypatch.setenv("SAMENSPEL_DATABASE_URL", url_of(engine))
    monkeypatch.setenv("SAMENSPEL_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("SAMENSPEL_DEMO", "0")
    st.cache_resource.clear()  # the app caches its engine: it must use this test's database
    st.cache_data.clear()
    try:
        at = AppTest.from_file(str(APP), default_timeout=120)
        log_in(at, sqlite_world["actors"]["admin"].user_id)
        at.run()
        at.switch_page("samenspel/web/views/data.py").run()
        next(b for b in at.button if b.key == "data_backup").click().run()
        assert not at.exception
        assert [s.value for s in at.success if "Backup gemaakt" in s.value]
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
    (event,) = events(engine, "backup")
    assert event.user_id == sqlite_world["actors"]["admin"].user_id
    assert "downloaded in the app" in event.detail and recent(event)
    assert Path(event.detail.split(";")[0]).is_file()
