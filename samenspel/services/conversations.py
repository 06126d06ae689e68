"""A conversation per introduction: the two sides and their broker talk in the app, without
needing each other's contact details (issue #15, item 5).

Who takes part: the members of the need's organisation and of the offer's organisation, and
the broker of the need's neighbourhood (or an administrator). They read the conversation in
every status (history stays readable after the partnership ended) and write while the match
is introduced, agreed or active: before the introduction there is nobody to talk to yet, and
after the end it is closed.

An author is shown as their organisation's name, or as "buurtmakelaar <name>": never an
e-mail address or a phone number. Messages are text, stored cleaned of control characters,
and shown as text by the pages (escaped again in mails by mail_text).

Who hears of a message (services/notify.py, kind "message"): the other side's members always
(both sides when a broker writes); a broker only once they wrote in this conversation
themselves, so brokers are not flooded with every chat in their areas. A side may report a
message of the other side: the area's brokers hear of it ("message_reported") and see it
marked, once per message.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from samenspel.i18n import N_, set_language, t
from samenspel.matching.csvformat import clean_text
from samenspel.services import lifecycle, limits, notify
from samenspel.services.audit import record
from samenspel.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from samenspel.services.matches import side_of
from samenspel.services.permissions import Actor, covers_area, require_signed_in
from samenspel.services.scope import area_scope
from samenspel.storage.models import (
    ConversationMessage,
    Match,
    Need,
    Offer,
    Organisation,
    User,
    utcnow,
)

# While these, the conversation is open for writing; in every other status it is read only.
WRITABLE = (lifecycle.INTRODUCED, lifecycle.AGREED, lifecycle.ACTIVE)
BODY_MAX = 2000  # the column's max_length
PREVIEW_MAX = 200  # what a notification and its mail quote of a message
REASON_MAX = 300  # a report's reason: a short note for the broker
PAGE = "partnerships"  # where both sides and the broker find the conversation
BROKER = "broker"  # Message.side of a broker's or administrator's message

_BROKER_NAMED = N_("buurtmakelaar {name}")
_ADMIN_NAMED = N_("beheerder {name}")
_BROKER_UNNAMED = N_("de buurtmakelaar")
_FORMER = N_("iemand die er niet meer bij hoort")


@dataclass(frozen=True)
class Message:
    id: int
    author: str  # the organisation's name, or "buurtmakelaar <name>": plain text, escape to show
    side: str  # lifecycle.INITIATIVE, lifecycle.PARTNER, BROKER, or "" (a former member)
    own: bool  # written by the reader, or by the reader's organisation
    body: str
    created_at: datetime
    reported: bool  # reported to the broker; shown to brokers and to the side that reported it
    can_report: bool  # the reader may report it (a message of the other side, not yet reported)


@dataclass(frozen=True)
class Summary:
    count: int
    reported: int  # for brokers: how many of them were reported (0 for the sides)


@dataclass(frozen=True)
class _Context:
    match: Match
    need: Need
    offer: Offer
    initiative: Organisation
    partner: Organisation
    side: str | None  # the reader's side, if they are on one
    broker: bool  # the reader is the area's broker or an administrator


def _context(session: Session, actor: Actor, match_id: int, *, lock: bool = False) -> _Context:
    """The match and who the actor is for it; refused for anyone not taking part. `lock`:
    the match row is read FOR SHARE (PostgreSQL), so a step that ends it at this moment waits
    for this unit of work, or this one sees the step (SQLite's unit of work holds the write
    lock from its start)."""
    require_signed_in(actor)
    if lock:
        match = session.exec(
            select(Match).where(Match.id == match_id).with_for_update(read=True)
        ).first()
    else:
        match = session.get(Match, match_id)
    if match is None:
        raise NotFound(t("Deze match bestaat niet."))
    if match.offer_id is None:  # a funding match: there is no other organisation to talk to
        raise NotAllowed(t("Een gesprek hoort bij een kennismaking tussen twee organisaties."))
    need = session.get(Need, match.need_id)
    offer = session.get(Offer, match.offer_id)
    initiative = session.get(Organisation, need.organisation_id)
    partner = session.get(Organisation, offer.organisation_id)
    side = side_of(actor, initiative, partner)
    broker = covers_area(actor, initiative.neighbourhood)
    if side is None and not broker:
        raise NotAllowed(t("Dit gesprek is alleen voor de twee organisaties en hun buurtmakelaar."))
    return _Context(match, need, offer, initiative, partner, side, broker)


def _safe_name(user: User) -> str:
    """A person's name as others may see it: never something that looks like an address
    (a signed-up account's username is its e-mail address)."""
    for name in (user.display_name, user.username):
        if name and "@" not in name:
            return name.strip()
    return ""


def _author(user: User | None, ctx: _Context) -> tuple[str, str]:
    """(label, side) of a message's author, in the reader's language."""
    if user is not None and user.organisation_id == ctx.initiative.id:
        return ctx.initiative.name, lifecycle.INITIATIVE
    if user is not None and user.organisation_id == ctx.partner.id:
        return ctx.partner.name, lifecycle.PARTNER
    if user is not None and user.role in ("broker", "admin"):
        name = _safe_name(user)
        if not name:
            return t(_BROKER_UNNAMED), BROKER
        named = _ADMIN_NAMED if user.role == "admin" else _BROKER_NAMED
        return t(named, name=name), BROKER
    return t(_FORMER), ""


def _own_organisation(ctx: _Context) -> Organisation | None:
    if ctx.side == lifecycle.INITIATIVE:
        return ctx.initiative
    if ctx.side == lifecycle.PARTNER:
        return ctx.partner
    return None


def _other_side(side: str | None) -> str | None:
    return {lifecycle.INITIATIVE: lifecycle.PARTNER, lifecycle.PARTNER: lifecycle.INITIATIVE}.get(
        side
    )


def read(session: Session, *, actor: Actor, match_id: int) -> list[Message]:
    """The conversation of one match, oldest first (newest last), for those who take part."""
    ctx = _context(session, actor, match_id)
    rows = session.exec(
        select(ConversationMessage)
        .where(ConversationMessage.match_id == match_id)
        .order_by(col(ConversationMessage.created_at), col(ConversationMessage.id))
    ).all()
    ids = {r.author_id for r in rows} | {r.reported_by_id for r in rows}
    ids.discard(None)
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids)))}
    own_org = _own_organisation(ctx)
    other = _other_side(ctx.side)
    messages = []
    for row in rows:
        label, side = _author(users.get(row.author_id), ctx)
        reporter = users.get(row.reported_by_id)
        reported_by_us = (
            reporter is not None and own_org is not None and reporter.organisation_id == own_org.id
        )
        reported = row.reported_at is not None and (ctx.broker or reported_by_us)
        messages.append(
            Message(
                id=row.id,
                author=label,
                side=side,
                own=row.author_id == actor.user_id or (side != "" and side == ctx.side),
                body=row.body,
                created_at=row.created_at,
                reported=reported,
                can_report=other is not None and side == other and row.reported_at is None,
            )
        )
    return messages


