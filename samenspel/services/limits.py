"""Per-user limits, counted from the audit trail: a stolen or careless account cannot post
hundreds of needs or harvest contact details."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, func, select

from samenspel.i18n import t
from samenspel.models import AuditEvent, utcnow
from samenspel.services.errors import NotAllowed
from samenspel.services.permissions import Actor

DAY = timedelta(hours=24)
# action -> (how many per day for initiatives and partners, for brokers and administrators)
LIMITS = {
    "create": (30, 300),  # brokers enter needs from phone and paper intake for many groups
    "reveal_contact": (40, 400),
}


def check(session: Session, actor: Actor, action: str) -> None:
    per_day = LIMITS[action][1 if actor.is_staff else 0]
    used = session.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.user_id == actor.user_id,
            AuditEvent.action == action,
            AuditEvent.at >= utcnow() - DAY,
        )
    ).one()
    if used >= per_day:
        raise NotAllowed(
            t("Je hebt de grens van {n} per dag bereikt. Probeer het morgen weer.", n=per_day)
        )
