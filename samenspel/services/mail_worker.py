"""The worker that sends the outbox (`samenspel worker`), and the administrator's retry.

Each round runs every job in JOBS; `send_due` is the mail job:
1. **Claim** due rows (pending, due, not held by another worker) in one short transaction:
   on PostgreSQL `SELECT ... FOR UPDATE SKIP LOCKED`, so workers running at once each take
   other rows and never wait for each other; a claimed row carries `claimed_until` (now +
   LEASE), which keeps every other worker off it after the claim commits. SQLite runs the same
   code (its dialect leaves FOR UPDATE out; BEGIN IMMEDIATE lets one claim run at a time).
2. **Send** each claimed mail with no transaction open (a slow server holds no lock).
3. **Mark** each one in its own small transaction, conditioned on still holding the claim:
   sent; or, when it failed, tried again after BACKOFF (1 min, 5 min, 30 min, 2 h, 12 h) and
   after the 6th failed attempt (or the first, when the server refuses the address itself)
   `failed` with its error, shown to the administrator (Beheer, tab Mail), who can put it
   back with "Opnieuw proberen" (`retry`).

Sending is at-least-once: a worker that dies after the server accepted a mail but before
marking it leaves the row claimed; when the lease passes, another worker sends it again. That
window is one message (the one being sent), and the second copy carries the same Message-ID
(derived from the idempotency key, mail_transport.message_id), so it is recognisable as the
same mail (mail servers and programs that drop duplicates drop it): exactly once per
Message-ID. Rows claimed but not yet sent are simply sent later, once.

Without SAMENSPEL_SMTP_URL nothing is sent: each due mail is marked `logged` and a log line
says so (ids and the kind only, as every log line: the row itself holds address and subject).
Notifications are in the app either way.

A job takes the engine and returns something printable (a count); `samenspel worker --once`
prints each result. Add one with `JOBS.append(...)` or an entry in the list below.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from samenspel import logs, settings
from samenspel.i18n import t
from samenspel.services.audit import record
from samenspel.services.errors import Conflict, NotFound
from samenspel.services.mail_transport import (
    ERROR_LENGTH,
    MailError,
    SmtpTransport,
    Transport,
    compose,
)
from samenspel.services.notify import periodic_job
from samenspel.services.permissions import Actor, require_role
from samenspel.services.suggestion_jobs import work_out_suggestions
from samenspel.storage import db
from samenspel.storage.models import OutboxMessage, utcnow

# How long a claim keeps other workers off a row: longer than a batch can take to send
# (BATCH mails at mail_transport.SMTP_TIMEOUT each, 10 minutes at worst).
LEASE = timedelta(minutes=15)
BATCH = 20
# The wait before the 2nd, 3rd, ... 6th attempt; after the 6th failed one a mail is failed.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
ROUND_PAUSE = 5.0  # seconds between two rounds of `samenspel worker`
# An entry in OutboxMessage.attachments that is not a file but the mail's unsubscribe link:
# {"unsubscribe_url": "https://..."} becomes the List-Unsubscribe header.
UNSUBSCRIBE_ENTRY = "unsubscribe_url"

# Set when the process is asked to stop (SIGTERM, SIGINT: the signal is for the whole
# process). A round in progress sends no further mail and lets its other claims go at once.
stopping = threading.Event()


def unsubscribe_entry(url: str) -> dict:
    """What to put among a mail's attachments (outbox.enqueue) for its List-Unsubscribe."""
    return {UNSUBSCRIBE_ENTRY: url}


@dataclass(frozen=True)
class Claimed:
    """A claimed row, as plain values: sent with no session open."""

    id: int
    key: str
    to_address: str
    kind: str
    language: str
    subject: str
    text: str
    html: str
    attachments: tuple[dict, ...]
    user_id: int | None
    attempts: int
    lease: datetime  # our claimed_until: marking is conditioned on still holding it


class Delivered(int):
    """How many due mails a call handled (an int, as the jobs' counts are), and how: sent,
    logged (no mail server set), to be tried again, or failed for good."""

    sent: int
    logged: int
    retrying: int
    failed: int

    def __new__(cls, sent: int = 0, logged: int = 0, retrying: int = 0, failed: int = 0):
        total = super().__new__(cls, sent + logged + retrying + failed)
        total.sent, total.logged, total.retrying, total.failed = sent, logged, retrying, failed
        return total

    def __add__(self, other):
        if not isinstance(other, Delivered):
            return int(self) + other
        return Delivered(
            self.sent + other.sent,
            self.logged + other.logged,
            self.retrying + other.retrying,
            self.failed + other.failed,
        )

    def __repr__(self) -> str:
        return (
            f"Delivered(sent={self.sent}, logged={self.logged}, retrying={self.retrying},"
            f" failed={self.failed})"
        )


