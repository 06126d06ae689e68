"""Shared fixtures. Tests that need PostgreSQL or a browser skip with a reason when it is not
there, except when SAMENSPEL_REQUIRE_ALL=1 (set by CI): then a missing service is a failure."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import text

from samenspel.storage import db

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
POSTGRES_URL = os.environ.get(
    "SAMENSPEL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


BROWSER_TIMEOUT_MS = 60_000  # how long a browser test waits for a state before it fails


def require_all() -> bool:
    return os.environ.get("SAMENSPEL_REQUIRE_ALL", "") == "1"


def unavailable(reason: str):
    """Skip, or fail under CI's flag: CI must never pass by skipping."""
    if require_all():
        pytest.fail(f"required but unavailable (SAMENSPEL_REQUIRE_ALL=1): {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def instance_outside_the_checkout(tmp_path_factory):
    """A test that does not pick its own instance folder (a restore keeps its "voor-terugzetten"
    backup there) writes into a throwaway one, never into the checkout's ./instance."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAMENSPEL_INSTANCE_DIR", str(tmp_path_factory.mktemp("default_instance")))
        yield


@pytest.fixture(autouse=True)
def calendar_feeds_outside_the_checkout(tmp_path, monkeypatch):
    """Calendar feeds are files under ./static/calendar (services/calendar.py): a test that
    writes or tidies feeds does so in its own folder, never in the checkout's."""
    from samenspel.services import calendar

    monkeypatch.setattr(calendar, "FEED_DIR", tmp_path / "static" / "calendar")


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory) -> Path:
    """One SQLite file migrated to head; tests get a copy (migrating each costs ~0.3 s)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    engine.dispose()  # the last connection closing checkpoints the WAL into the file
    return path


@pytest.fixture
def sqlite_url(tmp_path, migrated_sqlite_template) -> str:
    path = tmp_path / "samenspel.db"
    shutil.copyfile(migrated_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_engine(sqlite_url):
    engine = db.make_engine(sqlite_url)
    db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_url():
    """A fresh schema in the `test` database for this test, dropped afterwards."""
    try:
        admin = sa_create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "not available"
        unavailable(f"no PostgreSQL at {POSTGRES_URL}: {exc.__class__.__name__}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'create schema "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.connect() as connection:
        connection.execute(text(f'drop schema "{schema}" cascade'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request) -> str:
    """Run a test on both databases (the SQLite one already migrated to head)."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request, tmp_path) -> str:
    """Both databases, with no table at all: for tests of the migrations themselves."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(database_url):
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """One Debian chromium for the whole run (e2e and security tests share it: a second
    sync Playwright in the same process fails)."""
    executable = shutil.which("chromium")
    if executable is None:
        unavailable("Debian's chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    # expect() retries an assertion until it holds; its own default (5 s) is too short for
    # a loaded 2-core machine, where a page run can take longer: give it the pages' timeout.
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
