"""Data versions: how every app instance's caches learn that a table changed.

Each table has a counter in `data_version` (models.DataVersion; no row yet is version 0). A
transaction that changes a table raises that table's counter by one, in the same transaction,
so the bump commits with the change or rolls back with it. Cached page reads put the counters
of the tables they read into their cache key (web/cache.py): a write on any instance, or by a
command or a nightly job, makes the next page run on every instance read afresh what it
touched, and nothing else.

The bumps come from Session events registered here for every Session (storage/db.py imports
this module), so no service can forget them:
- `after_flush` notes the tables of the rows a flush inserted, changed or deleted (after the
  flush, so that rows added by other flush hooks count too);
- `do_orm_execute` notes the table of an ORM bulk INSERT, UPDATE or DELETE (`session.exec(
  update(Match)...)`), which no flush sees;
- `before_commit` flushes what is left, then bumps each noted table once, in name order.
Writes that go around the Session (`session.connection().execute(...)`, raw SQL, migrations)
are not seen; Samenspel's services write through the Session only.

Contention. On PostgreSQL the bump is an UPDATE of one row per table, and its row lock is held
until COMMIT, so two transactions that changed the same table queue on that row. That is
acceptable because the bump is the last statement before COMMIT: the lock is held for the
commit itself, not for the work before it (a long import waits only at its own end, and
holds up others only during its commit); and the rows are always locked in name order, so two
writers cannot deadlock on them. The tables every action writes, and that no shared cache
reads (the audit trail, login sessions, rate events), are not versioned at all: they would be
the one row every writer queues on. On SQLite writers are serialised anyway (BEGIN
IMMEDIATE, storage/db.py): the bump is one more statement in the same lock.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable

from sqlalchemy import delete, event, insert, inspect, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import ORMExecuteState, Session
from sqlmodel import SQLModel

from samenspel.storage.models import (
    AuditEvent,
    DataVersion,
    LoginSession,
    RateEvent,
    SuggestionJob,
)

TABLE = DataVersion.__table__

# Written by (nearly) every action or every page run (a post queues a suggestion job), read
# by no cached read: versioning them would only make every writer queue on their row (see
# Contention above). A cached read may not declare them (tracked_names refuses), so nobody
# caches them by mistake.
UNTRACKED = frozenset(
    table.__table__.name
    for table in (DataVersion, AuditEvent, LoginSession, RateEvent, SuggestionJob)
)

_CHANGED = "samenspel_changed_tables"  # session.info: tables this transaction changed
_BUMPED = "samenspel_bumped_versions"  # session.info: this commit carries bumps

_UPSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def table_name(table) -> str:
    """A model's table name; a name is checked against the tables that exist (a page file may
    not import the models, so it names its tables: a typo must fail, not cache forever)."""
    if not isinstance(table, str):
        return table.__table__.name
    if table not in SQLModel.metadata.tables:
        raise ValueError(f"there is no table {table!r}")
    return table


def tracked_names(tables: Iterable) -> tuple[str, ...]:
    """The names of these tables (models or names), for a cached read's key; ValueError for a
    table that has no version (UNTRACKED): a cache of it would never be refreshed."""
    names = tuple(table_name(table) for table in tables)
    untracked = sorted(set(names) & UNTRACKED)
    if untracked:
        raise ValueError(f"these tables have no data version, do not cache them: {untracked}")
    if not names:
        raise ValueError("a cached read must name the tables it reads")
    return names


# --- Reading and writing the counters -------------------------------------------------------


def read_all(connection: Connection) -> dict[str, int]:
    """Every table's version ({} on a database from before migration 0009)."""
    if not _has_table(connection):
        return {}
    return dict(connection.execute(select(TABLE.c.name, TABLE.c.version)).all())


def snapshot(engine: Engine) -> dict[str, int]:
    """Every table's version, in a short read-only transaction of its own (on SQLite it does
    not wait for a writer)."""
    from samenspel.storage import db  # db imports this module to register the events

    with db.unit_of_work(engine, read_only=True) as session:
        return read_all(session.connection())


def bump(connection: Connection, names: Iterable[str]) -> None:
    """Raise each table's version by one (a missing row becomes 1), in name order."""
    rows = [{"name": name, "version": 1} for name in sorted(set(names))]
    if not rows:
        return
    upsert = _UPSERTS.get(connection.dialect.name)
    if upsert is None:
        raise RuntimeError(f"data versions: no upsert for {connection.dialect.name}")
    statement = upsert(TABLE).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=[TABLE.c.name], set_={"version": TABLE.c.version + 1}
    )
    connection.execute(statement)


def continue_after_restore(engine: Engine, before: dict[str, int]) -> None:
    """After a restore put back older counters: move every table past both the counters it
    had before (`before`, read just before the restore) and the restored ones. Otherwise the
    next writes would count up through numbers that caches already hold for other data."""
    with engine.begin() as connection:
        restored = read_all(connection)
        names = before.keys() | restored.keys()
        values = {n: max(before.get(n, 0), restored.get(n, 0)) + 1 for n in names}
        connection.execute(delete(TABLE))
        if values:
            connection.execute(
                insert(TABLE), [{"name": n, "version": v} for n, v in sorted(values.items())]
            )
    _count_local_commit()


# The connection pools (one per engine, shared by its read-only variants) whose database has
# the table. Only a database from before migration 0009 lacks it (the app upgrades at start;
# tests build old schemas): writes there carry no bumps, and it is looked for again next time.
_WITH_TABLE: weakref.WeakSet = weakref.WeakSet()


def _has_table(connection: Connection) -> bool:
    pool = connection.engine.pool
    if pool in _WITH_TABLE:
        return True
    if inspect(connection).has_table(TABLE.name):
        _WITH_TABLE.add(pool)
        return True
    return False


# --- Commits in this process ----------------------------------------------------------------

_lock = threading.Lock()
_local_commits = 0


def local_commits() -> int:
    """How many commits with bumps this process has made: a cached read that remembered the
    versions for one page run reads them again when this moved (a write earlier in the run)."""
    return _local_commits


def _count_local_commit() -> None:
    global _local_commits
    with _lock:
        _local_commits += 1


# --- The Session events ---------------------------------------------------------------------


def _note(session: Session, names: Iterable[str]) -> None:
    wanted = {name for name in names if name not in UNTRACKED}
    if wanted:
        session.info.setdefault(_CHANGED, set()).update(wanted)


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _flush_context) -> None:
    objects = [*session.new, *session.deleted]
    objects += [o for o in session.dirty if session.is_modified(o, include_collections=False)]
    _note(session, (table.name for obj in objects for table in inspect(obj).mapper.tables))


@event.listens_for(Session, "do_orm_execute")
def _note_executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        name = getattr(getattr(state.statement, "table", None), "name", None)
        if name:
            _note(state.session, [name])


@event.listens_for(Session, "before_commit")
def _bump_at_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction's commit bumps what it noted
    # before_commit runs before the commit's own flush: flush here, so that it is noted.
    session.flush()
    names = session.info.pop(_CHANGED, None)
    if not names:
        return
    connection = session.connection()
    if _has_table(connection):
        bump(connection, names)
        session.info[_BUMPED] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_BUMPED, False):
        _count_local_commit()


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction) -> None:
    # A rollback of the whole transaction: what it noted never happened. (A rolled-back
    # savepoint keeps its notes: at worst a table is bumped that did not change, which only
    # costs a cache one extra read.)
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_CHANGED, None)
        session.info.pop(_BUMPED, None)
