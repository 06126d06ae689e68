"""Backup and restore of the whole database.

SQLite through its online backup API (a copy of the .db file without its -wal file can lose
committed transactions, docs/pitfalls.md); PostgreSQL through pg_dump and pg_restore when those
programs are installed.

A restore wipes everything, so it first makes sure the file is a Samenspel backup of a schema
version this code knows (an empty file, another program's database or a backup made by a newer
Samenspel is refused and nothing changes), and keeps a backup of what it replaces. A backup
holds every contact and password hash: making one is written to the audit trail.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.engine import Engine

from samenspel import settings
from samenspel.i18n import t
from samenspel.services.audit import record
from samenspel.services.permissions import Actor, require_role
from samenspel.storage import db
from samenspel.storage import versions as data_versions

# Tables every schema version has (the first migration made them): a file without them is
# not a Samenspel backup, whatever its format.
SAMENSPEL_TABLES = frozenset(
    {"alembic_version", "organisation", "contact", "need", "offer", "match", "fund", "user",
     "auditevent"}
)  # fmt: skip
SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"  # the custom format of pg_dump


class BackupError(RuntimeError):
    """Something outside Samenspel stops the backup (a missing pg_dump, a bad path), or the
    file to restore is not a backup this version of Samenspel can use."""


def default_path(engine: Engine, name: str = "samenspel") -> Path:
    folder = Path(settings.get("SAMENSPEL_INSTANCE_DIR")) / "backups"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    suffix = ".db" if engine.dialect.name == "sqlite" else ".dump"
    return folder / f"{name}-{datetime.now():%Y%m%d-%H%M%S-%f}{suffix}"


def _libpq(engine: Engine) -> tuple[str, list[str], dict[str, str]]:
    """A libpq URL for pg_dump without the password (that goes in PGPASSWORD, so it is not
    visible in the process list), --schema when the URL pins a search_path, and the env."""
    url = engine.url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False
    )
    options = parse_qs(urlsplit(url).query).get("options", [""])[0]
    schema = options.split("search_path=")[-1] if "search_path=" in options else ""
    env = dict(os.environ)
    if engine.url.password:
        env["PGPASSWORD"] = engine.url.password
    return url, ["--schema", schema] if schema else [], env


def backup(engine: Engine, path: Path) -> Path:
    """A backup file only its owner can read: it holds every contact and password hash."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    if engine.dialect.name == "sqlite":
        source = engine.raw_connection()
        try:
            target = sqlite3.connect(path)
            with target:
                source.driver_connection.backup(target)
            target.close()
        finally:
            source.close()
        return path
    if shutil.which("pg_dump") is None:
        raise BackupError(
            "pg_dump is niet geïnstalleerd (Debian: apt-get install postgresql-client)"
        )
    url, schema, env = _libpq(engine)
    result = subprocess.run(["pg_dump", "--format=custom", "--no-owner", *schema, "--file", str(path), url],
                            capture_output=True, text=True, check=False, env=env)  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"pg_dump: {result.stderr.strip()[:500]}")
    return path


def make_backup(engine: Engine, path: Path, *, actor: Actor, detail: str = "") -> Path:
    """A backup for an administrator, written to the audit trail: it holds every contact and
    password hash, so who took one, when and where it went is on record.

    Engine-level, not a service in someone's unit of work: the copy is made outside any
    transaction (SQLite's backup API on a connection of its own, or pg_dump in another
    process), so the record gets a unit of work of its own, once the file exists."""
    require_role(actor, "admin")
    path = backup(engine, path)
    with db.unit_of_work(engine) as session:
        record(session, user_id=actor.user_id, action="backup", entity="database",
               entity_id=None, detail=f"{path}{'; ' + detail if detail else ''}")  # fmt: skip
    return path


def _not_a_backup(path: Path, why: str) -> BackupError:
    return BackupError(
        t("{path} is geen backup van Samenspel ({why}). Er is niets veranderd.",
          path=str(path), why=why)
    )  # fmt: skip


def _known_revisions(engine: Engine) -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db.alembic_config(engine))
    return {revision.revision for revision in script.walk_revisions()}


def _check_version(path: Path, versions: list[str], known: set[str]) -> None:
    if len(versions) != 1:
        raise _not_a_backup(path, t("er staat geen versie in"))
    if versions[0] not in known:
        raise BackupError(
            t("{path} komt uit een andere (nieuwere) versie van Samenspel (schema {version}). "
              "Zet hem terug met die versie. Er is niets veranderd.",
              path=str(path), version=versions[0][:40])
        )  # fmt: skip


