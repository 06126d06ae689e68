"""Calendar: the follow-up dates of partnerships as calendar events, attached to mails and in a
private feed per person.

A partnership has one date of its own: its follow-up date (Match.follow_up_on), the day
Samenspel asks "Is het gelukt?". There is no separate meeting date, so that date is the event:
an all-day event "Is het gelukt? {need} met {other}", for the partnerships (introduced, agreed,
running) of the person's organisation, or of a broker's areas. The "agreed" and
"follow_up_due" mails carry it as an .ics attachment (notify._mail); the feed holds all of a
person's events. Events carry organisation names and titles only, never contact details: a
feed URL is a secret that can leak (a shared calendar, a forwarded link).

The feed. Streamlit cannot answer a URL with text/calendar from a page, but it serves the
files under ./static at /app/static/ (server.enableStaticServing). So each person's feed is a
file FEED_DIR/<secret>.ics, where <secret> is random and only its sha256 is kept in the
database (User.calendar_token_hash): a copy of the database (a backup, an export) opens no
feed. The trade-offs, chosen knowingly:
- the URL is the only secret: whoever has it reads the feed, without logging in (that is what
  a calendar app needs). Renewing makes a new secret and deletes the old file, so the old URL
  stops at once; a person who is disabled loses the feed at the next refresh_feeds.
- the file is as fresh as the last refresh_feeds (notify.periodic, every few minutes in the
  worker) or renew_feed; a changed follow-up date reaches the feed then, not at once.
- FEED_DIR is relative to the folder the app and the worker start in (the deployment's
  WorkingDirectory, as for SAMENSPEL_INSTANCE_DIR), and belongs to one database:
  refresh_feeds removes every feed file whose secret belongs to no active person of it. With
  app servers on several machines, run the worker on each or share the folder.
Streamlit's st.App (Starlette, 1.67) could answer the URL itself from the database, but only
by starting the app another way than `streamlit run app.py`; the files keep that unchanged.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from icalendar import Calendar, Event
from sqlalchemy import event, update
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, or_, select

from samenspel import logs, settings
from samenspel.i18n import N_, set_language, t
from samenspel.services import lifecycle
from samenspel.services.audit import record
from samenspel.services.errors import Conflict
from samenspel.services.permissions import Actor, require_signed_in
from samenspel.services.scope import area_scope, in_scope
from samenspel.storage.models import Match, Need, Offer, Organisation, User

FEED_DIR = Path("static") / "calendar"
STATIC_URL = "/app/static/calendar"  # where Streamlit serves FEED_DIR
PRODID = "-//Samenspel//Samenspel//NL"
# Partnerships whose follow-up date is part of the calendar: the live ones after an
# introduction (a suggestion has no date yet, a finished one needs no question).
STATUSES = (lifecycle.INTRODUCED, lifecycle.AGREED, lifecycle.ACTIVE)
# A feed leaves out follow-up dates longer ago than this: a calendar is for what comes; the
# broker's summary lists what is overdue.
PAST_DAYS = 90
_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
_PENDING = "calendar_feed_files"  # session.info: file changes to make once the unit commits

_SUMMARY = N_("Is het gelukt? {need} met {other}")
_SUMMARY_BROKER = N_("Is het gelukt? {need} van {initiative} met {partner}")
_DESCRIPTION = N_(
    'Samenwerking van {initiative} en {partner}, over "{need}" en "{offer}". Vandaag vraagt'
    " Samenspel: is het gelukt? Vertel het in Samenspel."
)


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # stable per partnership: a changed date moves the event, never doubles it
    summary: str
    description: str
    on: date
    url: str
    stamp: datetime  # when the partnership last changed (DTSTAMP, stable between refreshes)
    sequence: int  # the match's version: calendar apps take the newest


def _translated(lang: str, message: str, **values) -> str:
    """A message in `lang`, leaving the language of the page or job as it is."""

    def run() -> str:
        set_language(lang)
        return t(message, **values)

    return contextvars.copy_context().run(run)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _partnerships(user: User):
    """The query for the partnerships `user` may see in a calendar, None for nobody's."""
    need_org, offer_org = aliased(Organisation), aliased(Organisation)
    query = (
        select(Match, Need, Offer, need_org, offer_org)
        .join(Need, Match.need_id == Need.id)
        .join(Offer, Match.offer_id == Offer.id)
        .join(need_org, Need.organisation_id == need_org.id)
        .join(offer_org, Offer.organisation_id == offer_org.id)
        .where(col(Match.status).in_(STATUSES), col(Match.follow_up_on).is_not(None))
    )
    if user.role in ("broker", "admin"):
        areas = [a.strip() for a in user.areas.split(";") if a.strip()]
        return query.where(in_scope(need_org.neighbourhood, area_scope(user.role, areas)))
    if user.organisation_id is None:
        return None
    return query.where(
        or_(need_org.id == user.organisation_id, offer_org.id == user.organisation_id)
    )


