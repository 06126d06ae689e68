"""Partnerships after both sides said yes: "Is het gelukt?" and what each side brings in return
(wederkerigheid, the tegenprestatie).

"Is het gelukt?" has three answers: it worked and is finished (done), it worked and keeps
running (active, with the date of the next check), or it did not work (declined, with the
reason). Every answer is one conditioned UPDATE on the version the person saw, through
matches._move where it is a step of the lifecycle; so of two answers at the same moment one
wins, and the other person is told what was answered, by whom, from their own side.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from samenspel.i18n import t
from samenspel.matching.csvformat import clean_text
from samenspel.services import lifecycle
from samenspel.services.audit import record
from samenspel.services.errors import Conflict, InvalidInput, NotAllowed
from samenspel.services.matches import (
    _load,
    _move,
    _require_step,
    _side_or_broker_roles,
    side_of,
)
from samenspel.services.permissions import Actor, require_signed_in
from samenspel.storage.models import AuditEvent, Match, Organisation, User, utcnow

DONE = "done"  # it worked, and the partnership is finished
CONTINUE = "continue"  # it worked, and it keeps running until the next check
FAILED = "failed"  # it did not work out
OUTCOMES = (DONE, CONTINUE, FAILED)
NEXT_CHECK_WEEKS = 4
BRINGS_MAX = 500  # Match.initiative_brings / partner_brings
NOTE_MAX = 1000  # Match.decision_reason
CONTINUE_ACTION = "continue"  # the audit action of "it keeps running" on a running partnership
# The audit actions of an answer to "Is het gelukt?" (and of "We zijn begonnen", which is the
# step agreed -> active too): what the loser of two answers is told about.
_ANSWERS = (lifecycle.ACTIVE, lifecycle.DONE, lifecycle.DECLINED, CONTINUE_ACTION)


def follow_up(
    *,
    session: Session,
    actor: Actor,
    match_id: int,
    seen_version: int,
    outcome: str,
    next_date: date | None = None,
    note: str = "",
    today: date | None = None,
) -> Match:
    """The answer to "Is het gelukt?" for an agreed or running partnership, by either side or
    the area's broker. `outcome` is DONE, CONTINUE (next check on `next_date`, after today;
    default in four weeks) or FAILED (`note` kept as the reason). CONTINUE moves the
    follow-up date, DONE and FAILED end the partnership: either way the question does not
    come back before a next check (only partnerships under way are followed up)."""
    match, _, _, need_org, offer_org = _load(session, match_id)
    require_signed_in(actor)
    roles = _side_or_broker_roles(actor, need_org, offer_org)
    if outcome not in OUTCOMES:
        raise InvalidInput({"outcome": t("Kies een antwoord.")})
    today = today or date.today()
    note = clean_text(note).strip()[:NOTE_MAX]
    if outcome == CONTINUE:
        next_date = next_date or today + timedelta(weeks=NEXT_CHECK_WEEKS)
        if next_date <= today:
            raise InvalidInput({"next_date": t("Kies een datum na vandaag.")})
    if match.version != seen_version:  # answered (or started) since the person looked
        raise _answered_meanwhile(session, match.id, actor)
    try:
        if outcome == CONTINUE and match.status == lifecycle.ACTIVE:
            return _keep_running(session, actor=actor, match=match, roles=roles,
                                 seen_version=seen_version, next_date=next_date)  # fmt: skip
        if outcome == CONTINUE:  # agreed: it runs from now on
            return _move(session, actor=actor, match=match, roles=roles,
                         seen_version=seen_version, status=lifecycle.ACTIVE,
                         values={"follow_up_on": next_date},
                         detail=f"{CONTINUE_ACTION} {next_date.isoformat()}")  # fmt: skip
        if outcome == DONE:
            return _move(session, actor=actor, match=match, roles=roles,
                         seen_version=seen_version, status=lifecycle.DONE, detail=note)  # fmt: skip
        return _move(session, actor=actor, match=match, roles=roles, seen_version=seen_version,
                     status=lifecycle.DECLINED,
                     values={"decision_reason": note or t("niet gelukt")}, detail=note)  # fmt: skip
    except Conflict:
        # _move's own message names the broker who introduced the pair; here the reader needs
        # to hear who answered and what.
        raise _answered_meanwhile(session, match.id, actor) from None


def _keep_running(
    session: Session,
    *,
    actor: Actor,
    match: Match,
    roles: frozenset,
    seen_version: int,
    next_date: date,
) -> Match:
    """A running partnership keeps running: no step of the lifecycle (the status stays), but
    an answer all the same, so one conditioned UPDATE on the version seen, like a step. Who
    may say it keeps running is who may end it."""
    _require_step(match.status, lifecycle.DONE, roles)
    moved = session.execute(
        update(Match)
        .where(
            Match.id == match.id,
            Match.version == seen_version,
            Match.status == lifecycle.ACTIVE,
        )
        .values(follow_up_on=next_date, version=seen_version + 1, updated_at=utcnow())
    )
    if moved.rowcount != 1:  # another answer committed between our read and our UPDATE
        raise _answered_meanwhile(session, match.id, actor)
    record(session, user_id=actor.user_id, action=CONTINUE_ACTION, entity="match",
           entity_id=match.id, detail=next_date.isoformat())  # fmt: skip
    session.flush()
    return session.get(Match, match.id, populate_existing=True)


def _who(session: Session, user_id: int | None, reader: Actor) -> str:
    """Who answered, from the reader's side: someone of the reader's own organisation, the
    other side's organisation, or the broker by name."""
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        return t("Iemand anders")
    if user.organisation_id is not None and user.organisation_id == reader.organisation_id:
        return t("Iemand van jullie")
    if user.organisation_id is not None:
        organisation = session.get(Organisation, user.organisation_id)
        if organisation is not None:
            return organisation.name
    return user.display_name or user.username


