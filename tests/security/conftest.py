"""Fixtures for the security corpus. The AppTest tests get their own demo city (the app's
caches are cleared on the way in and out: st.cache_resource would otherwise keep the engine
of whichever database a test before them used)."""

from __future__ import annotations

import os

import pytest
import streamlit as st
from sqlmodel import Session, select

from samenspel.storage import db
from samenspel.storage.models import User
from tests.conftest import APP

ENV = ("SAMENSPEL_INSTANCE_DIR", "SAMENSPEL_DATABASE_URL", "SAMENSPEL_DEMO")


@pytest.fixture(scope="module")
def demo_users(tmp_path_factory) -> dict[str, int]:
    """A fresh demo city for this module's AppTests: username -> id of the demo accounts."""
    from streamlit.testing.v1 import AppTest

    saved = {key: os.environ.get(key) for key in ENV}
    os.environ["SAMENSPEL_INSTANCE_DIR"] = str(tmp_path_factory.mktemp("security_app"))
    os.environ.pop("SAMENSPEL_DATABASE_URL", None)
    os.environ["SAMENSPEL_DEMO"] = "1"
    st.cache_resource.clear()
    st.cache_data.clear()
    AppTest.from_file(str(APP), default_timeout=120).run()
    with Session(db.engine_for(db.settings.database_url())) as session:
        users = {u.username: u.id for u in session.exec(select(User)).all()}
    yield users
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    st.cache_resource.clear()
    st.cache_data.clear()
