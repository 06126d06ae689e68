"""The audit trail for administrators: who did what to which record, and when. Filtered,
newest first, one page at a time, and as a CSV file.

The trail grows with every action, so filtering, counting and paging happen in SQL; only one
page of rows ever reaches Python. Downloading the trail is itself recorded in it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlmodel import Session, func, select

from samenspel.matching.csvformat import write_csv
from samenspel.services.audit import record
from samenspel.services.permissions import Actor, require_role
from samenspel.storage.models import AuditEvent, User

PAGE_SIZE = 100
# Dates on the page are Dutch dates: a day starts at midnight in Amsterdam, not in UTC.
TIMEZONE = ZoneInfo("Europe/Amsterdam")
COLUMNS = ["time", "user_id", "username", "action", "entity", "entity_id", "detail"]


@dataclass(frozen=True)
class AuditFilter:
    username: str = ""  # part of a username, any case; empty: everyone
    action: str = ""  # exact; empty: every action
    entity: str = ""  # exact; empty: every kind of record
    start: date | None = None  # the first day shown (Dutch time)
    end: date | None = None  # the last day shown, included

    def describe(self) -> str:
        """For the audit record of a download: which rows were taken."""
        parts = [f"{name}={value}" for name, value in (
            ("username", self.username), ("action", self.action), ("entity", self.entity),
            ("start", self.start), ("end", self.end)) if value]  # fmt: skip
        return ", ".join(parts) or "everything"


@dataclass(frozen=True)
class AuditPage:
    rows: pd.DataFrame  # COLUMNS, newest first
    total: int  # rows that match the filter, on every page together
    page: int  # the page shown (1-based), within 1..pages
    pages: int


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, TIMEZONE)


def _filtered(statement, filters: AuditFilter):
    statement = statement.outerjoin(User, User.id == AuditEvent.user_id)
    if filters.username.strip():
        # autoescape: a typed % or _ is a character, not a wildcard.
        statement = statement.where(
            func.lower(User.username).contains(filters.username.strip().lower(), autoescape=True)
        )
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.entity:
        statement = statement.where(AuditEvent.entity == filters.entity)
    if filters.start:
        statement = statement.where(AuditEvent.at >= _start_of(filters.start))
    if filters.end:
        statement = statement.where(AuditEvent.at < _start_of(filters.end + timedelta(days=1)))
    return statement


def _rows(session: Session, filters: AuditFilter, *, offset: int = 0, limit: int | None = None):
    statement = _filtered(
        select(AuditEvent.at, AuditEvent.user_id, User.username, AuditEvent.action,
               AuditEvent.entity, AuditEvent.entity_id, AuditEvent.detail),
        filters,
    ).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())  # fmt: skip
    if offset:
        statement = statement.offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    for at, user_id, username, action, entity, entity_id, detail in session.exec(statement):
        yield [at.astimezone(TIMEZONE), user_id, username or "", action, entity, entity_id,
               detail]  # fmt: skip


def count(session: Session, filters: AuditFilter) -> int:
    return session.exec(_filtered(select(func.count(AuditEvent.id)), filters)).one()


def search(
    *,
    session: Session,
    actor: Actor,
    filters: AuditFilter,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> AuditPage:
    """One page of the filtered trail, newest first; a page past the end shows the last."""
    require_role(actor, "admin")
    total = count(session, filters)
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    rows = list(_rows(session, filters, offset=(page - 1) * page_size, limit=page_size))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    # Ids stay whole numbers next to missing ones (a system action has no user).
    frame = frame.astype({"user_id": "Int64", "entity_id": "Int64"})
    return AuditPage(rows=frame, total=total, page=page, pages=pages)


def choices(*, session: Session, actor: Actor) -> tuple[list[str], list[str]]:
    """The actions and kinds of record that occur in the trail, for the filters."""
    require_role(actor, "admin")
    actions = session.exec(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    entities = session.exec(select(AuditEvent.entity).distinct().order_by(AuditEvent.entity))
    return list(actions), list(entities)


def export_csv(*, session: Session, actor: Actor, filters: AuditFilter) -> bytes:
    """Every row of the filter as CSV (cells made formula-safe), newest first. The download
    is recorded first and flushed, so the file holds its own record (when the filter lets it
    in), and both are in one unit of work: the bytes reach the page only after the record
    is committed, and a failure leaves neither."""
    require_role(actor, "admin")
    total = count(session, filters)
    record(session, user_id=actor.user_id, action="export_audit_log", entity="audit_event",
           entity_id=None, detail=f"{filters.describe()}; rows={total}")  # fmt: skip
    session.flush()
    buffer = io.StringIO()
    rows = ([at.isoformat(timespec="seconds"), *rest] for at, *rest in _rows(session, filters))
    write_csv(buffer, COLUMNS, rows)
    return buffer.getvalue().encode("utf-8")
