"""Mail on the wire, against a real SMTP server on a free port: a composed mail has a text
and an HTML part, its attachments and a Message-ID that follows from its idempotency key;
smtp:// upgrades with STARTTLS (required away from this machine), smtps:// is TLS from the
start, a login comes from the URL, and every failure is a MailError that says why."""

from __future__ import annotations

import socket
import time
from contextlib import closing
from datetime import UTC, datetime

import pytest

from samenspel.services import mail_transport
from samenspel.services.mail_transport import MailError, SmtpTransport, compose, message_id
from tests.smtp_server import free_port, smtp_server

SENDER = "Samenspel <noreply@samenspel.example>"
CALENDAR = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Kennismaken\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"  # fmt: skip


def mail(key: str = "introduced:1:2", to: str = "anja@depan.example", **overrides):
    values = dict(
        key=key, sender=SENDER, to=to, subject="Kennismaken met De Boog",
        text="Hallo Anja,\n\nDe makelaar stelt jullie voor.\n",
        html="<p>Hallo Anja,</p><p>De makelaar stelt jullie voor.</p>", language="nl",
    )  # fmt: skip
    return compose(**{**values, **overrides})


# --- composing -----------------------------------------------------------------------------


def test_a_mail_has_a_text_and_an_html_alternative_and_its_headers():
    message = mail(date=datetime(2026, 12, 1, 9, 30, tzinfo=UTC))
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert message.get_body(("plain",)).get_content() == "Hallo Anja,\n\nDe makelaar stelt jullie voor.\n"  # fmt: skip
    assert "<p>Hallo Anja,</p>" in message.get_body(("html",)).get_content()
    assert message["From"] == SENDER
    assert message["To"] == "anja@depan.example"
    assert message["Subject"] == "Kennismaken met De Boog"
    assert message["Content-Language"] == "nl"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"] == "Tue, 01 Dec 2026 09:30:00 +0000"
    assert message["List-Unsubscribe"] is None


def test_the_message_id_follows_from_the_key_alone_and_hides_it():
    first, again, other = mail("introduced:1:2"), mail("introduced:1:2"), mail("introduced:1:3")
    assert first["Message-ID"] == again["Message-ID"] == message_id("introduced:1:2", SENDER)
    assert other["Message-ID"] != first["Message-ID"]
    assert first["Message-ID"].endswith("@samenspel.example>")
    assert "introduced" not in first["Message-ID"]


def test_a_calendar_attachment_and_the_unsubscribe_link_are_in_the_mail():
    message = mail(
        attachments=[
            {
                "filename": "kennismaken.ics",
                "content_type": "text/calendar; method=PUBLISH",
                "text": CALENDAR,
            }  # fmt: skip
        ],
        unsubscribe_url="https://samenspel.example/mail_link?token=abc",
    )
    assert message.get_content_type() == "multipart/mixed"
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_filename() == "kennismaken.ics"
    assert "SUMMARY:Kennismaken" in attachment.get_content()
    assert message["List-Unsubscribe"] == "<https://samenspel.example/mail_link?token=abc>"


def test_a_line_break_in_a_subject_cannot_start_another_header():
    message = mail(subject="Hallo\r\nBcc: iedereen@example.org")
    assert message["Bcc"] is None
    assert message["Subject"] == "Hallo Bcc: iedereen@example.org"
    assert "\nBcc:" not in message.as_string()


@pytest.mark.parametrize(
    "host, local",
    [("localhost", True), ("127.0.0.1", True), ("::1", True), ("127.0.1.1", True),
     ("smtp.example.nl", False), ("10.0.0.5", False), ("localhost.example.nl", False)],
)  # fmt: skip
def test_only_this_machine_itself_counts_as_local(host, local):
    assert mail_transport.is_local(host) is local


# --- sending -------------------------------------------------------------------------------


def test_a_mail_sent_over_smtp_arrives_as_it_was_composed():
    with smtp_server() as server, SmtpTransport(server.url(), sender=SENDER) as transport:
        transport.send(mail())
        (received,) = server.inbox.wait_for(1)
    assert received.mail_from == "noreply@samenspel.example"
    assert received.rcpt_tos == ["anja@depan.example"]
    assert received.message["Subject"] == "Kennismaken met De Boog"
    assert received.message["Message-ID"] == message_id("introduced:1:2", SENDER)
    assert received.text == "Hallo Anja,\n\nDe makelaar stelt jullie voor.\n"
    assert "<p>De makelaar stelt jullie voor.</p>" in received.html


