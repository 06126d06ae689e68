"""The one place that knows how to reach the database: engines, sessions and migrations.

SQLite is the embedded default. docs/pitfalls.md measured 649 of 800 concurrent read-then-write
updates lost with the driver's defaults, so every SQLite connection runs in WAL with a busy
timeout, and write transactions start with `BEGIN IMMEDIATE` (the driver's own transaction
handling is switched off so that SQLAlchemy's begin event decides). PostgreSQL is chosen with
SAMENSPEL_DATABASE_URL.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from samenspel import paths, settings
from samenspel.storage import versions  # noqa: F401 - every Session bumps the data versions

MIGRATIONS_DIR = paths.MIGRATIONS_DIR
# The execution option that makes a SQLite transaction read-only (see _on_begin).
READ_ONLY_OPTION = "samenspel_read_only"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # pool_pre_ping: a PostgreSQL restart must not turn into errors on the next page load.
    # hide_parameters: an error in a log never carries the row's personal data.
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _sqlite_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 5},
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let the begin event below emit BEGIN; the legacy driver would emit none before reads.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A deferred transaction that later writes gets SQLITE_BUSY regardless of the timeout;
        # IMMEDIATE takes the write lock up front and waits for it instead. A read-only unit
        # of work begins DEFERRED (it never waits for a writer) and is refused any write
        # (query_only is per connection, so it is set for every transaction, on or off).
        read_only = bool(connection.get_execution_options().get(READ_ONLY_OPTION))
        connection.exec_driver_sql(f"PRAGMA query_only = {'ON' if read_only else 'OFF'}")
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")

    return engine


@functools.cache
def engine_for(url: str) -> Engine:
    """One engine per URL per process (the app also wraps this in st.cache_resource)."""
    engine = make_engine(url)
    upgrade(engine)
    return engine


def get_engine() -> Engine:
    return engine_for(settings.database_url())


@contextmanager
def unit_of_work(engine: Engine | None = None, *, read_only: bool = False) -> Iterator[Session]:
    """One action, one transaction. Services take this session and never commit (they may
    flush); the entry point that opened it (a page action, a CLI command, a job) ends the block,
    which commits once, or rolls everything back when the block raises. A service that commits
    anyway breaks the block loudly: the next statement in it fails ("closed transaction").

    `read_only`: for pages and commands that only look. The database refuses every write in
    it (PostgreSQL: a READ ONLY transaction; SQLite: query_only), and on SQLite it does not
    take the write lock, so readers never wait for a writer. It ends with a commit too: a
    rollback would expire the rows it read, which the caller still uses after the block."""
    engine = engine or get_engine()
    if read_only:
        engine = engine.execution_options(**_read_only_options(engine))
    with Session(engine, expire_on_commit=False) as session:
        with session.begin():
            yield session


def is_read_only(session: Session) -> bool:
    """Whether this session was opened by `unit_of_work(read_only=True)`."""
    options = session.get_bind().get_execution_options()
    return bool(options.get(READ_ONLY_OPTION) or options.get("postgresql_readonly"))


def _read_only_options(engine: Engine) -> dict[str, bool]:
    if engine.dialect.name == "sqlite":
        return {READ_ONLY_OPTION: True}
    if engine.dialect.name == "postgresql":
        return {"postgresql_readonly": True}
    return {}


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # configparser treats "%" as interpolation: escape it (URL-encoded options contain it).
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`. Runs at every start; a no-op when already there."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())
