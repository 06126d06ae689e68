"""AppTest runs the real app in-process against a fresh SQLite file with the demo city."""

from __future__ import annotations

import os

import pytest
from sqlmodel import Session, select

from samenspel import db
from samenspel.models import User
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
