"""Limits, so that a stolen or careless account, or one client with many accounts, cannot post
hundreds of needs, harvest contact details or guess passwords.

Two kinds, both named by action so that new actions (sign-up, password reset) reuse them:
- a quota: at most n per window, per account (counted from the audit trail) and per client
  (counted from RateEvent rows that `check`/`allow` add in the caller's transaction, so an
  action that fails and rolls back is not counted);
- a backoff for failed attempts (login, setup code): after a few free failures the client must
  wait, longer after each further failure, per client and per (client, subject). Nothing is
  locked per account: a stranger's wrong guesses never lock the real user out.

A client is a key from the page (the IP address as the trusted proxy or the connection saw
it; one shared key when it is unknown). It and the subject (a username) are stored as SHA-256
hashes and kept only as long as a window looks at them (an hour for failures).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, delete, func, select

from samenspel.i18n import t
from samenspel.services.errors import NotAllowed
from samenspel.services.permissions import Actor
from samenspel.storage.models import AuditEvent, RateEvent, sha256_hex, utcnow

HOUR = timedelta(hours=1)
DAY = timedelta(hours=24)


@dataclass(frozen=True)
class Quota:
    window: timedelta
    # (initiatives and partners, brokers and administrators) per window; None: no per-account limit
    per_user: tuple[int, int] | None = None
    per_client: int | None = None  # all accounts together from one client
    per_subject: int | None = None  # per (client, subject), e.g. reset mails for one address


@dataclass(frozen=True)
class Backoff:
    free: int  # failures in the window before any wait
    first_wait: timedelta  # the wait after the first failure beyond `free`; doubles after each
    max_wait: timedelta
    window: timedelta  # failures older than this are forgotten


QUOTAS = {
    "create": Quota(DAY, per_user=(30, 300), per_client=300),  # brokers enter paper intake
    "reveal_contact": Quota(DAY, per_user=(40, 400), per_client=400),
    # Messages in the conversations of introductions: a busy day of talking, not a flood.
    "message": Quota(DAY, per_user=(100, 300), per_client=600),
    # For the sign-up and password reset to come: one client, few new accounts and mails.
    "sign_up": Quota(DAY, per_client=5),
    "password_reset": Quota(HOUR, per_client=10, per_subject=3),
}
BACKOFFS = {
    # Per (client, username): a user who mistypes a few times barely waits; a guesser slows
    # down fast. Per client (any username): room for a shared office, none for a scan. Per
    # username from any client: many addresses guessing one account slow down too, but a
    # client that logged in as that user before (KNOWN_CLIENT) is never slowed by strangers.
    "login": (
        Backoff(5, timedelta(seconds=30), timedelta(minutes=15), HOUR),  # per (client, name)
        Backoff(20, timedelta(seconds=30), timedelta(minutes=15), HOUR),  # per client
        Backoff(50, timedelta(seconds=30), timedelta(minutes=15), HOUR),  # per name, anywhere
    ),
    "setup": (
        Backoff(3, timedelta(seconds=30), timedelta(minutes=15), HOUR),
        Backoff(10, timedelta(seconds=30), timedelta(minutes=15), HOUR),
        Backoff(30, timedelta(seconds=30), timedelta(minutes=15), HOUR),
    ),
}
KNOWN_CLIENT = timedelta(days=30)


def _hash(value: str) -> str:
    return sha256_hex(value)


def _count(session: Session, action: str, since: datetime, client: str | None, subject: str | None):
    """Events of `action` since then, for this client (None: any) and subject (None: any)."""
    query = (
        select(func.count(), func.max(RateEvent.at))
        .select_from(RateEvent)
        .where(RateEvent.action == action, RateEvent.at >= since)
    )
    if client is not None:
        query = query.where(RateEvent.client == _hash(client))
    if subject is not None:
        query = query.where(RateEvent.subject == _hash(subject))
    count, last = session.exec(query).one()
    return count, last


def _add(session: Session, action: str, client: str, subject: str, now: datetime) -> None:
    session.add(RateEvent(at=now, action=action, client=_hash(client), subject=_hash(subject)))


def check(session: Session, actor: Actor, action: str, *, now: datetime | None = None) -> None:
    """Refuse when the actor's account or client used up the quota of `action`; otherwise count
    this use for the client (committed with the caller's action)."""
    now = now or utcnow()
    quota = QUOTAS[action]
    since = now - quota.window
    if quota.per_user is not None and actor.user_id is not None:
        per_window = quota.per_user[1 if actor.is_staff else 0]
        used = session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.user_id == actor.user_id,
                AuditEvent.action == action,
                AuditEvent.at >= since,
            )
        ).one()
        if used >= per_window:
            raise _quota_message(quota, per_window)
    if actor.client:
        allow(session, action, client=actor.client, now=now)


