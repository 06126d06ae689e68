"""The match pipeline: the steps of samenspel/services/lifecycle.py (suggested -> introduced
-> agreed -> active -> done, with the exits rejected, declined and expired), taken by the
people that table allows.

Every transition is one conditioned UPDATE on the version the person saw: Streamlit reruns
make "reload, modify, commit" silently overwrite another broker (docs/pitfalls.md), so a rowcount
of 0 means someone else was first, and the loser is told who. The UPDATE runs in the caller's
unit of work; the loser's Conflict rolls that unit back, and whatever else it held with it.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from samenspel import settings
from samenspel.i18n import N_, t
from samenspel.services import areas, lifecycle, notify
from samenspel.services.audit import record
from samenspel.services.embeddings import semantic_for
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
# Why an initiative says "Past niet" to a suggestion (kept for the broker; the page shows the
# words in the reader's language).
PASS_REASONS = (
    N_("we hebben dit al geregeld"),
    N_("te ver weg"),
    N_("andere dag of tijd nodig"),
    N_("het is niet wat we zoeken"),
    N_("anders"),
)


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
        return lifecycle.INITIATIVE
    if offer_org is not None and actor.organisation_id == offer_org.id:
        return lifecycle.PARTNER
    return None


def roles_of(actor: Actor, need_org: Organisation, offer_org: Organisation | None) -> frozenset:
    """What the actor is for this match, in the lifecycle's terms (a side, the broker)."""
    side = side_of(actor, need_org, offer_org)
    roles = {side} if side else set()
    if covers_area(actor, need_org.neighbourhood):
        roles.add(lifecycle.BROKER)
    return frozenset(roles)


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


def _require_step(start: str, status: str, roles: frozenset) -> None:
    """The lifecycle's word on this step for someone with these roles."""
    why = lifecycle.refusal(start, status, roles)
    if why is lifecycle.Refusal.NOT_A_STEP:
        raise InvalidInput({"status": t("Deze stap kan nu niet (status: {status}).", status=start)})
    if why is lifecycle.Refusal.NOT_YOURS:
        raise NotAllowed(t("Dit mag je niet doen met jouw account."))


def _move(
    session: Session,
    *,
    actor: Actor,
    match: Match,
    roles: frozenset,
    seen_version: int,
    status: str,
    values: dict | None = None,
    detail: str = "",
) -> Match:
    """The one conditioned UPDATE every transition goes through, for someone with `roles`
    for this match (roles_of)."""
    if match.version != seen_version:  # already changed since the person looked
        raise _conflict(session, match.id)
    _require_step(match.status, status, roles)
    result = session.execute(
        update(Match)
        .where(Match.id == match.id, Match.version == seen_version)
        .values(status=status, version=seen_version + 1, updated_at=utcnow(), **(values or {}))
    )
    if result.rowcount != 1:
        # Someone else's step committed between our read and our UPDATE (PostgreSQL: the
        # UPDATE waited for their row lock, then found a newer version). Their row is what
        # _conflict reads: a new statement sees every commit in READ COMMITTED. On SQLite the
        # unit of work holds the write lock from its start, so the version check above
        # already saw it. The Conflict rolls back this whole unit of work.
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
    session.flush()
    return session.get(Match, match.id, populate_existing=True)