def _check_sqlite_backup(engine: Engine, path: Path) -> None:
    """A SQLite database (opened read-only) with the Samenspel tables and a known version."""
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise _not_a_backup(path, t("het is geen SQLite-database"))
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {name for (name,) in source.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}  # fmt: skip
            if not SAMENSPEL_TABLES <= tables:
                raise _not_a_backup(path, t("de tabellen van Samenspel ontbreken"))
            # Samenspel makes no triggers or views: one in a file would run inside the
            # restored database (a trigger on the audit table could make anyone admin).
            if source.execute(
                "SELECT count(*) FROM sqlite_master WHERE type IN ('trigger', 'view')"
            ).fetchone()[0]:
                raise _not_a_backup(path, t("er staan triggers of views in"))
            versions = [v for (v,) in source.execute("SELECT version_num FROM alembic_version")]
            healthy = source.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise _not_a_backup(path, t("het bestand is beschadigd of geen database")) from exc
    if not healthy:
        raise _not_a_backup(path, t("het bestand is beschadigd of geen database"))
    _check_version(path, versions, _known_revisions(engine))


# One entry of pg_restore --list: "215; 1259 30985 TABLE schema name owner".
TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", re.MULTILINE)
# Entries that would run code in the restored database; pg_dump of Samenspel makes none.
TOC_CODE = re.compile(
    r"^\d+; \d+ \d+ (?:TRIGGER|EVENT TRIGGER|FUNCTION|PROCEDURE|AGGREGATE|RULE|VIEW"
    r"|MATERIALIZED VIEW|POLICY|EXTENSION) ",
    re.MULTILINE,
)


def _check_pg_dump(engine: Engine, path: Path) -> None:
    """A pg_dump archive in custom format whose table of contents has the Samenspel tables
    (in the schema it will be restored into) and whose alembic_version holds a known version."""
    with path.open("rb") as handle:
        if handle.read(len(PG_DUMP_HEADER)) != PG_DUMP_HEADER:
            raise _not_a_backup(path, t("het is geen pg_dump-bestand (custom format)"))
    url, schema, env = _libpq(engine)
    listing = subprocess.run(["pg_restore", "--list", str(path)], capture_output=True, text=True,
                             check=False, env=env)  # fmt: skip
    if listing.returncode != 0:
        raise _not_a_backup(path, t("het bestand is beschadigd"))
    wanted_schema = schema[1] if schema else None
    tables = {name for owner_schema, name in TOC_TABLE.findall(listing.stdout)
              if wanted_schema is None or owner_schema == wanted_schema}  # fmt: skip
    if not SAMENSPEL_TABLES <= tables:
        raise _not_a_backup(path, t("de tabellen van Samenspel ontbreken"))
    if TOC_CODE.search(listing.stdout):
        raise _not_a_backup(path, t("er staan triggers of views in"))
    data = subprocess.run(
        ["pg_restore", "--data-only", "--table=alembic_version", *schema, "--file", "-", str(path)],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    if data.returncode != 0:
        raise _not_a_backup(path, t("het bestand is beschadigd"))
    copy = re.search(r"^COPY \S*alembic_version \(version_num\) FROM stdin;\n(.*?)^\\\.$",
                     data.stdout, re.MULTILINE | re.DOTALL)  # fmt: skip
    versions = copy.group(1).split() if copy else []
    _check_version(path, versions, _known_revisions(engine))


def check_backup(engine: Engine, path: Path) -> None:
    """BackupError unless `path` is a backup that restore() may put into this database."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(t("{path} bestaat niet. Er is niets veranderd.", path=str(path)))
    if engine.dialect.name == "sqlite":
        _check_sqlite_backup(engine, path)
        return
    if shutil.which("pg_restore") is None:
        raise BackupError(
            "pg_restore is niet geïnstalleerd (Debian: apt-get install postgresql-client)"
        )
    _check_pg_dump(engine, path)


def restore(engine: Engine, path: Path) -> Path:
    """Replace the database's contents by the backup, then bring the schema up to date.
    Refuses (BackupError, nothing changed) a file that is not a Samenspel backup of a known
    schema version. Returns where the replaced contents were kept (instance/backups/)."""
    path = Path(path)
    check_backup(engine, path)
    kept = backup(engine, default_path(engine, "voor-terugzetten"))
    counted = data_versions.snapshot(engine)  # what the caches know (storage/versions.py)
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        engine.dispose()  # no connection of ours may hold the file while its pages are replaced
        target = engine.raw_connection()
        try:
            with source:
                source.backup(target.driver_connection)
        finally:
            target.close()
            source.close()
    else:
        url, schema, env = _libpq(engine)
        engine.dispose()
        result = subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *schema, "--dbname",
             url, str(path)], capture_output=True, text=True, check=False, env=env,
        )  # fmt: skip
        if result.returncode != 0:
            raise BackupError(f"pg_restore: {result.stderr.strip()[:500]}")
    db.upgrade(engine)
    # The backup brought older data versions back: move them past every number a cache holds.
    data_versions.continue_after_restore(engine, counted)
    # By the system: the users of the restored database need not be the ones who asked. Its
    # own unit of work, as in make_backup: the restore itself replaced the whole database
    # outside any transaction of ours.
    with db.unit_of_work(engine) as session:
        record(session, user_id=None, action="restore", entity="database", entity_id=None,
               detail=f"{path}; what it replaced is kept in {kept}")  # fmt: skip
    return kept
