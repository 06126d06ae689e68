"""Is this installation ready to serve? The database can be reached and its schema is the
Alembic head this code knows. Streamlit's own /_stcore/health only says the web server runs
(it answers "ok" without a database), so `samenspel health` is what an operator's monitor,
a container health check or a deploy script should ask.

The check only reads: it never creates a SQLite file or a folder, and never migrates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from samenspel import logs, settings
from samenspel.i18n import t
from samenspel.storage import db

CONNECT_TIMEOUT_SECONDS = 5  # a monitor must get an answer, not hang on a dead host


@dataclass(frozen=True)
class Health:
    database: str  # the URL without its password
    schema: str | None  # the revision the database is at (None: unknown or no schema)
    expected: str  # the head revision of this code
    problem: str = ""  # "" (healthy), missing, unreachable, empty, old or newer
    message: str = ""  # for people, in Dutch: what is wrong and what to do

    @property
    def ok(self) -> bool:
        return not self.problem

    def as_json(self) -> dict[str, object]:
        if self.ok:
            return {"status": "ok", "database": self.database, "schema": self.schema}
        return {
            "status": "error",
            "database": self.database,
            "schema": self.schema,
            "expected_schema": self.expected,
            "problem": self.problem,
            "message": self.message,
        }

    def as_text(self) -> str:
        if self.ok:
            return f"ok: schema {self.schema} ({self.database})"
        return self.message


def _sqlite_file(url) -> Path | None:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def _connection_problem(exc: SQLAlchemyError) -> str:
    # psycopg gives no SQLSTATE for a refused connection; the server's own words tell a
    # database that does not exist from a server that cannot be reached.
    text = str(getattr(exc, "orig", exc))
    if "database" in text and "does not exist" in text:
        return "missing"
    return "unreachable"


def _message(problem: str, database: str, found: str | None, expected: str) -> str:
    return {
        "missing": t(
            "niet in orde: de database bestaat niet ({database}). Maak hem aan, of kijk of SAMENSPEL_DATABASE_URL klopt.",
            database=database,
        ),
        "unreachable": t(
            "niet in orde: de database is niet bereikbaar ({database}). Kijk of de databaseserver draait en of SAMENSPEL_DATABASE_URL klopt.",
            database=database,
        ),
        "empty": t(
            "niet in orde: de database is leeg, er is nog geen schema ({database}). Start de app een keer: die maakt het schema.",
            database=database,
        ),
        "old": t(
            "niet in orde: het schema van de database is ouder ({found}) dan deze versie van Samenspel verwacht ({expected}). Start de app een keer: die werkt het schema bij.",
            found=found,
            expected=expected,
        ),
        "newer": t(
            "niet in orde: het schema van de database ({found}) is nieuwer dan deze versie van Samenspel kent ({expected}). Gebruik de nieuwste versie van Samenspel.",
            found=found,
            expected=expected,
        ),
    }[problem]


def _migrations() -> ScriptDirectory:
    return ScriptDirectory(str(db.MIGRATIONS_DIR))


def head_revision() -> str:
    """The schema revision this code needs (the last Alembic migration)."""
    return _migrations().get_current_head()


def check(url: str | None = None) -> Health:
    """The state of the database at `url` (default: the configured one)."""
    parsed = make_url(url or settings.database_url())
    shown = parsed.render_as_string(hide_password=True)
    connect_args = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    # A plain engine, not db.make_engine: that one creates the SQLite folder and sets WAL.
    engine = create_engine(parsed, poolclass=NullPool, connect_args=connect_args)
    try:
        script = _migrations()
        expected = script.get_current_head()
        known = {revision.revision for revision in script.walk_revisions()}
        path = _sqlite_file(parsed)
        if path is not None and not path.is_file():
            # Connecting would create an empty file: say it is missing instead.
            problem, found = "missing", None
        else:
            try:
                found = db.current_revision(engine)
            except SQLAlchemyError as exc:
                problem, found = _connection_problem(exc), None
            else:
                if found is None:
                    problem = "empty"
                elif found == expected:
                    problem = ""
                elif found in known:
                    problem = "old"
                else:
                    problem = "newer"
    finally:
        engine.dispose()
    health = Health(
        database=shown,
        schema=found,
        expected=expected,
        problem=problem,
        message=_message(problem, shown, found, expected) if problem else "",
    )
    if not health.ok:
        logs.event(
            "health_failed",
            "health check failed",
            level=logging.ERROR,
            problem=problem,
            schema=found,
            expected_schema=expected,
        )
    return health
