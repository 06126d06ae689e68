"""Typed settings: a bad value stops the start with the setting's name, never later as a crash."""

from __future__ import annotations

import subprocess
import sys

import pytest

from samenspel import settings


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("SAMENSPEL_TOP_K", "vijf"),
        ("SAMENSPEL_SESSION_TIMEOUT_MINUTES", "0"),
        ("SAMENSPEL_DEMO", "misschien"),
        ("SAMENSPEL_LANGUAGE", "de"),
        ("SAMENSPEL_TILE_URL", "https://tiles.example/{z}.png"),
        ("SAMENSPEL_DATABASE_URL", "mysql://x"),
        ("SAMENSPEL_RATE_VENUE_EUR_PER_HOUR", "-3"),
        ("SAMENSPEL_LOG_LEVEL", "loud"),
        ("SAMENSPEL_RETENTION_AUDIT_DAYS", "twee jaar"),
    ],
)
def test_a_bad_value_is_refused_with_its_name(monkeypatch, name, bad):
    monkeypatch.setenv(name, bad)
    with pytest.raises(settings.SettingsError) as refused:
        settings.check()
    assert refused.value.names == [name] and name in str(refused.value)


def test_good_values_are_typed(monkeypatch):
    monkeypatch.setenv("SAMENSPEL_DEMO", "nee")
    monkeypatch.setenv("SAMENSPEL_TOP_K", " 7 ")
    monkeypatch.setenv("SAMENSPEL_LOG_LEVEL", "debug")
    settings.check()
    assert (settings.demo_mode(), settings.top_k(), settings.log_level()) == (False, 7, "DEBUG")


def test_a_password_in_a_bad_database_url_is_not_shown(monkeypatch):
    monkeypatch.setenv("SAMENSPEL_DATABASE_URL", "mysql://samenspel:geheim@db/samenspel")
    with pytest.raises(settings.SettingsError) as refused:
        settings.check()
    assert "geheim" not in str(refused.value)


def test_the_command_line_stops_with_exit_2_and_the_name(monkeypatch):
    monkeypatch.setenv("SAMENSPEL_TOP_K", "vijf")
    done = subprocess.run(
        [sys.executable, "-m", "samenspel.cli", "expire"], capture_output=True, text=True
    )
    assert done.returncode == 2 and "SAMENSPEL_TOP_K" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_app_stops_at_start_with_a_dutch_message_naming_the_setting(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP

    monkeypatch.setenv("SAMENSPEL_TILE_URL", "kaart")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "kan niet starten" in shown and "SAMENSPEL\\_TILE\\_URL" in shown