def test_mails_in_one_round_share_one_connection():
    with smtp_server() as server, SmtpTransport(server.url(), sender=SENDER) as transport:
        transport.send(mail("a"))
        transport.send(mail("b"))
        first, second = server.inbox.wait_for(2)
    assert first.peer == second.peer


def test_smtp_away_from_this_machine_upgrades_with_starttls_and_logs_in(monkeypatch):
    # The server runs here, so the transport is told it is elsewhere: it must encrypt.
    monkeypatch.setattr(mail_transport, "is_local", lambda host: False)
    with smtp_server(tls="starttls", users={"mailer@x": "geheim wachtwoord"}) as server:
        url = server.url("mailer%40x", "geheim%20wachtwoord")
        with SmtpTransport(url, sender=SENDER, context=server.client_context) as transport:
            transport.send(mail())
        (received,) = server.inbox.wait_for(1)
    assert received.encrypted
    assert received.login == "mailer@x"


def test_smtp_away_from_this_machine_refuses_a_server_without_starttls(monkeypatch):
    monkeypatch.setattr(mail_transport, "is_local", lambda host: False)
    with smtp_server() as server, SmtpTransport(server.url(), sender=SENDER) as transport:
        with pytest.raises(MailError, match="offers no STARTTLS"):
            transport.send(mail())
        assert server.inbox.mails == []


def test_a_certificate_nobody_trusts_is_refused(monkeypatch):
    monkeypatch.setattr(mail_transport, "is_local", lambda host: False)
    with smtp_server(tls="starttls") as server, SmtpTransport(server.url(), sender=SENDER) as transport:  # fmt: skip
        with pytest.raises(MailError, match="SSLCertVerificationError"):
            transport.send(mail())
        assert server.inbox.mails == []


def test_smtps_is_tls_from_the_first_byte():
    with smtp_server(tls="implicit", users={"mailer": "pw"}) as server:
        url = server.url("mailer", "pw")
        assert url.startswith("smtps://")
        with SmtpTransport(url, sender=SENDER, context=server.client_context) as transport:
            transport.send(mail())
        (received,) = server.inbox.wait_for(1)
    assert received.encrypted
    assert received.login == "mailer"


def test_a_wrong_password_is_an_error_without_the_password():
    with smtp_server(users={"mailer": "goed"}) as server:
        with SmtpTransport(server.url("mailer", "fout-geheim"), sender=SENDER) as transport:
            with pytest.raises(MailError) as refused:
                transport.send(mail())
    assert "SMTPAuthenticationError: 535" in str(refused.value)
    assert "fout-geheim" not in str(refused.value)
    assert not refused.value.permanent


def test_a_server_that_says_later_is_a_temporary_error():
    with smtp_server() as server, SmtpTransport(server.url(), sender=SENDER) as transport:
        server.inbox.refuse_data = "451 4.3.0 Probeer het later"
        with pytest.raises(MailError, match="451 4.3.0 Probeer het later") as refused:
            transport.send(mail())
        assert not refused.value.permanent
        server.inbox.refuse_data = None  # the next mail opens a new connection and goes out
        transport.send(mail())
        assert len(server.inbox.wait_for(1)) == 1


def test_an_address_the_server_refuses_for_good_is_a_permanent_error():
    with smtp_server() as server, SmtpTransport(server.url(), sender=SENDER) as transport:
        server.inbox.refuse_rcpt = "550 5.1.1 Onbekende ontvanger"
        with pytest.raises(MailError, match="recipient refused: 550 5.1.1") as refused:
            transport.send(mail())
    assert refused.value.permanent


def test_a_server_that_is_down_is_a_temporary_error():
    with SmtpTransport(f"smtp://127.0.0.1:{free_port()}", sender=SENDER) as transport:
        with pytest.raises(MailError, match="ConnectionRefusedError") as refused:
            transport.send(mail())
    assert not refused.value.permanent


def test_a_server_that_never_answers_times_out():
    with closing(socket.socket()) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections are accepted by the kernel; nobody ever says hello
        url = f"smtp://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        with SmtpTransport(url, sender=SENDER, timeout=0.5) as transport:
            with pytest.raises(MailError, match="timed out"):
                transport.send(mail())
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("url", ["http://mail.example.nl", "smtp://", "mail.example.nl:587"])
def test_a_url_that_is_no_smtp_server_is_refused(url):
    with pytest.raises(ValueError, match="smtp://"):
        SmtpTransport(url, sender=SENDER)
