"""The privacy page tells everyone, logged in or not, the privacy statement in short: the
retention periods as this installation's settings say, the rights and where in the app to use
them, the one outside server, and no link that leaves the app."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from tests.app.conftest import log_in, shown
from tests.conftest import APP


def open_privacy(user_id: int | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    if user_id is not None:
        log_in(at, user_id)
    at.run()
    at = at.switch_page("samenspel/web/views/privacy.py").run()
    assert not at.exception
    return at


def page_text(at: AppTest) -> str:
    return "\n".join(shown(m.value) for m in at.markdown)


def test_the_page_shows_each_section_of_the_statement(demo_users):
    at = open_privacy()
    assert [h.value for h in at.subheader] == [
        "Wie is verantwoordelijk?",
        "Wat bewaren we en waarom?",
        "Wie ziet wat?",
        "Hoe lang bewaren we het?",
        "Jullie rechten",
        "Andere servers",
    ]
    text = page_text(at)
    assert "'Download klaarmaken'" in text and "'Organisatie verwijderen'" in text
    assert "Autoriteit Persoonsgegevens" in text
    assert "service.pdok.nl" in text  # the default map background, named


def test_the_retention_periods_come_from_the_settings(demo_users, monkeypatch):
    monkeypatch.setenv("SAMENSPEL_RETENTION_CONTACT_DAYS", "123")
    monkeypatch.setenv("SAMENSPEL_RETENTION_AUDIT_DAYS", "456")
    monkeypatch.setenv("SAMENSPEL_RETENTION_EXPIRED_POST_DAYS", "789")
    text = page_text(open_privacy(demo_users["partner"]))
    assert "na 123 dagen halen we de notities en redenen weg" in text
    assert "Regels in het logboek verliezen na 456 dagen hun details" in text
    assert "verwijderen we na 789 dagen" in text
    for default in ("365 dagen", "730 dagen"):
        assert default not in text


def test_the_page_links_nothing_outside_the_app(demo_users, monkeypatch):
    monkeypatch.setenv("SAMENSPEL_TILE_URL", "https://tiles.example.org/{z}/{x}/{y}.png")
    at = open_privacy()
    raw = "\n".join(m.value for m in at.markdown)
    assert "tiles.example.org" in shown(raw)  # named as text ...
    assert not re.search(r"https?://|www\.|\]\(|<a\b", shown(raw))  # ... and never a link