def _update_need(session: Session, need_id: int, status: str) -> None:
    """A need with an agreed partnership is matched (off the map, no new suggestions); if that
    partnership falls through, the need is open again."""
    need = session.get(Need, need_id)
    if status in lifecycle.AGREED_ON and need.status == "open":
        need.status = "matched"
    elif status == lifecycle.DECLINED and need.status == "matched":
        still = session.exec(
            select(Match.id).where(Match.need_id == need_id, Match.status.in_(lifecycle.AGREED_ON))
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


def _broker_roles(
    actor: Actor, need_org: Organisation, offer_org: Organisation | None
) -> frozenset:
    """The actor's roles for a match whose next step is the broker's (introduce, reject)."""
    require_signed_in(actor)
    roles = roles_of(actor, need_org, offer_org)
    if lifecycle.BROKER not in roles:
        raise NotAllowed(t("Alleen de buurtmakelaar van deze buurt kan dit beslissen."))
    return roles


def _introduction_values(need: Need, offer: Offer | None, today: date | None) -> dict:
    follow_up = (today or date.today()) + timedelta(days=FOLLOW_UP_DAYS)
    return {"follow_up_on": follow_up, "value_eur": estimate_value(need, offer)}


def introduce(
    *, session: Session, actor: Actor, match_id: int, seen_version: int, today: date | None = None
) -> Match:
    """The broker accepts a suggestion: both sides are introduced to each other. A side that
    asked for the suggestion itself has said yes already; when both had, they are agreed at
    once (their contact details become visible)."""
    match, need, offer, need_org, offer_org = _load(session, match_id)
    roles = _broker_roles(actor, need_org, offer_org)
    initiative_yes = match.initiative_asked_at is not None
    partner_yes = match.partner_asked_at is not None
    both = initiative_yes and partner_yes
    moved = _move(
        session,
        actor=actor,
        match=match,
        roles=roles,
        seen_version=seen_version,
        status=lifecycle.AGREED if both else lifecycle.INTRODUCED,
        values={
            "decided_by_id": actor.user_id,
            "initiative_agreed": initiative_yes,
            "partner_agreed": partner_yes,
            **_introduction_values(need, offer, today),
        },
        detail="both sides had asked" if both else "",
    )
    notify.match_event(session, match_id=moved.id, event=notify.AGREED if both else notify.INTRODUCED,
                       actor=actor)  # fmt: skip
    return moved


def reject(
    *, session: Session, actor: Actor, match_id: int, seen_version: int, reason: str
) -> Match:
    match, _, _, need_org, offer_org = _load(session, match_id)
    roles = _broker_roles(actor, need_org, offer_org)
    if not reason.strip():
        raise InvalidInput({"reason": t("Geef een reden op.")})
    return _move(
        session,
        actor=actor,
        match=match,
        roles=roles,
        seen_version=seen_version,
        status=lifecycle.REJECTED,
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
    if match.status != lifecycle.INTRODUCED:
        raise _answered_already(session, match.id)
    if not accept:
        if not reason.strip():
            raise InvalidInput({"reason": t("Geef een reden op.")})
        return _move(
            session,
            actor=actor,
            match=match,
            roles=frozenset({side}),
            seen_version=match.version,
            status=lifecycle.DECLINED,
            values={"decision_reason": f"{side}: {reason.strip()}"[:1000]},
            detail=reason,
        )
    _require_step(lifecycle.INTRODUCED, lifecycle.AGREED, frozenset({side}))
    flag = Match.initiative_agreed if side == lifecycle.INITIATIVE else Match.partner_agreed
    # One UPDATE per step, conditioned on the status only: a concurrent yes of the other side
    # waits for this row (PostgreSQL) or the write lock (SQLite), then sees both flags.
    said_yes = session.execute(
        update(Match)
        .where(Match.id == match.id, Match.status == lifecycle.INTRODUCED)
        .values({flag: True, Match.version: Match.version + 1, Match.updated_at: utcnow()})
    )
    if said_yes.rowcount != 1:
        # The introduction ended (declined, expired) in a unit of work that committed first.
        raise _answered_already(session, match.id)
    both = session.execute(
        update(Match)
        .where(
            Match.id == match.id,
            Match.status == lifecycle.INTRODUCED,
            Match.initiative_agreed.is_(True),
            Match.partner_agreed.is_(True),
        )
        .values(status=lifecycle.AGREED, version=Match.version + 1, updated_at=utcnow())
    )
    if both.rowcount == 1:
        _update_need(session, match.need_id, lifecycle.AGREED)
    notify.match_event(session, match_id=match.id, actor=actor,
                       event=notify.AGREED if both.rowcount == 1 else notify.SAID_YES)  # fmt: skip
    record(
        session,
        user_id=actor.user_id,
        action=lifecycle.AGREED if both.rowcount == 1 else lifecycle.INTRODUCED,
        entity="match",
        entity_id=match.id,
        detail=f"{side} says yes",
    )
    session.flush()
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


def _answering_side(actor: Actor, need_org: Organisation, offer_org: Organisation | None) -> str:
    """The side an actor answers a suggestion for: only the need's or the offer's own
    organisation answers (a broker decides in the review queue instead)."""
    require_signed_in(actor)
    side = side_of(actor, need_org, offer_org)
    if side is None:
        raise NotAllowed(t("Alleen de twee partijen van deze suggestie kunnen hierop antwoorden."))
    return side


def _suggestion_changed(session: Session, match_id: int, side: str) -> Conflict:
    """What a side hears when its answer to a suggestion came too late: what happened
    meanwhile, from the reader's side ("jullie" is the reader)."""
    current = session.get(Match, match_id, populate_existing=True)
    status = current.status if current else ""
    own_ask = _ASKED[side][0]
    other_ask = _ASKED[lifecycle.PARTNER if side == lifecycle.INITIATIVE else lifecycle.INITIATIVE][
        0
    ]
    if current is not None and current.passed_at is not None:
        if current.passed_side == side:
            message = t(
                "Iemand van jullie heeft net al gezegd dat dit niet past. Ververs de pagina."
            )
        else:
            message = t("De andere kant zei intussen dat dit niet past. Ververs de pagina.")
    elif current is not None and status == lifecycle.SUGGESTED and getattr(current, own_ask):
        message = t(
            "Iemand van jullie heeft net al gezegd dat jullie willen kennismaken. Ververs de pagina."
        )
    elif current is not None and status == lifecycle.SUGGESTED and getattr(current, other_ask):
        message = (
            t("Deze suggestie is intussen veranderd: de partner vroeg zelf om kennis te maken. Kijk nog eens en kies opnieuw.")
            if side == lifecycle.INITIATIVE
            else t("Deze suggestie is intussen veranderd: het initiatief vroeg zelf om kennis te maken. Kijk nog eens en kies opnieuw.")
        )  # fmt: skip
    elif current is not None and current.auto_introduced:
        message = t(
            "Jullie zijn intussen aan elkaar voorgesteld (nu: {status}). Ververs de pagina.",
            status=t(lifecycle.label_key(status)),
        )
    else:
        message = t(
            "De buurtmakelaar heeft deze suggestie intussen behandeld (nu: {status}). Ververs de pagina.",
            status=t(lifecycle.label_key(status)),
        )
    return Conflict(message, decided_by="", status=status)


# Per side: the columns that say who of that side asked for a suggestion, and when.
_ASKED = {
    lifecycle.INITIATIVE: ("initiative_asked_at", "initiative_asked_by_id"),
    lifecycle.PARTNER: ("partner_asked_at", "partner_asked_by_id"),
}


def _ask(session: Session, actor: Actor, match: Match, side: str, today: date | None) -> Match:
    """Mark `match` as asked by `side`, in one UPDATE conditioned on the status and on that
    side not having asked yet, so a side's yes stands even when the other side answered a
    moment earlier (as in `respond`). The second side's yes introduces them at once where the
    area chose that (services/areas.py)."""
    asked_at, asked_by = _ASKED[side]
    if match.status == lifecycle.INTRODUCED:
        # The broker introduced them while this side was saying yes: it is the same yes.
        return respond(session=session, actor=actor, match_id=match.id,
                       seen_version=match.version, accept=True)  # fmt: skip
    if match.status != lifecycle.SUGGESTED or getattr(match, asked_at) is not None:
        raise _suggestion_changed(session, match.id, side)
    asked = session.execute(
        update(Match)
        .where(
            Match.id == match.id,
            Match.status == lifecycle.SUGGESTED,
            getattr(Match, asked_at).is_(None),
        )
        .values(
            {
                asked_at: utcnow(),
                asked_by: actor.user_id,
                "asked_sides": Match.asked_sides + 1,
                "version": Match.version + 1,
                "updated_at": utcnow(),
            }
        )
    )
    if asked.rowcount != 1:  # someone answered between our read and our UPDATE
        raise _suggestion_changed(session, match.id, side)
    record(session, user_id=actor.user_id, action=f"{side}_asks", entity="match",
           entity_id=match.id)  # fmt: skip
    session.flush()
    match = session.get(Match, match.id, populate_existing=True)
    if match.asked_sides == 2:
        match = _introduce_if_the_area_says_so(session, match, today)
    notify.match_event(session, match_id=match.id, actor=actor,
                       event=notify.AGREED if match.status == lifecycle.AGREED else notify.ASKED)  # fmt: skip
    return match


def _introduce_if_the_area_says_so(session: Session, match: Match, today: date | None) -> Match:
    """Both sides asked: in an area whose brokers chose "both said yes = introduced", they are
    introduced at once and, since both already said yes, agreed (contacts visible). The broker
    sees it on "Nieuw voor jullie" and can still end it."""
    _, need, offer, need_org, _ = _load(session, match.id)
    if not areas.auto_introduces(session, need_org.neighbourhood):
        return match
    moved = session.execute(
        update(Match)
        .where(Match.id == match.id, Match.version == match.version)
        .values(
            status=lifecycle.AGREED,
            auto_introduced=True,
            initiative_agreed=True,
            partner_agreed=True,
            version=match.version + 1,
            updated_at=utcnow(),
            **_introduction_values(need, offer, today),
        )
    )
    if moved.rowcount != 1:  # pragma: no cover - the row is locked by our own UPDATE above
        raise _conflict(session, match.id)
    _update_need(session, match.need_id, lifecycle.AGREED)
    record(session, user_id=None, action="auto_introduce", entity="match", entity_id=match.id,
           detail=need_org.neighbourhood)  # fmt: skip
    session.flush()
    return session.get(Match, match.id, populate_existing=True)


def ask_for_introduction(
    *, session: Session, actor: Actor, match_id: int, today: date | None = None
) -> Match:
    """A side says "Ja, hier willen we mee kennismaken" to a suggestion for its own need or
    offer: the match stays suggested, marked as asked by that side (who and when), and so
    moves up the broker's queue; when the broker introduces them, this counts as that side's
    yes to the introduction."""
    match, _, _, need_org, offer_org = _load(session, match_id)
    side = _answering_side(actor, need_org, offer_org)
    return _ask(session, actor, match, side, today)


def pass_suggestion(
    *,
    session: Session,
    actor: Actor,
    match_id: int,
    seen_version: int,
    reason: str,
    note: str = "",
) -> Match:
    """A side says "Past niet" to a suggestion for its own need or offer: it leaves their
    lists, the broker sees why, and the engine never suggests the pair again (the match is
    declined, and services/suggestions.py keeps every pair that is no longer an untouched
    suggestion). Conditioned on the version the person saw: if the other side asked for it
    meanwhile, they are told and choose again."""
    match, _, _, need_org, offer_org = _load(session, match_id)
    side = _answering_side(actor, need_org, offer_org)
    if reason not in PASS_REASONS:
        raise InvalidInput({"reason": t("Kies een reden uit de lijst.")})
    if match.version != seen_version or match.status != lifecycle.SUGGESTED:
        raise _suggestion_changed(session, match.id, side)
    _require_step(match.status, lifecycle.DECLINED, frozenset({side}))
    words = f"{reason}. {note.strip()}".strip(" .") if note.strip() else reason
    passed = session.execute(
        update(Match)
        .where(
            Match.id == match.id,
            Match.version == seen_version,
            Match.status == lifecycle.SUGGESTED,
        )
        .values(
            status=lifecycle.DECLINED,
            passed_at=utcnow(),
            passed_side=side,
            decided_by_id=actor.user_id,
            decision_reason=f"{side}: {words}"[:1000],
            version=seen_version + 1,
            updated_at=utcnow(),
        )
    )
    if passed.rowcount != 1:
        raise _suggestion_changed(session, match.id, side)
    record(session, user_id=actor.user_id, action=f"{side}_passes", entity="match",
           entity_id=match.id, detail=words)  # fmt: skip
    session.flush()
    return session.get(Match, match.id, populate_existing=True)


def _side_or_broker_roles(
    actor: Actor, need_org: Organisation, offer_org: Organisation | None
) -> frozenset:
    """The actor's roles for a partnership step either side or their broker may take."""
    roles = roles_of(actor, need_org, offer_org)
    if not roles:
        raise NotAllowed(t("Dit mag je niet doen met jouw account."))
    return roles


def start(*, session: Session, actor: Actor, match_id: int, seen_version: int) -> Match:
    match, _, _, need_org, offer_org = _load(session, match_id)
    roles = _side_or_broker_roles(actor, need_org, offer_org)
    return _move(
        session,
        actor=actor,
        match=match,
        roles=roles,
        seen_version=seen_version,
        status=lifecycle.ACTIVE,
    )


def visible_contact_statuses() -> tuple[str, ...]:
    return lifecycle.AGREED_ON


def offer_help(
    *, session: Session, actor: Actor, need_id: int, offer_id: int, today: date | None = None
) -> Match:
    """A partner saw a need (on the map) and offers one of its own offers for it: the same as
    its yes to a suggestion. A pair the engine had not suggested goes to the broker's queue
    with the engine's score and reasons. The partner's own limits and the plain facts (kind,
    dates) still hold, so a "no" comes with the reason why; the initiative's own limit on
    distance does not stop a partner who wants to help anyway: the initiative decides."""
    from dataclasses import replace

    from samenspel.i18n import language
    from samenspel.matching.engine import Engine
    from samenspel.matching.reasons import render, to_data
    from samenspel.matching.types import Exclusion
    from samenspel.services.records import need_in, offer_in

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
        if existing.status in lifecycle.FINAL:  # a no, or it ran its course: respect that
            raise InvalidInput({"offer": t(
                "Dit aanbod is al eens met deze vraag bekeken (nu: {status}). Kies ander aanbod, of vraag de buurtmakelaar.",
                status=t(lifecycle.label_key(existing.status)))})  # fmt: skip
        if existing.partner_asked_at is not None or existing.status not in (
            lifecycle.SUGGESTED, lifecycle.INTRODUCED
        ):  # fmt: skip
            return existing  # asked already, or agreed: nothing to add
        return _ask(session, actor, existing, lifecycle.PARTNER, today)
    need_org = session.get(Organisation, need.organisation_id)
    offer_org = session.get(Organisation, offer.organisation_id)
    engine = Engine([offer_in(offer, offer_org)], today=today, semantic=semantic_for(session))
    wanted = replace(need_in(need, need_org), max_distance_km=None)
    result = engine.explain(wanted, str(offer.id))
    if isinstance(result, Exclusion):
        raise InvalidInput(
            {"offer": t("Dit past niet: {reason}", reason=render(result.reason, language()))}
        )
    match = Match(
        need_id=need.id,
        offer_id=offer.id,
        score=result.score,
        components=result.components,
        reasons=to_data(result.reasons),  # codes: written out in each reader's language
        tie=result.tie,
        status="suggested",
        origin="partner",
        partner_asked_at=utcnow(),
        partner_asked_by_id=actor.user_id,
        asked_sides=1,
    )
    session.add(match)
    session.flush()
    record(session, user_id=actor.user_id, action="offer_help", entity="match", entity_id=match.id)
    notify.match_event(session, match_id=match.id, event=notify.ASKED, actor=actor)
    return match


def expire_stale(*, session: Session, today: date | None = None) -> int:
    """Needs past their deadline expire, and so do open suggestions and introductions whose
    need or offer has lapsed. Run at app start and nightly (`samenspel expire`). Returns the
    number of matches expired."""
    today = today or date.today()
    lapsed_needs = select(Need.id).where(Need.deadline < today, Need.status == "open")
    lapsed_offers = select(Offer.id).where(Offer.deadline < today)
    # The statuses a deadline ends (the lifecycle's steps that only the system takes).
    undecided = [start for (start, to), who in lifecycle.STEPS.items()
                 if to == lifecycle.EXPIRED and lifecycle.SYSTEM in who]  # fmt: skip
    result = session.execute(
        update(Match)
        .where(Match.status.in_(undecided))
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
    return result.rowcount


def agree_at_matchmarkt(
    session: Session,
    *,
    actor: Actor,
    need: Need,
    offer: Offer,
    partner_brings: str,
    initiative_brings: str,
    follow_up_on: date,
    value_eur: float | None,
) -> Match:
    """A deal confirmed by the notaris of a matchmarkt (services/matchmarkt_deals.py): both
    sides signed it in person, so the pair is agreed at once, whatever an earlier suggestion
    said; both sides are told and see each other's contact. The caller checks who may."""
    match = session.exec(
        select(Match).where(Match.need_id == need.id, Match.offer_id == offer.id)
    ).first()
    if match is None:
        match = Match(need_id=need.id, offer_id=offer.id, origin="matchmarkt", version=0)
    if match.status not in lifecycle.AGREED_ON or match.status == lifecycle.DONE:
        match.status = lifecycle.AGREED
    match.initiative_agreed = match.partner_agreed = True
    match.partner_brings = partner_brings[:500]
    match.initiative_brings = initiative_brings[:500]
    match.follow_up_on = follow_up_on
    match.value_eur = value_eur if value_eur is not None else estimate_value(need, offer)
    match.decided_by_id = actor.user_id
    match.version += 1
    match.updated_at = utcnow()
    session.add(match)
    session.flush()
    _update_need(session, need.id, match.status)
    record(session, user_id=actor.user_id, action="matchmarkt_deal", entity="match",
           entity_id=match.id)  # fmt: skip
    notify.match_event(session, match_id=match.id, event=notify.AGREED, actor=None)
    return match
