"""Beheer, tab Mail: each mail that failed after its last try shows with its kind, address,
tries and the mail server's error, and "Opnieuw proberen" puts it back in the queue (or says
that someone else did already); the mail server's password never shows on the settings tab."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from samenspel.services import mail_worker
from samenspel.services.permissions import Actor
from samenspel.storage import db
from samenspel.storage.models import OutboxMessage, utcnow
from tests.app.conftest import log_in, shown
from tests.conftest import APP

ADMIN_PAGE = "samenspel/web/views/admin.py"
ERROR = "recipient refused: 550 5.1.1 <anja@depan.example>: onbekend adres"


def engine():
    return db.engine_for(db.settings.database_url())


def failed_mail(address: str = "anja@depan.example") -> int:
    with Session(engine()) as session:
        mail = OutboxMessage(
            idempotency_key=f"introduced:{address}", to_address=address, kind="introduction",
            subject="Kennismaken", body_text="t", body_html="<p>t</p>", status="failed",
            attempts=6, last_error=ERROR, created_at=utcnow() - timedelta(days=2),
        )  # fmt: skip
        session.add(mail)
        session.commit()
        return mail.id


def status_of(mail_id: int) -> str:
    with Session(engine()) as session:
        return session.get(OutboxMessage, mail_id).status


def open_admin(user_id: int) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, user_id)
    at.run()
    return at.switch_page(ADMIN_PAGE).run()


def markdown(at: AppTest) -> str:
    return "\n".join(shown(m.value) for m in at.markdown)


def test_a_failed_mail_shows_with_its_error_and_retry_puts_it_back(demo_users):
    mail_id = failed_mail()
    at = open_admin(demo_users["beheer"])
    assert not at.exception
    assert "**introduction** aan anja@depan.example: 6 keer geprobeerd, gemaakt 2 dagen geleden" in markdown(at)  # fmt: skip
    assert ERROR in [element.value for element in at.text]
    assert any("geen mailserver ingesteld" in info.value for info in at.info)

    at.button(key=f"admin_mail_retry_{mail_id}").click().run()

    assert not at.exception
    assert status_of(mail_id) == "pending"
    assert [s.value for s in at.success] == [
        "De mail staat weer in de wachtrij. Samenspel probeert het zo opnieuw."
    ]
    assert f"admin_mail_retry_{mail_id}" not in [b.key for b in at.button]
    assert "Geen. Alle mails zijn verstuurd of wachten nog op hun beurt." in markdown(at)


def test_retrying_a_mail_someone_else_just_retried_says_so(demo_users):
    mail_id = failed_mail()
    at = open_admin(demo_users["beheer"])
    other_admin = Actor(user_id=demo_users["beheer"], role="admin", name="Beheer")
    with db.unit_of_work(engine()) as session:  # another administrator, in another tab
        mail_worker.retry(session=session, actor=other_admin, message_id=mail_id)

    at.button(key=f"admin_mail_retry_{mail_id}").click().run()

    assert [shown(e.value) for e in at.error] == [
        "Iemand anders heeft deze mail al opnieuw in de wachtrij gezet."
    ]
    assert status_of(mail_id) == "pending"


def test_the_mail_servers_password_is_not_on_the_settings_tab(demo_users, monkeypatch):
    monkeypatch.setenv("SAMENSPEL_SMTP_URL", "smtp://mailer:heel-geheim@smtp.example.nl:587")
    at = open_admin(demo_users["beheer"])
    (table,) = [df.value for df in at.dataframe if "Instelling" in df.value.columns]
    (shown_url,) = table.loc[table.iloc[:, 0] == "SAMENSPEL_SMTP_URL"].iloc[:, 1]
    assert shown_url == "smtp://…@smtp.example.nl:587"
    assert "heel-geheim" not in table.to_string()
    assert not at.info  # a mail server is set
