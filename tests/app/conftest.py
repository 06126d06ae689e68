"""AppTest runs the real app in-process, each test against its own SQLite copy of the demo city.

The demo city is seeded once per run into a template file; every test gets a fresh copy of it
(the SQLite backup API: about 3 ms) at its own path, so no test sees what another one changed.
The app's in-process caches (st.cache_resource holds the engine, st.cache_data the reads) are
cleared on the way in and out, so one test's cached reads never leak into the next.

To log in under AppTest, call `log_in(at, user_id)` before `at.run()`: it starts a real login
session in the database and puts its token in session state, where the app looks for this
tab's login (AppTest has no browser, so no cookie and no client; demo accounts cannot log in
through the form there, see samenspel.web.ui.client)."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session, select

from samenspel import settings
from samenspel.storage import db
from samenspel.storage.models import User
from samenspel.storage.seed import seed_demo


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (it reads through the WAL, so no
    checkpoint is needed first)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def clear_app_caches() -> None:
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture(scope="package", autouse=True)
def outside_any_test(tmp_path_factory):
    """Where a module- or session-scoped fixture's database lands (it runs before the test's
    own folder is set): a throwaway folder, never the checkout's ./instance. Data written
    there is not seen by any test, so such a fixture fails its tests instead of sharing state."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAMENSPEL_INSTANCE_DIR", str(tmp_path_factory.mktemp("outside_any_test")))
        patch.delenv("SAMENSPEL_DATABASE_URL", raising=False)
        yield


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo city, seeded once per run the way the app does on its first start."""
    path = tmp_path_factory.mktemp("demo_template") / "demo.db"
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        db.upgrade(engine)
        seed_demo(engine)
    finally:
        engine.dispose()
    return path


@pytest.fixture(autouse=True)
def app_database(demo_template, tmp_path, monkeypatch) -> Path:
    """This test's own demo city: its instance folder, with a copy of the template in it.
    Returns the instance folder."""
    instance = tmp_path / "instance"
    monkeypatch.setenv("SAMENSPEL_INSTANCE_DIR", str(instance))
    monkeypatch.delenv("SAMENSPEL_DATABASE_URL", raising=False)
    monkeypatch.setenv("SAMENSPEL_DEMO", "1")
    url = settings.database_url()
    copy_database(demo_template, sqlite_path(url))
    clear_app_caches()
    # db.engine_for keeps one engine per URL for the whole process: this test's URL is new,
    # so it gets its own engine, closed afterwards (no file stays open for every test).
    engine = db.engine_for(url)
    yield instance
    clear_app_caches()
    engine.dispose()


@pytest.fixture(scope="session")
def demo_users(demo_template) -> dict[str, int]:
    """username -> id of the demo accounts (the same in every test's copy)."""
    engine = db.make_engine(f"sqlite:///{demo_template}")
    try:
        with Session(engine) as session:
            return {u.username: u.id for u in session.exec(select(User)).all()}
    finally:
        engine.dispose()


def log_in(at, user_id: int) -> str:
    """Log this AppTest in as `user_id` the way the app does after a good password: a session
    row (only its hash stored) and the token in session state. Returns the token."""
    from samenspel.services.accounts import start_session
    from samenspel.web.ui import TOKEN_KEY

    with db.unit_of_work(db.engine_for(db.settings.database_url())) as session:
        token = start_session(session=session, user_id=user_id)
    at.session_state[TOKEN_KEY] = token
    return token


def shown(markdown: str) -> str:
    """What a reader sees of a markdown message: user text in it is escaped with backslashes
    (ui.plain), which the page renders away."""
    return re.sub(r"\\(.)", r"\1", markdown)