def claim(
    engine: Engine, *, now: datetime | None = None, batch: int = BATCH, lease: timedelta = LEASE
) -> list[Claimed]:
    """Take up to `batch` due rows for this worker until now + `lease`, oldest due first."""
    now = now or utcnow()
    until = now + lease
    with db.unit_of_work(engine) as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == "pending",
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        claimed = []
        for row in rows:
            row.claimed_until = until
            claimed.append(
                Claimed(
                    id=row.id, key=row.idempotency_key, to_address=row.to_address,
                    kind=row.kind, language=row.language, subject=row.subject,
                    text=row.body_text, html=row.body_html,
                    attachments=tuple(row.attachments or ()), user_id=row.user_id,
                    attempts=row.attempts, lease=until,
                )
            )  # fmt: skip
    return claimed


def send_due(
    engine: Engine,
    *,
    now: datetime | None = None,
    batch: int = BATCH,
    transport: Transport | None = None,
) -> Delivered:
    """Send every mail that is due, `batch` claimed at a time, until none is left (or the
    process is stopping). `transport`: where to send; None: the server of SAMENSPEL_SMTP_URL,
    or, without one, only log. `now`: the moment it runs (tests move it forward)."""
    clock = (lambda: now) if now is not None else utcnow
    sender = settings.mail_from()
    own = None
    if transport is None and settings.smtp_url():
        transport = own = SmtpTransport(settings.smtp_url(), sender=sender)
    total = Delivered()
    try:
        while not stopping.is_set():
            claimed = claim(engine, now=clock(), batch=batch)
            if not claimed:
                break
            for index, mail in enumerate(claimed):
                if stopping.is_set():
                    _release(engine, claimed[index:])
                    break
                if transport is None:
                    total += _log(engine, mail, clock())
                else:
                    total += _send(engine, mail, transport, sender, clock())
    finally:
        if own is not None:
            own.close()
    return total


def _send(
    engine: Engine, mail: Claimed, transport: Transport, sender: str, now: datetime
) -> Delivered:
    files = [a for a in mail.attachments if UNSUBSCRIBE_ENTRY not in a]
    unsubscribe = next((a[UNSUBSCRIBE_ENTRY] for a in mail.attachments if UNSUBSCRIBE_ENTRY in a), "")  # fmt: skip
    try:
        message = compose(
            key=mail.key, sender=sender, to=mail.to_address,
            subject=mail.subject, text=mail.text, html=mail.html, language=mail.language,
            attachments=files, unsubscribe_url=unsubscribe, date=now,
        )  # fmt: skip
        transport.send(message)
    except Exception as exc:  # noqa: BLE001 - any failure of one mail is that mail's error
        return _failed(engine, mail, exc, now)
    if _mark(engine, mail, status="sent", sent_at=now, attempts=mail.attempts + 1):
        logs.event("mail_sent", "mail sent", outbox_id=mail.id, kind=mail.kind,
                   attempt=mail.attempts + 1)  # fmt: skip
    return Delivered(sent=1)


def _log(engine: Engine, mail: Claimed, now: datetime) -> Delivered:
    if _mark(engine, mail, status="logged"):
        logs.event("mail_logged", "mail not sent: no SMTP server configured (SAMENSPEL_SMTP_URL)",
                   outbox_id=mail.id, kind=mail.kind, to_user_id=mail.user_id,
                   language=mail.language)  # fmt: skip
    return Delivered(logged=1)


def _failed(engine: Engine, mail: Claimed, exc: Exception, now: datetime) -> Delivered:
    attempts = mail.attempts + 1
    reason = (str(exc) if isinstance(exc, MailError) else f"{type(exc).__name__}: {exc}")[
        :ERROR_LENGTH
    ]
    permanent = isinstance(exc, MailError) and exc.permanent
    if attempts >= MAX_ATTEMPTS or permanent:
        if _mark(engine, mail, status="failed", attempts=attempts, last_error=reason):
            # The error's text stays in the row (it may name the address): the class here.
            logs.event("mail_failed", "mail failed for good; the administrator sees it",
                       level=logging.ERROR, outbox_id=mail.id, kind=mail.kind,
                       attempts=attempts, error=_error_class(exc))  # fmt: skip
        return Delivered(failed=1)
    later = now + BACKOFF[attempts - 1]
    if _mark(engine, mail, attempts=attempts, last_error=reason, next_attempt_at=later):
        logs.event("mail_retry", "mail not sent; trying again later", level=logging.WARNING,
                   outbox_id=mail.id, kind=mail.kind, attempts=attempts,
                   next_attempt_at=later.isoformat(), error=_error_class(exc))  # fmt: skip
    return Delivered(retrying=1)


