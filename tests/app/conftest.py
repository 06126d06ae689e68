"""AppTest runs the real app in-process against a fresh SQLite file with the demo city.

To log in under AppTest, call `log_in(at, user_id)` before `at.run()`: it starts a real login
session in the database and puts its token in session state, where the app looks for this
tab's login (AppTest has no browser, so no cookie and no client; demo accounts cannot log in
through the form there, see samenspel.web.ui.client)."""

from __future__ import annotations

import os

import pytest
from sqlmodel import Session, select

from samenspel.storage import db
from samenspel.storage.models import User
from tests.conftest import APP


@pytest.fixture(scope="session", autouse=True)
def app_database(tmp_path_factory):
    instance = tmp_path_factory.mktemp("app_instance")
    saved = {
        k: os.environ.get(k)
        for k in ("SAMENSPEL_INSTANCE_DIR", "SAMENSPEL_DATABASE_URL", "SAMENSPEL_DEMO")
    }
    os.environ["SAMENSPEL_INSTANCE_DIR"] = str(instance)
    os.environ.pop("SAMENSPEL_DATABASE_URL", None)
    os.environ["SAMENSPEL_DEMO"] = "1"
    yield instance
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def demo_users(app_database) -> dict[str, int]:
    """username -> id of the demo accounts, after the app has seeded the database."""
    from streamlit.testing.v1 import AppTest

    AppTest.from_file(str(APP), default_timeout=120).run()
    engine = db.engine_for(db.settings.database_url())
    with Session(engine) as session:
        return {u.username: u.id for u in session.exec(select(User)).all()}


def log_in(at, user_id: int) -> str:
    """Log this AppTest in as `user_id` the way the app does after a good password: a session
    row (only its hash stored) and the token in session state. Returns the token."""
    from samenspel.services.accounts import start_session
    from samenspel.web.ui import TOKEN_KEY

    with Session(db.engine_for(db.settings.database_url())) as session:
        token = start_session(session, user_id=user_id)
    at.session_state[TOKEN_KEY] = token
    return token


def shown(markdown: str) -> str:
    """What a reader sees of a markdown message: user text in it is escaped with backslashes
    (ui.plain), which the page renders away."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown)
