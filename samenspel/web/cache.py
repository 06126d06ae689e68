"""Cached page reads that stay correct: each names the tables it reads, and those tables' data
versions (storage/versions.py) are part of its cache key.

A write to `need` changes need's version, so the map's next read misses its cache and reads
afresh, while the fund list keeps its cached copy; a login writes only untracked tables and
invalidates nothing shared. The versions live in the database, so a write on another app
instance (or by a command or a job) is seen on this instance's next page run. Nothing is
cleared by hand: there is no call to forget.

The versions are read once per page run (one small SELECT), and again in the same run only
after this process committed a write (versions.local_commits moved), so a page that writes
and then reads sees its own write.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.runtime.scriptrunner import get_script_run_ctx

from samenspel.services.scope import AllAreas, Areas, cache_key
from samenspel.storage import db, versions

# A frozenset's order is not stable, so a scope is hashed by its sorted names.
SCOPE_HASHES = {Areas: cache_key, AllAreas: cache_key}
_MEMO = "samenspel_data_versions"  # attribute on the run's context: what this run read


def cached_read(
    *tables,
    ttl: int = 600,
    max_entries: int = 100,
    engine: Callable[[], Engine] | None = None,
):
    """Cache a read (st.cache_data) under the versions of `tables`, which must be every table
    it reads: models (`Need`), or their names (`"need"`) in page files, which do not import the
    models. `engine` says where the versions are (default: the app's). The ttl only bounds
    memory now: a changed table is seen at once, whatever the ttl."""
    tables = versions.tracked_names(tables)

    def decorate(fn):
        def keyed(data_versions: tuple, *args, **kwargs):
            return fn(*args, **kwargs)

        # st.cache_data tells functions apart by module, name and source; every `keyed` has
        # the same source, so its name carries where `fn` is defined (pages are all __main__).
        code = fn.__code__
        keyed.__module__ = fn.__module__
        keyed.__qualname__ = f"{fn.__qualname__}@{code.co_filename}:{code.co_firstlineno}"
        cached = st.cache_data(
            ttl=ttl, max_entries=max_entries, show_spinner=False, hash_funcs=SCOPE_HASHES
        )(keyed)

        @functools.wraps(fn)
        def read(*args, **kwargs):
            return cached(table_versions(tables, engine), *args, **kwargs)

        read.tables = tables
        return read

    return decorate


def table_versions(tables: tuple[str, ...], engine: Callable[[], Engine] | None = None) -> tuple:
    """The database and the current versions of these tables in it (0: never written). The
    database is part of it because st.cache_data is one cache per process, and two databases
    can be at the same versions (tests, or a command next to the app in one process)."""
    engine = (engine or _app_engine)()
    current = _versions_this_run(engine)
    database = engine.url.render_as_string(hide_password=True)
    return (database, *(current.get(table, 0) for table in tables))


def _app_engine() -> Engine:
    from samenspel.web import ui  # ui defines its cached reads with this module

    return ui.get_engine()


def _versions_this_run(engine: Engine) -> dict[str, int]:
    """All versions, read once per page run. Outside a page run (a test, a command) there is
    no run to remember them for: they are read on every call."""
    ctx = get_script_run_ctx(suppress_warning=True)
    # Streamlit replaces the run context's cursors with a new dict at the start of every run
    # (and of every fragment rerun). Holding the old one keeps it from being reused, so `is`
    # tells runs apart. Should a later Streamlit not have it, versions are read on every call.
    run = getattr(ctx, "cursors", None)
    marker = (run, versions.local_commits(), engine.pool)
    memo = getattr(ctx, _MEMO, None)
    if run is not None and memo is not None and _same(memo[0], marker):
        return memo[1]
    with db.unit_of_work(engine, read_only=True) as session:
        current = versions.read_all(session.connection())
    if run is not None:
        setattr(ctx, _MEMO, (marker, current))
    return current


def _same(remembered: tuple, marker: tuple) -> bool:
    run, commits, pool = remembered
    return run is marker[0] and commits == marker[1] and pool is marker[2]