def _error_class(exc: Exception) -> str:
    cause = exc.__cause__ or exc
    return type(cause).__name__


def _mark(engine: Engine, mail: Claimed, **values) -> bool:
    """The one conditioned UPDATE of a claimed row: only while this worker still holds it. A
    worker whose lease passed (and whose row another worker took) changes nothing."""
    with db.unit_of_work(engine) as session:
        result = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == mail.id,
                OutboxMessage.status == "pending",
                OutboxMessage.claimed_until == mail.lease,
            )
            .values(claimed_until=None, **values)
        )
        held = result.rowcount == 1
    if not held:
        logs.event("mail_lease_lost", "a claimed mail was taken over by another worker",
                   level=logging.WARNING, outbox_id=mail.id, kind=mail.kind)  # fmt: skip
    return held


def _release(engine: Engine, claimed: list[Claimed]) -> None:
    """Let go of claimed mails not sent (stopping), for the next worker at once."""
    with db.unit_of_work(engine) as session:
        for mail in claimed:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == mail.id, OutboxMessage.claimed_until == mail.lease)
                .values(claimed_until=None)
            )


# --- the administrator -------------------------------------------------------------------


@dataclass(frozen=True)
class FailedMail:
    id: int
    kind: str
    to_address: str
    attempts: int
    last_error: str
    created_at: datetime


def failed_messages(*, session: Session, actor: Actor, limit: int = 200) -> list[FailedMail]:
    """Mails that did not go out after their last attempt, newest first."""
    require_role(actor, "admin")
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.status == "failed")
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    return [
        FailedMail(row.id, row.kind, row.to_address, row.attempts, row.last_error, row.created_at)
        for row in rows
    ]


def retry(*, session: Session, actor: Actor, message_id: int) -> None:
    """Put a failed mail back in the queue, due now, with all its attempts again."""
    require_role(actor, "admin")
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=utcnow(), claimed_until=None)
    )
    if result.rowcount != 1:
        row = session.get(OutboxMessage, message_id, populate_existing=True)
        if row is None:
            raise NotFound(t("Deze mail bestaat niet meer."))
        if row.status == "pending":
            raise Conflict(
                t("Iemand anders heeft deze mail al opnieuw in de wachtrij gezet."),
                status=row.status,
            )
        raise Conflict(t("Deze mail is intussen al verstuurd."), status=row.status)
    record(session, user_id=actor.user_id, action="mail_retry", entity="outboxmessage",
           entity_id=message_id)  # fmt: skip


# --- the worker process --------------------------------------------------------------------

# Suggestions an app process left (they notify people), digests queued, then all mail sent.
JOBS: list[Callable[[Engine], object]] = [work_out_suggestions, periodic_job, send_due]


def run_round(engine: Engine, *, keep_going: bool = False) -> list[tuple[str, object]]:
    """Run every job once, in order: (job name, its result). `keep_going`: a job that fails is
    logged and the next one runs (the long-running worker); else its error ends the round."""
    results: list[tuple[str, object]] = []
    for job in JOBS:
        if stopping.is_set():
            break
        name = getattr(job, "__qualname__", repr(job))
        try:
            results.append((name, job(engine)))
        except Exception as exc:
            if not keep_going:
                raise
            logs.error("worker_job_error", "a worker job failed; the next round tries again",
                       exc, job=name)  # fmt: skip
    return results


def run(engine: Engine, *, pause: float = ROUND_PAUSE) -> None:
    """Rounds until `stopping` is set, `pause` seconds apart."""
    logs.event("worker_started", "mail worker started", jobs=[getattr(j, "__qualname__", "?") for j in JOBS],
               smtp=bool(settings.smtp_url()))  # fmt: skip
    while not stopping.is_set():
        run_round(engine, keep_going=True)
        stopping.wait(pause)
    logs.event("worker_stopped", "mail worker stopped")
