"""The worker sends the outbox to a real SMTP server on a free port and marks every row: each
mail arrives with its subject, text and HTML and a Message-ID from its key; a server that
refuses or is down means tries again later (1 min, 5 min, 30 min, 2 h, 12 h) and after the 6th
try the administrator sees it and can try again; several workers on PostgreSQL send each mail
once, also when one died holding a claim; without a mail server a mail is only logged; and a
mail queued in a unit of work that rolled back is never sent. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from samenspel import cli, logs
from samenspel.services import mail_worker
from samenspel.services.errors import Conflict, NotAllowed, NotFound
from samenspel.services.mail_transport import SmtpTransport, message_id
from samenspel.services.mail_worker import BACKOFF, LEASE, MAX_ATTEMPTS, claim, send_due
from samenspel.services.outbox import enqueue
from samenspel.storage import db
from samenspel.storage.models import AuditEvent, OutboxMessage, utcnow
from tests.conftest import ROOT
from tests.integration.conftest import build_world
from tests.smtp_server import Inbox, free_port
from tests.smtp_server import smtp_server as serve

SENDER = "Samenspel <noreply@localhost>"  # the default SAMENSPEL_MAIL_FROM
CALENDAR = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@pytest.fixture(autouse=True)
def not_stopping():
    mail_worker.stopping.clear()
    yield
    mail_worker.stopping.clear()


@pytest.fixture
def mail_server(smtp_server, monkeypatch):
    """The SMTP server the worker sends to through the settings (SAMENSPEL_SMTP_URL)."""
    monkeypatch.setenv("SAMENSPEL_SMTP_URL", smtp_server.url())
    return smtp_server


def queue(engine, count: int = 1, *, prefix: str = "mail", **values) -> list[str]:
    """`count` mails in one unit of work; returns their keys."""
    keys = [f"{prefix}:{n}" for n in range(count)]
    with db.unit_of_work(engine) as session:
        for n, key in enumerate(keys):
            enqueue(
                session, key=key, to_address=f"lid{n}@buurt.example", kind="digest",
                subject=f"Nieuw voor jullie ({n})", text=f"Hallo lid {n},\n\nEr is nieuws.\n",
                html=f"<p>Hallo lid {n},</p><p>Er is nieuws.</p>", **values,
            )  # fmt: skip
    return keys


def row(engine, key: str) -> OutboxMessage:
    with Session(engine) as session:
        return session.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).one()


def statuses(engine) -> dict[str, str]:
    with Session(engine) as session:
        return {m.idempotency_key: m.status for m in session.exec(select(OutboxMessage)).all()}


def transport_to(server) -> SmtpTransport:
    return SmtpTransport(server.url(), sender=SENDER)


# --- sending -------------------------------------------------------------------------------


def test_due_mails_arrive_with_subject_text_html_and_their_message_id(engine, mail_server):
    (plain,) = queue(engine, prefix="nl")
    with db.unit_of_work(engine) as session:
        enqueue(
            session, key="en:0", to_address="karim@deboog.example", kind="introduction",
            language="en", subject="Meet Buurtkeuken De Pan", text="Hello Karim,\n",
            html="<p>Hello Karim,</p>",
            attachments=[
                {"filename": "meet.ics", "content_type": "text/calendar", "text": CALENDAR},
                mail_worker.unsubscribe_entry("http://localhost:8501/mail_link?token=t"),
            ],
        )  # fmt: skip

    done = send_due(engine)

    assert (done, done.sent, done.retrying, done.failed) == (2, 2, 0, 0)
    by_language = {m.message["Content-Language"]: m for m in mail_server.inbox.wait_for(2)}
    dutch, english = by_language["nl"], by_language["en"]
    assert dutch.rcpt_tos == ["lid0@buurt.example"]
    assert dutch.message["Subject"] == "Nieuw voor jullie (0)"
    assert dutch.message["Message-ID"] == message_id(plain, SENDER)
    assert dutch.message["Content-Language"] == "nl"
    assert dutch.text == "Hallo lid 0,\n\nEr is nieuws.\n"
    assert "<p>Er is nieuws.</p>" in dutch.html
    assert dutch.message["List-Unsubscribe"] is None
    assert english.message["Subject"] == "Meet Buurtkeuken De Pan"
    assert english.message["Content-Language"] == "en"
    assert english.text == "Hello Karim,\n"
    assert english.part("text/calendar").replace("\r\n", "\n") == CALENDAR.replace("\r\n", "\n")
    assert english.message["List-Unsubscribe"] == "<http://localhost:8501/mail_link?token=t>"
    sent = row(engine, plain)
    assert (sent.status, sent.attempts, sent.claimed_until) == ("sent", 1, None)
    assert sent.sent_at is not None
    assert send_due(engine) == 0  # nothing goes out twice
    assert len(mail_server.inbox.mails) == 2


def test_a_refusing_server_means_backoff_then_failed_after_the_last_try_then_retry(
    engine, mail_server
):
    world = build_world(engine)
    admin = world["actors"]["admin"]
    (key,) = queue(engine)
    mail_server.inbox.refuse_data = "451 4.3.0 Even geen plek, probeer later"
    moment = utcnow()

    for attempt, wait in enumerate(BACKOFF, start=1):
        done = send_due(engine, now=moment)
        assert (done.retrying, done.failed) == (1, 0), attempt
        mail = row(engine, key)
        assert (mail.status, mail.attempts) == ("pending", attempt)
        assert mail.next_attempt_at == moment + wait
        assert "451 4.3.0 Even geen plek" in mail.last_error
        assert send_due(engine, now=moment + wait - timedelta(seconds=1)) == 0  # not yet due
        moment += wait

    done = send_due(engine, now=moment)  # the 6th try
    assert (done.retrying, done.failed) == (0, 1)
    mail = row(engine, key)
    assert (mail.status, mail.attempts) == ("failed", MAX_ATTEMPTS)
    assert send_due(engine, now=moment + timedelta(days=7)) == 0  # failed stays failed
    assert mail_server.inbox.mails == []

    with Session(engine) as session:
        (failed,) = mail_worker.failed_messages(session=session, actor=admin)
    assert (failed.id, failed.kind, failed.to_address) == (mail.id, "digest", "lid0@buurt.example")
    assert failed.attempts == MAX_ATTEMPTS
    assert "451 4.3.0 Even geen plek" in failed.last_error

    with db.unit_of_work(engine) as session:
        mail_worker.retry(session=session, actor=admin, message_id=mail.id)
    again = row(engine, key)
    assert (again.status, again.attempts) == ("pending", 0)
    with Session(engine) as session:
        assert mail_worker.failed_messages(session=session, actor=admin) == []
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "mail_retry")).one()
    assert (audit.user_id, audit.entity, audit.entity_id) == (admin.user_id, "outboxmessage", mail.id)  # fmt: skip

    mail_server.inbox.refuse_data = None
    assert send_due(engine).sent == 1
    (arrived,) = mail_server.inbox.wait_for(1)
    assert arrived.message["Message-ID"] == message_id(key, SENDER)
    assert row(engine, key).status == "sent"


def test_retry_is_for_administrators_and_says_what_happened_meanwhile(engine, mail_server):
    world = build_world(engine)
    admin, broker = world["actors"]["admin"], world["actors"]["sanne"]
    mail_server.inbox.refuse_rcpt = "550 5.1.1 Onbekend adres"
    (key,) = queue(engine)
    assert send_due(engine).failed == 1  # refused for good: no tries left to wait for
    mail_id = row(engine, key).id

    with pytest.raises(NotAllowed), db.unit_of_work(engine) as session:
        mail_worker.retry(session=session, actor=broker, message_id=mail_id)
    with pytest.raises(NotAllowed), Session(engine) as session:
        mail_worker.failed_messages(session=session, actor=broker)
    with db.unit_of_work(engine) as session:
        mail_worker.retry(session=session, actor=admin, message_id=mail_id)
    with pytest.raises(Conflict, match="al opnieuw in de wachtrij"):
        with db.unit_of_work(engine) as session:
            mail_worker.retry(session=session, actor=admin, message_id=mail_id)
    mail_server.inbox.refuse_rcpt = None
    send_due(engine)
    with pytest.raises(Conflict, match="al verstuurd"), db.unit_of_work(engine) as session:
        mail_worker.retry(session=session, actor=admin, message_id=mail_id)
    with pytest.raises(NotFound), db.unit_of_work(engine) as session:
        mail_worker.retry(session=session, actor=admin, message_id=mail_id + 1000)
    with Session(engine) as session:
        retries = session.exec(select(AuditEvent).where(AuditEvent.action == "mail_retry")).all()
    assert len(retries) == 1  # refused tries leave no trace


def test_a_server_that_is_down_means_trying_again_in_a_minute(engine, monkeypatch):
    monkeypatch.setenv("SAMENSPEL_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    (key,) = queue(engine)
    moment = utcnow()
    assert send_due(engine, now=moment).retrying == 1
    mail = row(engine, key)
    assert (mail.status, mail.attempts, mail.next_attempt_at) == ("pending", 1, moment + BACKOFF[0])  # fmt: skip
    assert "ConnectionRefusedError" in mail.last_error


def test_a_mail_that_cannot_be_composed_fails_alone(engine, mail_server):
    (bad,) = queue(engine, prefix="bad", attachments=[{"filename": "x.bin", "content_type": "application/pdf", "text": ""}])  # fmt: skip
    (good,) = queue(engine, prefix="good")
    done = send_due(engine)
    assert (done.sent, done.retrying) == (1, 1)
    assert "only text attachments" in row(engine, bad).last_error
    assert [m.rcpt_tos for m in mail_server.inbox.wait_for(1)] == [["lid0@buurt.example"]]
    assert row(engine, good).status == "sent"


# --- more than one worker ------------------------------------------------------------------


def test_two_workers_on_postgresql_send_each_of_50_mails_exactly_once(postgres_url):
    engines = [db.make_engine(postgres_url) for _ in range(2)]
    db.upgrade(engines[0])
    keys = queue(engines[0], 50)
    start = threading.Barrier(2)
    results: list = [None, None]
    # A slow server and one mail per claim: the two workers' claims race all the time.
    with serve(inbox=Inbox(delay=0.01)) as server:

        def work(n: int) -> None:
            start.wait()
            with transport_to(server) as transport:
                results[n] = send_due(engines[n], batch=1, transport=transport)

        workers = [threading.Thread(target=work, args=(n,)) for n in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        received = server.inbox.wait_for(50)
    try:
        ids = [mail.message["Message-ID"] for mail in received]
        assert len(ids) == 50
        assert sorted(ids) == sorted(message_id(key, SENDER) for key in keys)
        assert results[0].sent + results[1].sent == 50
        assert results[0].sent > 0 and results[1].sent > 0  # both took part
        assert set(statuses(engines[0]).values()) == {"sent"}
    finally:
        for engine in engines:
            engine.dispose()


def test_a_worker_on_postgresql_skips_rows_another_holds_instead_of_waiting(postgres_url):
    engines = [db.make_engine(postgres_url) for _ in range(2)]
    db.upgrade(engines[0])
    queue(engines[0], 5)
    holder = engines[0].connect()
    try:
        transaction = holder.begin()
        held = holder.execute(
            text("SELECT id FROM outboxmessage ORDER BY id LIMIT 2 FOR UPDATE")
        ).scalars().all()  # fmt: skip
        claimed: list = []
        other = threading.Thread(target=lambda: claimed.extend(claim(engines[1], batch=10)))
        other.start()
        other.join(timeout=30)
        assert not other.is_alive(), "the second worker waited for the first one's lock"
        assert sorted(mail.id for mail in claimed) == sorted(set(range(1, 6)) - set(held))
        transaction.rollback()
    finally:
        holder.close()
        for engine in engines:
            engine.dispose()


def test_mails_a_worker_claimed_before_it_died_go_out_once_after_the_lease(engine, mail_server):
    keys = queue(engine, 3)
    moment = utcnow()
    assert len(claim(engine, now=moment)) == 3  # ... and then the worker died

    assert send_due(engine, now=moment + LEASE - timedelta(seconds=1)) == 0  # still held
    assert mail_server.inbox.mails == []
    done = send_due(engine, now=moment + LEASE + timedelta(seconds=1))
    assert done.sent == 3
    received = mail_server.inbox.wait_for(3)
    assert sorted(m.message["Message-ID"] for m in received) == sorted(
        message_id(key, SENDER) for key in keys
    )
    assert send_due(engine, now=moment + 2 * LEASE + timedelta(seconds=2)) == 0
    assert len(mail_server.inbox.mails) == 3


def test_a_stopping_worker_sends_no_more_and_lets_its_other_claims_go_at_once(engine, mail_server):
    queue(engine, 3)

    class StopAfterOne:
        def __init__(self, inner):
            self.inner = inner

        def send(self, message):
            self.inner.send(message)
            mail_worker.stopping.set()  # SIGTERM arrives while the first mail is sent

        def close(self):
            self.inner.close()

    with transport_to(mail_server) as transport:
        assert send_due(engine, transport=StopAfterOne(transport)).sent == 1
    with Session(engine) as session:
        waiting = session.exec(select(OutboxMessage).where(OutboxMessage.status == "pending")).all()  # fmt: skip
    assert len(waiting) == 2
    assert all(mail.claimed_until is None for mail in waiting)  # free for the next worker now
    mail_worker.stopping.clear()
    assert send_due(engine).sent == 2
    assert len(mail_server.inbox.wait_for(3)) == 3


# --- without a mail server, and rolled back ------------------------------------------------


def test_without_a_mail_server_a_mail_is_only_logged(engine, smtp_server, monkeypatch, capsys):
    monkeypatch.delenv("SAMENSPEL_SMTP_URL", raising=False)
    monkeypatch.setenv("SAMENSPEL_LOG_LEVEL", "INFO")
    logs.setup()
    (key,) = queue(engine)
    capsys.readouterr()

    done = send_due(engine)

    assert (done, done.logged, done.sent) == (1, 1, 0)
    mail = row(engine, key)
    assert (mail.status, mail.sent_at) == ("logged", None)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    (line,) = [line for line in lines if line["event"] == "mail_logged"]
    assert (line["outbox_id"], line["kind"], line["language"]) == (mail.id, "digest", "nl")
    # As every log line: ids and codes, never an address or what the mail says.
    assert "lid0@buurt.example" not in json.dumps(lines)
    assert "Nieuw voor jullie" not in json.dumps(lines)
    assert send_due(engine) == 0
    assert smtp_server.inbox.mails == []


def test_a_mail_queued_in_a_unit_of_work_that_rolled_back_is_never_sent(engine, mail_server):
    with pytest.raises(RuntimeError), db.unit_of_work(engine) as session:
        enqueue(session, key="rolled-back", to_address="a@buurt.example", kind="digest",
                subject="Nooit", text="nooit", html="<p>nooit</p>")  # fmt: skip
        raise RuntimeError("the change that caused it failed")
    assert send_due(engine) == 0
    assert statuses(engine) == {}
    assert mail_server.inbox.mails == []


# --- the command ---------------------------------------------------------------------------


def test_worker_once_sends_what_is_due_and_says_how_it_went(
    database_url, engine, mail_server, monkeypatch, capsys
):
    monkeypatch.setenv("SAMENSPEL_DATABASE_URL", database_url)
    queue(engine, 2)
    try:
        assert cli.main(["worker", "--once"]) == 0
        out = capsys.readouterr().out
        assert "mail: 2 verstuurd, 0 alleen gelogd (geen mailserver ingesteld), 0 later opnieuw, 0 mislukt" in out  # fmt: skip
        assert "suggesties: 0 posten bijgewerkt" in out
        assert len(mail_server.inbox.wait_for(2)) == 2
        assert cli.main(["worker", "--once"]) == 0
        assert "mail: 0 verstuurd" in capsys.readouterr().out
    finally:
        db.engine_for(database_url).dispose()


def test_the_worker_runs_until_sigterm_and_then_stops_cleanly(sqlite_url, sqlite_engine, tmp_path):
    queue(sqlite_engine, 1, prefix="before")
    with serve() as server:
        environment = {
            **os.environ,
            "SAMENSPEL_DATABASE_URL": sqlite_url,
            "SAMENSPEL_SMTP_URL": server.url(),
            "SAMENSPEL_INSTANCE_DIR": str(tmp_path),
            "SAMENSPEL_LOG_LEVEL": "INFO",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "samenspel.cli", "worker", "--pause", "0.2"],
            cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            server.inbox.wait_for(1, timeout=60)
            queue(sqlite_engine, 1, prefix="while-running")  # the next round sends it
            server.inbox.wait_for(2, timeout=30)
            process.send_signal(signal.SIGTERM)
            _out, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 0
    events = [json.loads(line)["event"] for line in err.splitlines() if line.startswith("{")]
    assert events[0] == "worker_started" and events[-1] == "worker_stopped"
    assert events.count("mail_sent") == 2