def _answered_meanwhile(session: Session, match_id: int, reader: Actor) -> Conflict:
    """What the loser of two answers hears: who answered first and what, or at least what the
    partnership is now. A new statement, so it sees the winner's commit (PostgreSQL, READ
    COMMITTED; on SQLite the winner committed before this unit of work could start)."""
    current = session.get(Match, match_id, populate_existing=True)
    status = current.status if current else ""
    last = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.entity == "match",
            AuditEvent.entity_id == match_id,
            AuditEvent.action.in_(_ANSWERS),
        )
        .order_by(AuditEvent.id.desc())
    ).first()
    who = _who(session, last.user_id if last else None, reader)
    kept_running = last is not None and (
        last.action == CONTINUE_ACTION or last.detail.startswith(CONTINUE_ACTION)
    )
    if last is not None and status == lifecycle.DONE:
        message = t(
            "{who} heeft net al gezegd dat het gelukt is en dat de samenwerking klaar is. "
            "Ververs de pagina.",
            who=who,
        )
    elif last is not None and status == lifecycle.DECLINED:
        message = t("{who} heeft net al gezegd dat het niet is gelukt. Ververs de pagina.", who=who)
    elif status == lifecycle.ACTIVE and kept_running and current.follow_up_on is not None:
        message = t(
            "{who} heeft net al gezegd dat de samenwerking nog doorloopt. De volgende keer "
            "opvolgen is op {date}. Ververs de pagina.",
            who=who,
            date=current.follow_up_on.strftime("%d-%m-%Y"),
        )
    elif status == lifecycle.ACTIVE and last is not None:
        message = t("{who} heeft net al gezegd dat jullie zijn begonnen. Ververs de pagina.",
                    who=who)  # fmt: skip
    else:
        message = t(
            "Iemand anders heeft deze samenwerking net veranderd (nu: {status}). "
            "Ververs de pagina.",
            status=t(lifecycle.label_key(status)),
        )
        who = ""
    return Conflict(message, decided_by=who, status=status)


def write_contribution(*, session: Session, actor: Actor, match_id: int, text: str) -> Match:
    """One side writes down what it brings in return (its own side only: the initiative its
    `initiative_brings`, the partner its `partner_brings`), once both said yes: agreed,
    running or done. An empty text clears it. The broker reads both and writes neither."""
    require_signed_in(actor)
    match, _, _, need_org, offer_org = _load(session, match_id)
    side = side_of(actor, need_org, offer_org)
    if side is None:
        raise NotAllowed(t("Alleen de twee partijen schrijven op wat ze inbrengen."))
    if match.status not in lifecycle.AGREED_ON:
        raise InvalidInput({"text": t("Dit kan pas als jullie allebei 'ja' hebben gezegd.")})
    words = clean_text(text).strip()
    if len(words) > BRINGS_MAX:
        raise InvalidInput(
            {"text": t("Deze tekst is te lang: hoogstens {n} tekens.", n=BRINGS_MAX)}
        )
    column = Match.initiative_brings if side == lifecycle.INITIATIVE else Match.partner_brings
    # No version check, and no new version: each side writes only its own column, so two
    # sides writing at once both survive (the later UPDATE waits for the row and changes
    # only its own column), and a follow-up answer someone is about to give on the version
    # they saw is not refused because of it. Two people of one side writing at once: the later
    # text stays, which is what that side last said. Only a partnership that has ended
    # meanwhile without both sides' agreement (declined) refuses it, hence the status.
    written = session.execute(
        update(Match)
        .where(Match.id == match.id, Match.status.in_(lifecycle.AGREED_ON))
        .values({column: words})
    )
    if written.rowcount != 1:
        raise _answered_meanwhile(session, match.id, actor)
    record(session, user_id=actor.user_id, action="contribution", entity="match",
           entity_id=match.id, detail=f"{side}: {words}")  # fmt: skip
    session.flush()
    return session.get(Match, match.id, populate_existing=True)