def summaries(session: Session, *, actor: Actor, match_ids: list[int]) -> dict[int, Summary]:
    """How many messages each of these matches has (one query), for the matches the actor
    takes part in; the others are left out."""
    require_signed_in(actor)
    if not match_ids:
        return {}
    initiative, partner = Organisation.__table__.alias(), Organisation.__table__.alias()
    rows = session.exec(
        select(
            Match.id,
            initiative.c.id,
            initiative.c.neighbourhood,
            partner.c.id,
            func.count(ConversationMessage.id),
            func.count(ConversationMessage.reported_at),
        )
        .join(Need, Match.need_id == Need.id)
        .join(Offer, Match.offer_id == Offer.id)
        .join(initiative, Need.organisation_id == initiative.c.id)
        .join(partner, Offer.organisation_id == partner.c.id)
        .outerjoin(ConversationMessage, ConversationMessage.match_id == Match.id)
        .where(col(Match.id).in_(match_ids))
        .group_by(Match.id, initiative.c.id, initiative.c.neighbourhood, partner.c.id)
    ).all()
    found = {}
    for match_id, initiative_id, hood, partner_id, count, reported in rows:
        sides = actor.organisation_id is not None and actor.organisation_id in (
            initiative_id,
            partner_id,
        )
        if sides:
            found[match_id] = Summary(count, 0)
        elif covers_area(actor, hood):
            found[match_id] = Summary(count, reported)
    return found


def _preview(body: str) -> str:
    return body if len(body) <= PREVIEW_MAX else body[:PREVIEW_MAX].rstrip() + "…"


