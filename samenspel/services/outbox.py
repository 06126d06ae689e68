"""The outbox: every mail is a row written in the caller's unit of work, next to the change
that causes it, so it is sent only when that change commits and is never lost while the mail
server is down. services/mail_worker.py sends the rows."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from samenspel.storage.models import OutboxMessage


def enqueue(
    session: Session,
    *,
    key: str,
    to_address: str,
    kind: str,
    subject: str,
    text: str,
    html: str,
    language: str = "nl",
    user_id: int | None = None,
    attachments: Sequence[dict] = (),
) -> OutboxMessage | None:
    """Queue one mail under `key`, the cause it is for ("introduced:12:34" - one mail per
    cause and reader). A key queued before is left as it is (None returned): an event
    handled twice mails once. Nothing to send to (no address): nothing queued."""
    if not to_address:
        return None
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)).first():
        return None
    message = OutboxMessage(
        idempotency_key=key[:200], user_id=user_id, to_address=to_address, kind=kind,
        language=language, subject=subject[:300], body_text=text, body_html=html,
        attachments=list(attachments),
    )  # fmt: skip
    try:
        with session.begin_nested():  # two units of work with the same key: one row
            session.add(message)
            session.flush()
    except IntegrityError:
        return None
    return message
