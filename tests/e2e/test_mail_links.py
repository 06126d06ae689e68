"""Mail links followed in a real browser: an organisation signs up, the worker mails the
confirmation to a real SMTP server (aiosmtpd, started here), and the link in that mail confirms
the address once; a second use and a tampered link are refused with a clear Dutch message.
The forgotten-password mail's link sets a new password.

The app and `samenspel worker --once` run as their own processes on one database, with the
SMTP server and the app's own address as their settings, as an operator would run them."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.e2e.conftest import free_port, rerun, running_app, wait_until_idle
from tests.smtp_server import smtp_server

pytestmark = pytest.mark.browser
ADDRESS = "brug@example.org"
PASSWORD = "paars fietsenrek zee maan"
NEW_PASSWORD = "groene kikker op een zonnige dijk"


@pytest.fixture
def mailing_app(tmp_path):
    """The app, with mail going to a test SMTP server, and a way to run the worker once."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with smtp_server() as server:
        env = {"SAMENSPEL_SMTP_URL": server.url(), "SAMENSPEL_BASE_URL": url,
               "SAMENSPEL_SECRET_KEY": "a key for this test only"}  # fmt: skip

        def run_worker() -> None:
            worker_env = {**os.environ, "SAMENSPEL_INSTANCE_DIR": str(tmp_path), **env}
            worker_env.pop("SAMENSPEL_DATABASE_URL", None)
            done = subprocess.run(
                [sys.executable, "-m", "samenspel.cli", "worker", "--once"],
                cwd=ROOT, env=worker_env, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr

        with running_app(tmp_path, port=port, env=env) as app:
            yield app, server.inbox, run_worker


def fill(page, label: str, text: str) -> None:
    """A field inside a form: the form sends everything on its button, so no run starts here."""
    page.locator(f"input[aria-label='{label}']").fill(text)


def pick(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()


def sign_up(page, app: str, name: str, neighbourhood: str, person: str, address: str) -> None:
    page.goto(f"{app}/signup")
    expect(page.get_by_role("heading", name="Aanmelden")).to_be_visible()
    wait_until_idle(page)
    fill(page, "Naam van jullie organisatie", name)
    pick(page, "Buurt", neighbourhood)
    fill(page, "Jouw naam (contactpersoon)", person)
    fill(page, "Jouw e-mailadres", address)
    fill(page, "Kies een wachtwoord", PASSWORD)
    with rerun(page):
        page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_text("Kijk nu in je mail")).to_be_visible()


def link_in(mail, page: str) -> str:
    (found,) = set(re.findall(rf"https?://\S+/{page}\?\S+", mail.text))
    return found


def test_a_sign_up_is_confirmed_by_the_link_in_its_mail_once(mailing_app, page, tmp_path):
    app, inbox, run_worker = mailing_app
    sign_up(page, app, "Taalcafé De Brug", "Lombok", "Fatima", ADDRESS)

    run_worker()
    (mail,) = inbox.wait_for(1)
    assert mail.rcpt_tos == [ADDRESS] and "Taalcafé De Brug" in mail.text
    link = link_in(mail, "account_link")
    assert link.startswith(app)

    page.goto(link)
    with rerun(page):
        page.get_by_role("button", name="Ja, dit is mijn e-mailadres").click()
    expect(page.get_by_text("Dank je wel! Je e-mailadres is bevestigd.")).to_be_visible()
    expect(page.get_by_text("Lombok")).to_be_visible()  # its broker looks at it now
    page.screenshot(path=str(tmp_path / "confirmed.png"), full_page=True)

    # The same link again, in another browser: refused, and it says why.
    other = page.context.browser.new_context()
    again = other.new_page()
    again.goto(link)
    wait_until_idle(again)
    button = again.get_by_role("button", name="Ja, dit is mijn e-mailadres")
    if button.count():
        with rerun(again):
            button.click()
    expect(again.get_by_text("Deze link is al gebruikt.")).to_be_visible()
    # A tampered link: refused before anything is shown to click.
    again.goto(link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb"))
    expect(again.get_by_text("Deze link klopt niet")).to_be_visible()
    other.close()


def test_the_forgotten_password_mail_sets_a_new_password(mailing_app, page):
    app, inbox, run_worker = mailing_app
    # An account with an address (each test has its own app and database).
    sign_up(page, app, "Buurtmoestuin Zuilen", "Zuilen", "Karin", "tuin@example.org")

    page.goto(f"{app}/forgot")
    wait_until_idle(page)
    fill(page, "Jouw e-mailadres", "tuin@example.org")
    with rerun(page):
        page.get_by_role("button", name="Stuur mij een link").click()
    expect(page.get_by_text("Als dit adres bij ons bekend is")).to_be_visible()

    run_worker()
    mails = inbox.wait_for(2)
    (reset,) = [m for m in mails if "/account_link?" in m.text and "wachtwoord" in m.text.lower()
                and "Kies het hier" in m.text]  # fmt: skip
    page.goto(link_in(reset, "account_link"))
    wait_until_idle(page)
    fill(page, "Nieuw wachtwoord", NEW_PASSWORD)
    fill(page, "Nog een keer hetzelfde wachtwoord", NEW_PASSWORD)
    with rerun(page):
        page.get_by_role("button", name="Wachtwoord bewaren").click()
    expect(page.get_by_text("Je nieuwe wachtwoord is bewaard.")).to_be_visible()
