"""Audit trail: who did what to which record, when. Written in the caller's transaction."""

from __future__ import annotations

from sqlmodel import Session

from samenspel.storage.models import AuditEvent


def record(
    session: Session,
    *,
    user_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    detail: str = "",
) -> AuditEvent:
    event = AuditEvent(
        user_id=user_id, action=action, entity=entity, entity_id=entity_id, detail=detail[:2000]
    )
    session.add(event)
    return event