def events_for(
    session: Session, *, user_id: int, today: date | None = None, match_id: int | None = None
) -> list[CalendarEvent]:
    """The follow-up dates `user_id` has in their calendar, in their own language, by date:
    their organisation's partnerships, or for a broker those of their areas. With `today`:
    from PAST_DAYS before it on; with `match_id`: that partnership only. Nothing for a
    person who can no longer log in."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return []
    query = _partnerships(user)
    if query is None:
        return []
    if today is not None:
        query = query.where(Match.follow_up_on >= today - timedelta(days=PAST_DAYS))
    if match_id is not None:
        query = query.where(Match.id == match_id)
    rows = session.exec(query.order_by(col(Match.follow_up_on), col(Match.id))).all()
    url = f"{settings.base_url()}/partnerships"
    found = []
    for match, need, offer, initiative, partner in rows:
        words = {"need": need.title, "offer": offer.title, "initiative": initiative.name,
                 "partner": partner.name}  # fmt: skip
        if user.organisation_id in (initiative.id, partner.id):
            other = partner if user.organisation_id == initiative.id else initiative
            summary = _translated(user.language, _SUMMARY, need=need.title, other=other.name)
        else:
            summary = _translated(user.language, _SUMMARY_BROKER, **words)
        found.append(
            CalendarEvent(
                uid=f"match-{match.id}-followup@samenspel",
                summary=summary,
                description=_translated(user.language, _DESCRIPTION, **words),
                on=match.follow_up_on,
                url=url,
                stamp=_utc(match.updated_at),
                sequence=match.version,
            )
        )
    return found


def ics(events: list[CalendarEvent], *, method: str | None = None) -> str:
    """An iCalendar text (RFC 5545) with one all-day VEVENT per event. Every value goes in as
    a property value, which icalendar escapes and folds: user text never becomes a line of
    its own. `method`: PUBLISH for an attachment."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", "Samenspel")
    for item in events:
        entry = Event()
        entry.add("uid", item.uid)
        entry.add("dtstamp", item.stamp)
        entry.add("dtstart", item.on)
        entry.add("dtend", item.on + timedelta(days=1))
        entry.add("summary", item.summary)
        entry.add("description", item.description)
        entry.add("url", item.url)
        entry.add("sequence", item.sequence)
        entry.add("transp", "TRANSPARENT")  # a question on a day, not a busy day
        calendar.add_component(entry)
    return calendar.to_ical().decode("utf-8")


# The mails whose partnership date comes along as an .ics attachment.
ATTACHED_KINDS = ("agreed", "follow_up_due")


def attachments(session: Session, *, user: User, kind: str, params: dict) -> list[dict]:
    """The .ics attachment for a mail of `kind` about the partnership params["match_id"]
    (outbox.enqueue's attachments), for `user`; none for other kinds or without a date."""
    if kind not in ATTACHED_KINDS or params.get("match_id") is None:
        return []
    events = events_for(session, user_id=user.id, match_id=int(params["match_id"]))
    if not events:
        return []
    return [{"filename": "samenspel.ics", "content_type": "text/calendar",
             "text": ics(events, method="PUBLISH")}]  # fmt: skip


# --- the private feed ---------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _url(secret: str) -> str:
    return f"{settings.base_url()}{STATIC_URL}/{secret}.ics"


