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


def test_is_het_gelukt_is_answered_from_the_mail_in_one_click_once(mailing_app, page, tmp_path):
    """A partnership whose follow-up date has come: the worker mails "Is het gelukt?" with
    one-click answers; "ja" works once without logging in, and the unsubscribe link of the
    same mail stops that kind of mail."""
    from datetime import date

    from sqlmodel import Session, select

    from samenspel.services import matches
    from samenspel.services.permissions import Actor
    from samenspel.storage import db
    from samenspel.storage.models import Match, Need, Offer, User

    app, inbox, run_worker = mailing_app
    page.goto(app)  # the first page run makes the database and seeds the demo city
    expect(page.get_by_role("heading", name="Samenspel in de buurt")).to_be_visible()
    wait_until_idle(page)
    engine = db.make_engine(f"sqlite:///{tmp_path / 'samenspel.db'}")
    try:
        with db.unit_of_work(engine) as session:  # the demo's golden pair, agreed as on the pages
            users = {u.username: u for u in session.exec(select(User))}
            actor = {name: Actor(u.id, u.role, u.organisation_id,
                                 tuple(a.strip() for a in u.areas.split(";") if a.strip()),
                                 u.display_name) for name, u in users.items()}  # fmt: skip
            match = session.exec(
                select(Match).join(Need, Match.need_id == Need.id)
                .join(Offer, Match.offer_id == Offer.id)
                .where(Need.organisation_id == users["initiatief"].organisation_id,
                       Offer.organisation_id == users["partner"].organisation_id,
                       Match.status == "suggested")
            ).first()  # fmt: skip
            match = matches.introduce(session=session, actor=actor["makelaar"], match_id=match.id,
                                      seen_version=match.version)  # fmt: skip
            for side in ("initiatief", "partner"):
                match = matches.respond(session=session, actor=actor[side], match_id=match.id,
                                        seen_version=match.version, accept=True)  # fmt: skip
            session.get(Match, match.id).follow_up_on = date.today()
            users["initiatief"].email = "pan@example.org"
    finally:
        engine.dispose()

    run_worker()
    mails = inbox.wait_for(1)
    (asked,) = [m for m in mails if m.message["Subject"].startswith("Is het gelukt")]
    assert asked.rcpt_tos == ["pan@example.org"]
    (yes,) = re.findall(r"Ja, het is gelukt: (\S+)", asked.text)
    (unsubscribe,) = re.findall(r"https?://\S+/mail_link\?\S*do=unsubscribe\S*", asked.text)

    page.goto(yes)
    expect(page.get_by_text("Fijn dat het gelukt is!")).to_be_visible()
    with Session(db.make_engine(f"sqlite:///{tmp_path / 'samenspel.db'}")) as session:
        assert session.get(Match, match.id).status == "active"
    other = page.context.browser.new_context()
    again = other.new_page()
    again.goto(yes)  # the same link again: refused, nothing changes
    expect(again.get_by_text(re.compile("al gebruikt|al beantwoord"))).to_be_visible()
    again.goto(unsubscribe)
    expect(again.get_by_text("Gelukt. Hierover krijg je geen mail meer.")).to_be_visible()
    other.close()
