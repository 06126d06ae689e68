"""Backup and restore of the whole database.

SQLite through its online backup API (a copy of the .db file without its -wal file can lose
committed transactions, pitfalls.md); PostgreSQL through pg_dump and pg_restore when those
programs are installed.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.engine import Engine

from samenspel import db, settings


class BackupError(RuntimeError):
    """Something outside Samenspel stops the backup (a missing pg_dump, a bad path)."""


def default_path(engine: Engine) -> Path:
    folder = Path(settings.get("SAMENSPEL_INSTANCE_DIR")) / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".db" if engine.dialect.name == "sqlite" else ".dump"
    return folder / f"samenspel-{datetime.now():%Y%m%d-%H%M%S}{suffix}"


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
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
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


def restore(engine: Engine, path: Path) -> None:
    """Replace the database's contents by the backup, then bring the schema up to date."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path} bestaat niet")
    if engine.dialect.name == "sqlite":
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            source.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path} is geen SQLite-backup") from exc
        engine.dispose()  # no connection of ours may hold the file while its pages are replaced
        target = engine.raw_connection()
        try:
            with source:
                source.backup(target.driver_connection)
        finally:
            target.close()
            source.close()
    else:
        if shutil.which("pg_restore") is None:
            raise BackupError(
                "pg_restore is niet geïnstalleerd (Debian: apt-get install postgresql-client)"
            )
        url, schema, env = _libpq(engine)
        engine.dispose()
        result = subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *schema, "--dbname",
             url, str(path)], capture_output=True, text=True, check=False, env=env,
        )  # fmt: skip
        if result.returncode != 0:
            raise BackupError(f"pg_restore: {result.stderr.strip()[:500]}")
    db.upgrade(engine)
