"""Structured logs: each line on standard error is one JSON object with the agreed fields, at
the configured level, and carries ids, never personal data (not even inside a traceback)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from samenspel import logs

REQUIRED = {"time", "level", "event", "message"}


def lines(err: str) -> list[dict]:
    return [json.loads(line) for line in err.splitlines() if line.strip()]


@pytest.fixture
def log_lines(capsys, monkeypatch):
    """Set up the logs at INFO and return a function that reads the lines written since."""
    monkeypatch.setenv("SAMENSPEL_LOG_LEVEL", "INFO")
    logs.setup()
    capsys.readouterr()
    logs.bind_user(None)
    yield lambda: lines(capsys.readouterr().err)
    logs.bind_user(None)


def test_a_line_is_json_with_time_level_event_message_and_ids(log_lines):
    before = datetime.now(UTC)
    logs.event("login", "login ok", user_id=42)
    (line,) = log_lines()
    assert REQUIRED <= set(line)
    assert (line["level"], line["event"], line["message"], line["user_id"]) == (
        "INFO",
        "login",
        "login ok",
        42,
    )
    moment = datetime.fromisoformat(line["time"])
    assert moment.utcoffset().total_seconds() == 0  # UTC, with its offset written out
    assert abs((moment - before).total_seconds()) < 60
    assert "session_id" not in line  # not inside a page run: unknown, so left out


def test_the_bound_user_is_on_every_line_until_unbound(log_lines):
    logs.bind_user(7)
    logs.event("write", "action done", service="matches.introduce", outcome="ok")
    logs.bind_user(None)
    logs.event("write", "action done", service="matches.introduce", outcome="ok")
    first, second = log_lines()
    assert (first["user_id"], first["service"], first["outcome"]) == (7, "matches.introduce", "ok")
    assert "user_id" not in second


def test_an_error_gets_an_id_and_a_traceback_without_the_exceptions_message(log_lines):
    personal = "Key (username)=(anja@depan.example) already exists; Anja de Vries, 06-11111111"

    def service():
        try:
            raise KeyError("Buurtkeuken De Pan")
        except KeyError as cause:
            raise ValueError(personal) from cause

    try:
        service()
    except ValueError as exc:
        error_id = logs.error("page_error", "unexpected error on a page", exc, page="review")
    (line,) = log_lines()
    assert len(error_id) == 8 and int(error_id, 16) >= 0
    assert (line["level"], line["event"], line["error_id"], line["page"]) == (
        "ERROR",
        "page_error",
        error_id,
        "review",
    )
    assert line["error"] == "ValueError"
    assert "in service" in line["traceback"] and "caused by:" in line["traceback"]
    assert "builtins.KeyError" in line["traceback"]
    raw = json.dumps(line)
    for secret in ("anja", "Anja", "De Pan", "06-11111111"):
        assert secret not in raw


def test_error_ids_differ():
    assert len({logs.new_error_id() for _ in range(50)}) == 50


def test_the_level_follows_the_setting(log_lines, monkeypatch):
    monkeypatch.setenv("SAMENSPEL_LOG_LEVEL", "WARNING")
    logs.setup()  # once per process for the handler; the level is read again
    logs.event("login", "login ok", user_id=1)
    logs.event("health_failed", "health check failed", level=logging.ERROR, problem="missing")
    assert [line["event"] for line in log_lines()] == ["health_failed"]
    monkeypatch.setenv("SAMENSPEL_LOG_LEVEL", "INFO")
    logs.setup()
    logs.event("login", "login ok", user_id=1)
    assert [line["event"] for line in log_lines()] == ["login"]


def test_setup_happens_once_per_process(log_lines):
    assert logs.setup() is False
    formatters = [h.formatter for h in logging.getLogger("samenspel").handlers]
    assert len([f for f in formatters if isinstance(f, logs.JsonFormatter)]) == 1
    logs.event("app_start", "first page run of this process")
    assert len(log_lines()) == 1  # not twice: the root logger does not repeat it


def test_plain_loggers_under_samenspel_write_json_too(log_lines):
    logging.getLogger("samenspel.services.transfer").warning("import failed")
    (line,) = log_lines()
    assert (line["event"], line["level"], line["message"]) == (
        "samenspel.services.transfer",
        "WARNING",
        "import failed",
    )
