"""The setup page of a new installation (demo mode off, no administrator yet): only the page
'Eerste beheerder' is there, it asks for the one-time code from the server's log, refuses a
missing or wrong code, and with the right one creates the first administrator, once."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from samenspel.storage import db
from samenspel.storage.models import User
from tests.app.conftest import clear_app_caches, shown
from tests.conftest import APP

WELCOME = "Welkom bij Samenspel"
WRONG_CODE = (
    "Deze code klopt niet of is verlopen. Vraag een nieuwe code met 'samenspel setup-token' "
    "op de server."
)
PASSWORD = "paars fietsenrek zee"


@pytest.fixture
def new_installation(tmp_path, monkeypatch):
    """An empty database with demo mode off, as on a real server's first start."""
    monkeypatch.setenv("SAMENSPEL_DEMO", "0")
    monkeypatch.setenv("SAMENSPEL_INSTANCE_DIR", str(tmp_path / "new_installation"))
    clear_app_caches()
    yield
    db.engine_for(db.settings.database_url()).dispose()


def setup_codes(capsys) -> list[str]:
    """The codes the app wrote to its log (JSON lines on standard error) since the last call."""
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()
             if line.startswith('{"time"')]  # fmt: skip
    return [line["setup_code"] for line in lines if line.get("event") == "setup_token"]


def users() -> list[User]:
    with Session(db.engine_for(db.settings.database_url())) as session:
        return list(session.exec(select(User)))


def fill_in(at: AppTest, *, code: str, username: str) -> AppTest:
    at.text_input(key="setup_token").input(code)
    at.text_input(key="setup_username").input(username)
    at.text_input(key="setup_name").input("Eerste Beheerder")
    at.text_input(key="setup_password").input(PASSWORD)
    (submit,) = [b for b in at.button if b.label == "Beheerder aanmaken"]
    return submit.click().run()


def field_errors(at: AppTest) -> list[str]:
    return [shown(e.value) for e in at.error]


def test_the_first_administrator_needs_the_servers_code_and_is_made_once(new_installation, capsys):
    capsys.readouterr()
    first = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not first.exception
    assert [t.value for t in first.title] == [WELCOME]
    (code,) = setup_codes(capsys)  # what the operator reads in the server's log
    second = AppTest.from_file(str(APP), default_timeout=120).run()  # someone else, same moment
    assert [t.value for t in second.title] == [WELCOME]

    fill_in(first, code="", username="beheerder")
    assert WRONG_CODE in field_errors(first)
    assert users() == []
    fill_in(first, code=code[:-1] + ("x" if code[-1] != "x" else "y"), username="beheerder")
    assert WRONG_CODE in field_errors(first)
    assert users() == []
    assert [t.value for t in first.title] == [WELCOME]  # still only the setup page

    fill_in(first, code=code, username="Beheerder")
    assert not first.exception
    (admin,) = users()
    assert (admin.username, admin.role, admin.display_name) == (
        "beheerder",
        "admin",
        "Eerste Beheerder",
    )
    # Logged in, and the installation's own pages are there now.
    assert WELCOME not in [t.value for t in first.title]
    assert "Ingelogd als Eerste Beheerder" in [shown(c.value) for c in first.sidebar.caption]

    # The other tab, with the same code a moment later: no second administrator, no setup page.
    fill_in(second, code=code, username="tweede")
    assert not second.exception
    assert [u.username for u in users()] == ["beheerder"]
    assert WELCOME not in [t.value for t in second.title]
    fresh = AppTest.from_file(str(APP), default_timeout=120).run()
    assert WELCOME not in [t.value for t in fresh.title]
    assert setup_codes(capsys) == []  # and no new code is handed out any more