def _feed_files() -> dict[str, Path]:
    """The feed files there are, by the hash of their secret."""
    if not FEED_DIR.is_dir():
        return {}
    return {_hash(path.stem): path for path in FEED_DIR.glob("*.ics") if _SECRET.match(path.stem)}


def feed_url(session: Session, *, actor: Actor) -> str | None:
    """The signed-in person's feed URL, None while they have none (or its file is gone)."""
    require_signed_in(actor)
    user = session.get(User, actor.user_id)
    if user is None or not user.calendar_token_hash:
        return None
    path = _feed_files().get(user.calendar_token_hash)
    return _url(path.stem) if path is not None else None


def renew_feed(session: Session, *, actor: Actor) -> str:
    """A new private feed URL for the signed-in person; the old one stops working. The new
    file is written and the old one deleted when the unit of work commits (a rollback leaves
    the old feed as it was). Two renewals at once: one wins, the other is told."""
    require_signed_in(actor)
    user = session.get(User, actor.user_id)
    old = user.calendar_token_hash
    secret = secrets.token_urlsafe(32)
    changed = session.execute(
        update(User)
        .where(User.id == user.id, col(User.calendar_token_hash).is_(None) if old is None
               else User.calendar_token_hash == old)
        .values(calendar_token_hash=_hash(secret))
    ).rowcount  # fmt: skip
    if changed != 1:
        raise Conflict(t("Je agenda-link is net vernieuwd, in een ander venster. Kijk daar of laad deze pagina opnieuw."))  # fmt: skip
    record(session, user_id=user.id, action="calendar_feed_renewed", entity="user",
           entity_id=user.id)  # fmt: skip
    session.flush()
    session.refresh(user)
    content = ics(events_for(session, user_id=user.id, today=date.today()))
    pending = session.info.setdefault(_PENDING, [])
    pending.append(("write", secret, content))
    if old is not None:
        pending.append(("remove_hash", old, None))
    return _url(secret)


@event.listens_for(OrmSession, "after_commit")
def _files_after_commit(session: OrmSession) -> None:
    for action, value, content in session.info.pop(_PENDING, ()):
        try:
            if action == "write":
                _write(FEED_DIR / f"{value}.ics", content)
            else:
                path = _feed_files().get(value)
                if path is not None:
                    path.unlink(missing_ok=True)
        except OSError as exc:
            # The database says which feed holds; a file that could not be written shows as
            # "no link yet" on the page, and the person renews again.
            logs.event("calendar_feed_file", "a calendar feed file could not be changed",
                       level=logging.ERROR, action=action, error=type(exc).__name__)  # fmt: skip


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_files(session: OrmSession, transaction) -> None:
    # After a commit, after_commit took them; after a rollback of the whole transaction the
    # renewal never happened, so neither may its files. (A rolled-back savepoint keeps them:
    # no service renews inside one.)
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_PENDING, None)


def _write(path: Path, content: str) -> None:
    """Write the file whole or not at all (a calendar app never reads half a feed): a
    temporary file in the same folder, renamed over it; 0644 in a 0755 folder, for the
    server to read."""
    path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o755)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def refresh_feeds(session: Session, *, now: datetime) -> dict[str, int]:
    """Bring every feed file up to date: rewrite those whose events changed, remove those
    whose secret belongs to no active person (renewed, disabled). Reads only; the files
    change at once (they follow committed data)."""
    files = _feed_files()
    if not files:
        return {"feeds_written": 0, "feeds_removed": 0}
    owners = dict(
        session.exec(
            select(User.calendar_token_hash, User.id).where(
                col(User.calendar_token_hash).in_(list(files)), User.is_active.is_(True)
            )
        ).all()
    )
    written = removed = 0
    for token_hash, path in files.items():
        user_id = owners.get(token_hash)
        if user_id is None:
            path.unlink(missing_ok=True)
            removed += 1
            continue
        content = ics(events_for(session, user_id=user_id, today=now.date()))
        try:
            same = path.read_bytes() == content.encode("utf-8")
        except OSError:
            same = False
        if not same:
            _write(path, content)
            written += 1
    return {"feeds_written": written, "feeds_removed": removed}
