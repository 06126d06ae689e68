"""What a user sees when something breaks: a Dutch message (with an error id when it is a page
error), never Streamlit's error box, paths or exception text; the log has the traceback under
that id. Streamlit's own control flow (st.stop, st.rerun, st.switch_page) is no error. And the
log lines of logging in, acting and logging out carry ids only."""

from __future__ import annotations

import json
import re

import pytest
import streamlit as st
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from samenspel.services import accounts
from samenspel.storage import db
from samenspel.storage.models import User
from samenspel.web.ui import get_engine
from tests.app.conftest import log_in, shown
from tests.conftest import APP

PERSONAL = "anja@depan.example, Anja de Vries, Buurtkeuken De Pan"
PASSWORD = "paars fietsenrek zee"


def app_as(user_id: int | None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    if user_id is not None:
        log_in(at, user_id)
    return at


def everything_shown(at: AppTest) -> str:
    kinds = ("error", "warning", "info", "success", "markdown", "caption", "text", "title")
    return " ".join(str(e.value) for kind in kinds for e in at.get(kind))


def log_lines(capsys) -> list[dict]:
    """The JSON lines the app wrote to standard error (Streamlit's own lines are not JSON)."""
    err = capsys.readouterr().err
    return [json.loads(line) for line in err.splitlines() if line.startswith('{"time"')]


def boom(*args, **kwargs):
    raise RuntimeError(f"duplicate key: {PERSONAL} in /work/main/pages/audit.py")


# AppTest runs app.py, and so its safety net, only on the first run of a test (switch_page
# runs the page file on its own): the pages that break here are the default pages, the map
# (for the public) and "Nieuw voor jullie" (once logged in).


def test_a_page_error_shows_a_dutch_message_with_an_id_that_is_in_the_log(
    demo_users, monkeypatch, capsys
):
    # "Nieuw voor jullie", the first page after logging in (its count on the menu breaks too,
    # and is left out: see app.page_title).
    monkeypatch.setattr("samenspel.web.queries.broker_news", boom)
    capsys.readouterr()
    at = app_as(demo_users["beheer"]).run()
    assert not at.exception  # Streamlit's own error box
    (message,) = [e.value for e in at.error]
    found = re.fullmatch(
        r"Er ging iets mis\. Probeer het opnieuw\. Gaat het weer mis\? "
        r"Geef dan deze code aan de beheerder: ([0-9a-f]{8})",
        message,
    )
    assert found, message
    visible = everything_shown(at)
    for leak in ("RuntimeError", "Traceback", "anja", "samenspel/web/views/", ".py"):
        assert leak not in visible
    (line,) = [line for line in log_lines(capsys) if line["event"] == "page_error"]
    assert (line["error_id"], line["level"], line["page"]) == (found[1], "ERROR", "news")
    assert line["user_id"] == demo_users["beheer"] and line["session_id"]
    assert line["error"] == "RuntimeError" and "in boom" in line["traceback"]
    assert "anja" not in json.dumps(line) and "De Pan" not in json.dumps(line)


@pytest.mark.parametrize(
    "control",
    [
        pytest.param(st.stop, id="st.stop"),
        pytest.param(lambda: st.switch_page("samenspel/web/views/privacy.py"), id="st.switch_page"),
    ],
)
def test_streamlits_control_flow_passes_through(control, demo_users, monkeypatch):
    def filter_points(*args, **kwargs):
        control()

    monkeypatch.setattr("samenspel.web.queries.filter_points", filter_points)
    at = app_as(None).run()
    assert not at.exception
    assert [e.value for e in at.error] == []  # not taken for an error
    titles = [title.value for title in at.title]
    assert titles == (["Samenspel in de buurt"] if control is st.stop else ["Privacy"])
    assert not any("punten op de kaart" in c.value for c in at.caption)  # the map page stopped


def test_st_rerun_passes_through(demo_users, monkeypatch):
    import samenspel.web.queries as queries

    real, runs = queries.filter_points, []

    def filter_points(*args, **kwargs):
        runs.append(1)
        if len(runs) == 1:
            st.rerun()  # the page starts again and this time shows the map
        return real(*args, **kwargs)

    monkeypatch.setattr("samenspel.web.queries.filter_points", filter_points)
    at = app_as(None).run()
    assert not at.exception and [e.value for e in at.error] == []
    assert len(runs) == 2
    assert any("punten op de kaart" in c.value for c in at.caption)


def test_an_unexpected_error_in_an_action_is_a_message_with_an_id(demo_users, monkeypatch, capsys):
    monkeypatch.setattr("samenspel.services.audit_log.export_csv", boom)
    at = app_as(demo_users["beheer"]).run()
    at.switch_page("samenspel/web/views/audit.py").run()
    capsys.readouterr()
    at.button(key="audit_prepare").click().run()
    assert not at.exception
    (message,) = [shown(e.value) for e in at.error]  # escaped as every DomainError message
    code = message.rsplit(" ", 1)[-1]
    assert message.startswith("Er ging iets mis.") and re.fullmatch(r"[0-9a-f]{8}", code)
    (line,) = [line for line in log_lines(capsys) if line["event"] == "write_error"]
    assert (line["error_id"], line["service"]) == (code, "test_error_page.boom")
    assert not at.get("download_button")


@pytest.fixture
def unreachable_database(monkeypatch):
    """The app's database URL points at a port where no server listens; the engine cached
    for the test session is set aside meanwhile, and found again afterwards."""
    monkeypatch.setenv("SAMENSPEL_DATABASE_URL", "postgresql+psycopg://samenspel@127.0.0.1:1/x")
    get_engine.clear()
    yield
    monkeypatch.undo()
    get_engine.clear()


def test_a_database_that_cannot_be_reached_gives_a_calm_dutch_page(
    demo_users, unreachable_database, capsys
):
    capsys.readouterr()
    at = app_as(None).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Samenspel is even niet bereikbaar. Probeer het over een paar minuten opnieuw. "
        "Lukt het dan nog steeds niet? Laat het de beheerder weten."
    ]
    visible = everything_shown(at)
    for leak in (
        "postgresql",
        "127.0.0.1",
        "OperationalError",
        "Traceback",
        "samenspel/web/views/",
    ):
        assert leak not in visible
    assert not at.title  # no page ran
    (line,) = [line for line in log_lines(capsys) if line["event"] == "database_unavailable"]
    assert line["level"] == "ERROR" and line["error"] == "OperationalError"
    assert re.fullmatch(r"[0-9a-f]{8}", line["error_id"])


def test_login_action_and_logout_are_logged_with_ids_only(demo_users, capsys):
    with Session(db.engine_for(db.settings.database_url())) as session:
        user = User(username="logtester", display_name="Fatima Logtester", role="broker",
                    areas="Lombok", password_hash=accounts.hash_password(PASSWORD))  # fmt: skip
        session.add(user)
        session.commit()
        user_id = user.id
    at = app_as(None).run()
    capsys.readouterr()
    at.switch_page("samenspel/web/views/login.py").run()
    at.text_input(key="login_username").input("logtester")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    at.switch_page("samenspel/web/views/login.py").run()
    at.button(key="login_logout").click().run()
    lines = log_lines(capsys)
    events = [line["event"] for line in lines]
    assert "login" in events and "logout" in events
    (login,) = [line for line in lines if line["event"] == "login"]
    (logout,) = [line for line in lines if line["event"] == "logout"]
    assert login["user_id"] == logout["user_id"] == user_id
    assert login["session_id"] == logout["session_id"]  # the same browser tab
    raw = json.dumps(lines)
    for personal in ("logtester", "Fatima", PASSWORD, "Lombok", "127.0.0.1"):
        assert personal not in raw
    for line in lines:
        assert {"time", "level", "event", "message"} <= set(line)
