"""`samenspel health`: ok only when the database can be reached and its schema is this code's
head; otherwise exit 1 with a Dutch line (and a JSON log line). It never creates a database."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from samenspel import cli
from samenspel.services import health
from samenspel.storage import db
from tests.conftest import POSTGRES_URL


def head() -> str:
    return health.head_revision()


def run_health(monkeypatch, capsys, url: str, *args: str) -> tuple[int, str, list[dict]]:
    """Exit code, standard output and the JSON log lines of `samenspel health`."""
    monkeypatch.setenv("SAMENSPEL_DATABASE_URL", url)
    code = cli.main(["health", *args])
    captured = capsys.readouterr()
    logged = [json.loads(line) for line in captured.err.splitlines() if line.startswith("{")]
    return code, captured.out, logged


def test_a_database_at_head_is_ok(engine, database_url, monkeypatch, capsys):
    code, out, logged = run_health(monkeypatch, capsys, database_url, "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "status": "ok",
        "database": make_url(database_url).render_as_string(hide_password=True),
        "schema": head(),
    }
    assert [line for line in logged if line["event"] == "health_failed"] == []
    code, out, _ = run_health(monkeypatch, capsys, database_url)
    assert code == 0 and out.startswith(f"ok: schema {head()} ")


def test_an_old_schema_is_not_ok(empty_database_url, monkeypatch, capsys):
    engine = db.make_engine(empty_database_url)
    db.upgrade(engine, "0004")
    engine.dispose()
    code, out, logged = run_health(monkeypatch, capsys, empty_database_url, "--format", "json")
    assert code == 1
    answer = json.loads(out)
    assert (answer["status"], answer["problem"], answer["schema"]) == ("error", "old", "0004")
    assert answer["expected_schema"] == head() != "0004"
    assert "ouder (0004)" in answer["message"]
    (failure,) = [line for line in logged if line["event"] == "health_failed"]
    assert (failure["level"], failure["problem"], failure["schema"]) == ("ERROR", "old", "0004")


def test_a_schema_newer_than_this_code_is_not_ok(engine, database_url, monkeypatch, capsys):
    with engine.begin() as connection:
        connection.execute(text("update alembic_version set version_num = '9999'"))
    code, out, _ = run_health(monkeypatch, capsys, database_url)
    assert code == 1
    assert "nieuwer" in out and "9999" in out


def test_a_database_without_schema_is_not_ok(empty_database_url, monkeypatch, capsys):
    engine = db.make_engine(empty_database_url)
    with engine.connect() as connection:  # SQLite: the file exists now, with no table
        connection.execute(text("select 1"))
    engine.dispose()
    code, out, _ = run_health(monkeypatch, capsys, empty_database_url, "--format", "json")
    assert code == 1
    assert json.loads(out)["problem"] == "empty"
    engine = db.make_engine(empty_database_url)
    assert db.table_names(engine) == set()  # the check did not migrate
    engine.dispose()


def test_a_missing_sqlite_database_is_reported_and_not_created(tmp_path, monkeypatch, capsys):
    instance = tmp_path / "instance"
    monkeypatch.delenv("SAMENSPEL_DATABASE_URL", raising=False)
    monkeypatch.setenv("SAMENSPEL_INSTANCE_DIR", str(instance))
    assert cli.main(["health"]) == 1
    out = capsys.readouterr().out
    assert "de database bestaat niet" in out and "samenspel.db" in out
    assert not instance.exists()  # not the file, not even its folder


def test_a_postgresql_database_that_does_not_exist_is_reported(postgres_url, monkeypatch, capsys):
    # postgres_url: the server is there (or the test skips); this database name is not.
    missing = make_url(POSTGRES_URL).set(database="samenspel_no_such_database")
    url = missing.render_as_string(hide_password=False)
    code, out, logged = run_health(monkeypatch, capsys, url, "--format", "json")
    assert code == 1
    answer = json.loads(out)
    assert (answer["problem"], answer["schema"]) == ("missing", None)
    assert "de database bestaat niet" in answer["message"]
    assert [line["problem"] for line in logged if line["event"] == "health_failed"] == ["missing"]


def test_an_unreachable_database_server_is_reported(monkeypatch, capsys):
    # Port 1 on this machine: nothing listens there, the connection is refused at once.
    url = "postgresql+psycopg://samenspel@127.0.0.1:1/samenspel"
    code, out, _ = run_health(monkeypatch, capsys, url)
    assert code == 1
    assert out.startswith("niet in orde: de database is niet bereikbaar")


def test_no_password_is_shown(monkeypatch, capsys):
    url = "postgresql+psycopg://samenspel:geheim-wachtwoord@127.0.0.1:1/samenspel"
    code, out, logged = run_health(monkeypatch, capsys, url, "--format", "json")
    assert code == 1
    assert "geheim-wachtwoord" not in out + json.dumps(logged)
    assert json.loads(out)["database"] == "postgresql+psycopg://samenspel:***@127.0.0.1:1/samenspel"


@pytest.mark.parametrize("problem", ["missing", "unreachable", "empty", "old", "newer"])
def test_every_problem_has_a_dutch_line_that_says_what_to_do(problem):
    message = health._message(problem, "sqlite:///x.db", "0004", "0006")
    assert message.startswith("niet in orde: ")
    assert any(word in message for word in ("Start", "Kijk", "Maak", "Gebruik"))