def allow(
    session: Session, action: str, *, client: str, subject: str = "", now: datetime | None = None
) -> None:
    """The per-client (and per-subject) part of a quota: refuse, or count this use."""
    now = now or utcnow()
    quota = QUOTAS[action]
    since = now - quota.window
    if quota.per_client is not None:
        used, _ = _count(session, action, since, client, None)
        if used >= quota.per_client:
            raise _quota_message(quota, quota.per_client)
    if quota.per_subject is not None:
        used, _ = _count(session, action, since, client, subject)
        if used >= quota.per_subject:
            raise _quota_message(quota, quota.per_subject)
    _prune(session, action, now - quota.window)
    _add(session, action, client, subject, now)


def _prune(session: Session, action: str, before: datetime) -> None:
    """Rows no window looks at any more: the table stays small without a cleaning job."""
    session.exec(delete(RateEvent).where(RateEvent.action == action, RateEvent.at < before))


def _quota_message(quota: Quota, per_window: int) -> NotAllowed:
    if quota.window >= DAY:
        return NotAllowed(
            t("Je hebt de grens van {n} per dag bereikt. Probeer het morgen weer.", n=per_window)
        )
    return NotAllowed(
        t("Je hebt de grens van {n} per uur bereikt. Probeer het over een uur weer.", n=per_window)
    )


def _wait(backoff: Backoff, failures: int, last: datetime | None, now: datetime) -> float:
    """Seconds still to wait: 0 up to `free` failures, then first_wait doubling, up to max."""
    if failures < backoff.free or last is None:
        return 0.0
    if last.tzinfo is None:  # SQLite returns naive UTC
        last = last.replace(tzinfo=now.tzinfo)
    extra = failures - backoff.free
    wait = min(backoff.max_wait.total_seconds(), backoff.first_wait.total_seconds() * 2**extra)
    return max(0.0, wait - (now - last).total_seconds())


def backoff_wait(
    session: Session, action: str, *, client: str, subject: str, now: datetime | None = None
) -> float:
    """How many seconds this client must wait before trying `action` for `subject` again."""
    now = now or utcnow()
    per_pair, per_client, per_subject = BACKOFFS[action]
    checks = [(per_pair, client, subject), (per_client, client, None)]
    if not _known(session, action, client=client, subject=subject, now=now):
        checks.append((per_subject, None, subject))
    waits = []
    for backoff, who, what in checks:
        failures, last = _count(session, action, now - backoff.window, who, what)
        waits.append(_wait(backoff, failures, last, now))
    return max(waits)


def _known(session: Session, action: str, *, client: str, subject: str, now: datetime) -> bool:
    found, _ = _count(session, f"{action}_ok", now - KNOWN_CLIENT, client, subject)
    return found > 0


def require_no_backoff(
    session: Session, action: str, *, client: str, subject: str, now: datetime | None = None
) -> None:
    wait = backoff_wait(session, action, client=client, subject=subject, now=now)
    if wait > 0:
        raise NotAllowed(wait_message(wait))


def wait_message(seconds: float) -> str:
    if seconds <= 90:
        return t(
            "Te veel pogingen. Wacht {n} seconden en probeer het dan opnieuw.",
            n=max(1, math.ceil(seconds)),
        )
    return t(
        "Te veel pogingen. Wacht {n} minuten en probeer het dan opnieuw.",
        n=math.ceil(seconds / 60),
    )


def record_failure(
    session: Session, action: str, *, client: str, subject: str, now: datetime | None = None
) -> None:
    """Count one failed attempt (the caller commits), and forget what no window needs."""
    now = now or utcnow()
    _prune(session, action, now - max(b.window for b in BACKOFFS[action]))
    _add(session, action, client, subject, now)


def clear_failures(
    session: Session, action: str, *, client: str, subject: str, now: datetime | None = None
) -> None:
    """After a success: this client's earlier mistakes for this subject no longer count, and
    the client is known for this subject (strangers' guesses no longer slow it down)."""
    now = now or utcnow()
    session.exec(
        delete(RateEvent).where(
            RateEvent.action.in_((action, f"{action}_ok")),
            RateEvent.client == _hash(client),
            RateEvent.subject == _hash(subject),
        )
    )
    _prune(session, f"{action}_ok", now - KNOWN_CLIENT)
    _add(session, f"{action}_ok", client, subject, now)