def _members(session: Session, organisation_id: int) -> list[User]:
    return list(
        session.exec(
            select(User)
            .where(User.organisation_id == organisation_id, User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def _label_in(language: str, author: User, ctx: _Context) -> str:
    """The author's label in a reader's language: a notification keeps its words, made once."""

    def run() -> str:
        set_language(language)
        return _author(author, ctx)[0]

    return contextvars.copy_context().run(run)


def write(session: Session, *, actor: Actor, match_id: int, body: str) -> Message:
    """Add a message to the conversation of an introduction (introduced, agreed or active),
    as one of its two sides or their broker, and tell the others. Returns the message as
    the writer sees it."""
    ctx = _context(session, actor, match_id, lock=True)
    status = ctx.match.status
    if status == lifecycle.SUGGESTED:
        raise NotAllowed(
            t("Het gesprek begint als de buurtmakelaar jullie aan elkaar heeft voorgesteld.")
        )
    if status not in WRITABLE:
        raise Conflict(
            t(
                "Deze kennismaking is afgesloten (nu: {status}). Er kunnen geen berichten meer"
                " bij. Lezen kan nog wel.",
                status=t(lifecycle.label_key(status)),
            ),
            status=status,
        )
    text = clean_text(body or "", multiline=True).strip()
    if not text:
        raise InvalidInput({"body": t("Schrijf eerst een bericht.")})
    if len(text) > BODY_MAX:
        raise InvalidInput(
            {
                "body": t(
                    "Een bericht mag hoogstens {max} tekens hebben. Dit bericht heeft er {n}.",
                    max=BODY_MAX,
                    n=len(text),
                )
            }
        )
    limits.check(session, actor, "message")
    message = ConversationMessage(match_id=match_id, author_id=actor.user_id, body=text)
    session.add(message)
    session.flush()
    record(session, user_id=actor.user_id, action="message", entity="match", entity_id=match_id,
           detail=f"message {message.id}")  # fmt: skip
    _tell(session, actor, ctx, message)
    session.flush()
    label, side = _author(session.get(User, actor.user_id), ctx)
    return Message(message.id, label, side, True, text, message.created_at, False, False)


def _tell(session: Session, actor: Actor, ctx: _Context, message: ConversationMessage) -> None:
    """The other side's members (both sides' when a broker wrote), and the brokers who wrote
    in this conversation before: each a "message" notification with a short preview."""
    if ctx.side == lifecycle.INITIATIVE:
        readers = _members(session, ctx.partner.id)
    elif ctx.side == lifecycle.PARTNER:
        readers = _members(session, ctx.initiative.id)
    else:
        readers = _members(session, ctx.initiative.id) + _members(session, ctx.partner.id)
    earlier = session.exec(
        select(User)
        .join(ConversationMessage, ConversationMessage.author_id == User.id)
        .where(
            ConversationMessage.match_id == ctx.match.id,
            ConversationMessage.id != message.id,
            col(User.role).in_(("broker", "admin")),
            User.is_active.is_(True),
        )
        .distinct()
    ).all()
    readers += [u for u in earlier if _covers(u, ctx.initiative.neighbourhood)]
    author = session.get(User, actor.user_id)
    seen = {actor.user_id}
    for reader in readers:
        if reader.id in seen:
            continue
        seen.add(reader.id)
        params = {
            "other": _label_in(reader.language, author, ctx),
            "need": ctx.need.title,
            "offer": ctx.offer.title,
            "preview": _preview(message.body),
            "page": PAGE,
        }
        notify.notify(session, user_id=reader.id, kind="message", params=params,
                      match_id=ctx.match.id, key=f"message:{message.id}:{reader.id}")  # fmt: skip


def _covers(user: User, neighbourhood: str) -> bool:
    areas = [a.strip() for a in user.areas.split(";") if a.strip()]
    return area_scope(user.role, areas).covers(neighbourhood)


def report(session: Session, *, actor: Actor, message_id: int, reason: str = "") -> None:
    """A side reports a message of the other side to the broker: marked once (a second
    report is refused, saying it was reported already), audited, and the area's brokers are
    told (the administrators when no broker covers the area)."""
    message = session.get(ConversationMessage, message_id)
    if message is None:
        raise NotFound(t("Dit bericht bestaat niet."))
    ctx = _context(session, actor, message.match_id)
    if ctx.side is None:
        raise NotAllowed(t("Alleen de twee organisaties kunnen een bericht melden."))
    author = session.get(User, message.author_id) if message.author_id else None
    _, author_side = _author(author, ctx)
    if author_side != _other_side(ctx.side):
        raise NotAllowed(t("Je kunt alleen een bericht van de andere organisatie melden."))
    reason = clean_text(reason or "").strip()
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            {"reason": t("Schrijf de reden in hoogstens {max} tekens.", max=REASON_MAX)}
        )
    marked = session.execute(
        update(ConversationMessage)
        .where(ConversationMessage.id == message.id, col(ConversationMessage.reported_at).is_(None))
        .values(reported_at=utcnow(), reported_by_id=actor.user_id)
    )
    if marked.rowcount != 1:
        raise Conflict(t("Dit bericht is al gemeld. De buurtmakelaar kijkt ernaar."))
    record(session, user_id=actor.user_id, action="message_reported",
           entity="match", entity_id=ctx.match.id, detail=f"message {message.id}")  # fmt: skip
    reporter = _own_organisation(ctx)
    params = {
        "reporter": reporter.name,
        "need": ctx.need.title,
        "initiative": ctx.initiative.name,
        "partner": ctx.partner.name,
        "preview": _preview(message.body),
        "reason": reason or "-",
        "page": PAGE,
    }
    for broker in _area_brokers(session, ctx.initiative.neighbourhood):
        notify.notify(session, user_id=broker.id, kind="message_reported", params=params,
                      match_id=ctx.match.id, key=f"message_reported:{message.id}:{broker.id}")  # fmt: skip
    session.flush()


def _area_brokers(session: Session, neighbourhood: str) -> list[User]:
    active = session.exec(
        select(User)
        .where(col(User.role).in_(("broker", "admin")), User.is_active.is_(True))
        .order_by(User.id)
    ).all()
    brokers = [u for u in active if u.role == "broker" and _covers(u, neighbourhood)]
    return brokers or [u for u in active if u.role == "admin"]
