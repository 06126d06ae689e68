"""The match pipeline (design.md): suggested -> introduced -> agreed -> active -> done, with
the exits rejected (broker), declined (a side) and expired.

Every transition is one conditioned UPDATE on the version the person saw: Streamlit reruns
make "reload, modify, commit" silently overwrite another broker (pitfalls.md), so a rowcount
of 0 means someone else was first, and the loser is told who.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from samenspel import settings
from samenspel.i18n import t
from samenspel.services.audit import record
from samenspel.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from samenspel.services.permissions import Actor, covers_area, require_signed_in
from samenspel.storage.models import Match, Need, Offer, Organisation, User, utcnow

FOLLOW_UP_DAYS = 14
VALUE_WEEKS = 12  # the estimated value counts about three months of help
HOURS_PER_SLOT = 3
REJECT_REASONS = (
    "past niet bij de vraag",
    "te ver weg",
    "andere dag of tijd nodig",
    "partner heeft geen ruimte meer",
    "al geholpen",
    "anders",
)

# status -> statuses it may move to
TRANSITIONS = {
    "suggested": {"introduced", "rejected", "expired"},
    "introduced": {"agreed", "declined", "expired"},
    "agreed": {"active", "declined", "expired"},
    "active": {"done", "declined"},
}


def _load(
    session: Session, match_id: int
) -> tuple[Match, Need, Offer | None, Organisation, Organisation | None]:
    match = session.get(Match, match_id)
    if match is None:
        raise NotFound(t("Deze match bestaat niet."))
    need = session.get(Need, match.need_id)
    offer = session.get(Offer, match.offer_id) if match.offer_id else None
    need_org = session.get(Organisation, need.organisation_id)
    offer_org = session.get(Organisation, offer.organisation_id) if offer else None
    return match, need, offer, need_org, offer_org


def side_of(actor: Actor, need_org: Organisation, offer_org: Organisation | None) -> str | None:
    if actor.organisation_id is not None and actor.organisation_id == need_org.id:
        return "initiative"
    if offer_org is not None and actor.organisation_id == offer_org.id:
        return "partner"
    return None


def estimate_value(need: Need, offer: Offer | None) -> float | None:
    """Venue hours x rate, volunteer hours x rate, or the money amount (rates are settings)."""
    if offer is None:
        return need.amount_eur
    if need.kind == "money":
        amounts = [a for a in (need.amount_eur, offer.amount_max_eur) if a]
        return min(amounts) if amounts else None
    if need.kind == "venue":
        slots = max(1, len([s for s in need.slots.split(";") if s.strip()]))
        hours = slots * HOURS_PER_SLOT * VALUE_WEEKS
        return round(hours * settings.rate("SAMENSPEL_RATE_VENUE_EUR_PER_HOUR"), 2)
    if need.kind == "volunteers":
        people = min(need.people or 1, offer.capacity or need.people or 1)
        hours = people * (need.hours_per_week or offer.hours_per_week or 2) * VALUE_WEEKS
        return round(hours * settings.rate("SAMENSPEL_RATE_VOLUNTEER_EUR_PER_HOUR"), 2)
    return None


def _move(
    session: Session,
    *,
    actor: Actor,
    match: Match,
    seen_version: int,
    status: str,
    values: dict | None = None,
    detail: str = "",
    allow_same: bool = False,
) -> Match:
    """The one conditioned UPDATE every transition goes through. Staying in the same status is
    only allowed where asked (one side's "yes" while the other has not answered yet)."""
    if match.version != seen_version:  # already changed since the person looked
        raise _conflict(session, match.id)
    same = allow_same and status == match.status
    if not same and status not in TRANSITIONS.get(match.status, set()):
        raise InvalidInput(
            {"status": t("Deze stap kan nu niet (status: {status}).", status=match.status)}
        )
    result = session.execute(
        update(Match)
        .where(Match.id == match.id, Match.version == seen_version)
        .values(status=status, version=seen_version + 1, updated_at=utcnow(), **(values or {}))
    )
    if result.rowcount != 1:
        session.rollback()
        raise _conflict(session, match.id)
    _update_need(session, match.need_id, status)
    record(
        session,
        user_id=actor.user_id,
        action=status,
        entity="match",
        entity_id=match.id,
        detail=detail,
    )
    session.commit()
    return session.get(Match, match.id, populate_existing=True)


def _update_need(session: Session, need_id: int, status: str) -> None:
    """A need with an agreed partnership is matched (off the map, no new suggestions); if that
    partnership falls through, the need is open again."""
    need = session.get(Need, need_id)
    if status in ("agreed", "active", "done") and need.status == "open":
        need.status = "matched"
    elif status == "declined" and need.status == "matched":
        still = session.exec(
            select(Match.id).where(
                Match.need_id == need_id, Match.status.in_(("agreed", "active", "done"))
            )
        ).first()
        if still is None:
            need.status = "open"


def _conflict(session: Session, match_id: int) -> Conflict:
    current = session.get(Match, match_id, populate_existing=True)
    who = ""
    if current is not None and current.decided_by_id:
        user = session.get(User, current.decided_by_id)
        who = (user.display_name or user.username) if user else ""
    status = current.status if current else ""
    if who:
        message = t(
            "{who} heeft deze match al behandeld (nu: {status}). Ververs de lijst.",
            who=who,
            status=status,
        )
    else:
        message = t(
            "Iemand anders heeft deze match net veranderd (nu: {status}). Ververs de lijst.",
            status=status,
        )
    return Conflict(message, decided_by=who, status=status)


def _require_broker_for(actor: Actor, need_org: Organisation) -> None:
    require_signed_in(actor)
    if not covers_area(actor, need_org.neighbourhood):
        raise NotAllowed(t("Alleen de buurtmakelaar van deze buurt kan dit beslissen."))


def introduce(
    *, session: Session, actor: Actor, match_id: int, seen_version: int, today: date | None = None
) -> Match:
    """The broker accepts a suggestion: both sides are introduced to each other."""
    match, need, offer, need_org, _ = _load(session, match_id)
    _require_broker_for(actor, need_org)
    follow_up = (today or date.today()) + timedelta(days=FOLLOW_UP_DAYS)
    return _move(
        session,
        actor=actor,
        match=match,
        seen_version=seen_version,
        status="introduced",
        values={
            "decided_by_id": actor.user_id,
            "follow_up_on": follow_up,
            "value_eur": estimate_value(need, offer),
        },
    )


def reject(
    *, session: Session, actor: Actor, match_id: int, seen_version: int, reason: str
) -> Match:
    match, _, _, need_org, _ = _load(session, match_id)
    _require_broker_for(actor, need_org)
    if not reason.strip():
        raise InvalidInput({"reason": t("Geef een reden op.")})
    return _move(
        session,
        actor=actor,
        match=match,
        seen_version=seen_version,
        status="rejected",
        values={"decided_by_id": actor.user_id, "decision_reason": reason.strip()[:1000]},
        detail=reason,
    )


def respond(
    *,
    session: Session,
    actor: Actor,
    match_id: int,
    seen_version: int,
    accept: bool,
    reason: str = "",
) -> Match:
    """A side says yes or no to an introduction. Both yes: agreed (contacts become visible).

    A side answers for itself only, so its answer stands even when the other side answered a
    moment earlier (the version the person saw has moved on by then): only a change of status
    (declined, expired) stops it. Two yeses at the same moment both count."""
    match, _, _, need_org, offer_org = _load(session, match_id)
    side = side_of(actor, need_org, offer_org)
    if side is None:
        raise NotAllowed(t("Alleen de twee partijen kunnen hierop antwoorden."))
    if match.status != "introduced":
        raise _answered_already(session, match.id)
    if not accept:
        if not reason.strip():
            raise InvalidInput({"reason": t("Geef een reden op.")})
        return _move(
            session,
            actor=actor,
            match=match,
            seen_version=match.version,
            status="declined",
            values={"decision_reason": f"{side}: {reason.strip()}"[:1000]},
            detail=reason,
        )
    flag = Match.initiative_agreed if side == "initiative" else Match.partner_agreed
    # One UPDATE per step, conditioned on the status only: a concurrent yes of the other side
    # waits for this row (PostgreSQL) or the write lock (SQLite), then sees both flags.
    said_yes = session.execute(
        update(Match)
        .where(Match.id == match.id, Match.status == "introduced")
        .values({flag: True, Match.version: Match.version + 1, Match.updated_at: utcnow()})
    )
    if said_yes.rowcount != 1:
        session.rollback()
        raise _answered_already(session, match.id)
    both = session.execute(
        update(Match)
        .where(
            Match.id == match.id,
            Match.status == "introduced",
            Match.initiative_agreed.is_(True),
            Match.partner_agreed.is_(True),
        )
        .values(status="agreed", version=Match.version + 1, updated_at=utcnow())
    )
    if both.rowcount == 1:
        _update_need(session, match.need_id, "agreed")
    record(
        session,
        user_id=actor.user_id,
        action="agreed" if both.rowcount == 1 else "introduced",
        entity="match",
        entity_id=match.id,
        detail=f"{side} says yes",
    )
    session.commit()
    return session.get(Match, match.id, populate_existing=True)


def _answered_already(session: Session, match_id: int) -> Conflict:
    """What a side hears when the introduction ended before its answer arrived: no broker's
    name (the broker did not overrule anyone), just what happened."""
    current = session.get(Match, match_id, populate_existing=True)
    status = current.status if current else ""
    return Conflict(
        t(
            "Dit voorstel is intussen veranderd (nu: {status}). Ververs de pagina om te zien wat er is gebeurd.",
            status=status,
        ),
        decided_by="",
        status=status,
    )


def start(*, session: Session, actor: Actor, match_id: int, seen_version: int) -> Match:
    match, _, _, need_org, offer_org = _load(session, match_id)
    if side_of(actor, need_org, offer_org) is None and not covers_area(
        actor, need_org.neighbourhood
    ):
        raise NotAllowed(t("Dit mag je niet doen met jouw account."))
    return _move(session, actor=actor, match=match, seen_version=seen_version, status="active")


def follow_up(
    *,
    session: Session,
    actor: Actor,
    match_id: int,
    seen_version: int,
    happened: bool,
    note: str = "",
) -> Match:
    """ "Is het gelukt?": yes closes the partnership as done, no as declined."""
    match, _, _, need_org, offer_org = _load(session, match_id)
    if side_of(actor, need_org, offer_org) is None and not covers_area(
        actor, need_org.neighbourhood
    ):
        raise NotAllowed(t("Dit mag je niet doen met jouw account."))
    if happened:
        status = "done" if match.status == "active" else "active"
        return _move(
            session, actor=actor, match=match, seen_version=seen_version, status=status, detail=note
        )
    return _move(
        session,
        actor=actor,
        match=match,
        seen_version=seen_version,
        status="declined",
        values={"decision_reason": note.strip()[:1000] or t("niet gelukt")},
        detail=note,
    )


def visible_contact_statuses() -> tuple[str, ...]:
    return ("agreed", "active", "done")


def offer_help(
    *, session: Session, actor: Actor, need_id: int, offer_id: int, today: date | None = None
) -> Match:
    """A partner saw a need (on the map) and offers one of its own offers for it. The pair
    goes to the broker's queue as a suggestion, with the engine's score and reasons; the hard
    filters still hold, so "no" comes with the reason why."""
    from samenspel.matching.engine import Engine
    from samenspel.matching.types import Exclusion
    from samenspel.services.suggestions import need_in, offer_in

    require_signed_in(actor)
    offer = session.get(Offer, offer_id)
    need = session.get(Need, need_id)
    if offer is None or need is None:
        raise NotFound(t("Deze vraag of dit aanbod bestaat niet."))
    if offer.organisation_id != actor.organisation_id:
        raise NotAllowed(t("Je kunt alleen je eigen aanbod aanbieden."))
    existing = session.exec(
        select(Match).where(Match.need_id == need_id, Match.offer_id == offer_id)
    ).first()
    if existing is not None:
        return existing
    need_org = session.get(Organisation, need.organisation_id)
    offer_org = session.get(Organisation, offer.organisation_id)
    engine = Engine([offer_in(offer, offer_org)], today=today, lang="nl", extra_languages=("en",))
    result = engine.explain(need_in(need, need_org), str(offer.id))
    if isinstance(result, Exclusion):
        raise InvalidInput({"offer": t("Dit past niet: {reason}", reason=result.reason)})
    match = Match(
        need_id=need.id,
        offer_id=offer.id,
        score=result.score,
        components=result.components,
        reasons=result.reasons,
        reasons_en=result.reasons_by_lang.get("en", []),
        tie=result.tie,
        status="suggested",
        origin="partner",
    )
    session.add(match)
    session.flush()
    record(session, user_id=actor.user_id, action="offer_help", entity="match", entity_id=match.id)
    session.commit()
    return match


def expire_stale(session: Session, *, today: date | None = None) -> int:
    """Needs past their deadline expire, and so do open suggestions and introductions whose
    need or offer has lapsed. Run at app start and nightly (`samenspel expire`). Returns the
    number of matches expired."""
    today = today or date.today()
    lapsed_needs = select(Need.id).where(Need.deadline < today, Need.status == "open")
    lapsed_offers = select(Offer.id).where(Offer.deadline < today)
    result = session.execute(
        update(Match)
        .where(Match.status.in_(("suggested", "introduced")))
        .where(Match.need_id.in_(lapsed_needs) | Match.offer_id.in_(lapsed_offers))
        .values(status="expired", version=Match.version + 1, updated_at=utcnow())
    )
    session.execute(
        update(Need).where(Need.deadline < today, Need.status == "open").values(status="expired")
    )
    if result.rowcount:
        record(
            session,
            user_id=None,
            action="expire",
            entity="match",
            entity_id=None,
            detail=f"{result.rowcount}",
        )
    session.commit()
    return result.rowcount
