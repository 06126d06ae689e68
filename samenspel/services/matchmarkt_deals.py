"""The matchmarkt's day and after (docs/matchmarkt.md): a matchmaker records a deal in a few
taps, the notaris confirms it and it becomes an agreed partnership; "partij B" (the side that
gives) is asked to make contact within two weeks and reminded when it has not; the follow-up
after the agreed date is the partnerships' own ("Is het gelukt?", services/notify.py); the
report counts deals per corner and neighbourhood next to the national figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from samenspel.i18n import t
from samenspel.matching.csvformat import clean_text
from samenspel.services import lifecycle, matches, notify
from samenspel.services.audit import record
from samenspel.services.errors import InvalidInput, NotAllowed, NotFound
from samenspel.services.matchmarkt import (
    CORNER_OF_KIND,
    CORNERS,
    MATCHMAKER,
    NOTARIS,
    REGISTERED,
    crew_roles,
    get_event,
    require_event_broker,
)
from samenspel.services.permissions import Actor, require_signed_in
from samenspel.storage.models import (
    ConversationMessage,
    Match,
    Matchmarkt,
    MatchmarktDeal,
    MatchmarktParty,
    Need,
    Notification,
    Offer,
    Organisation,
    User,
    split_multi,
    utcnow,
)

CONTACT_DAYS = 14  # "partij B neemt binnen twee weken contact op"
REMIND_AFTER_DAYS = 10  # no message from partij B by then: a reminder
# The Maatschappelijke Beursvloer nationally (docs/matchmarkt.md): deals per event on
# average and at the best ones, and the share carried out within a year.
NATIONAL = {"deals_per_event": 88, "best_deals": (190, 263), "carried_out": 0.80}


@dataclass(frozen=True)
class DealForm:
    need_id: int | None
    offer_id: int | None
    what: str
    in_return: str
    due_on: date | None
    corner: str = ""  # empty: from the kind of the need
    value_eur: float | None = None


def _registered_posts(session: Session, event: Matchmarkt) -> tuple[set[int], set[int]]:
    parties = session.exec(select(MatchmarktParty).where(
        MatchmarktParty.matchmarkt_id == event.id, MatchmarktParty.status == REGISTERED)).all()  # fmt: skip
    return ({int(i) for p in parties for i in split_multi(p.need_ids)},
            {int(i) for p in parties for i in split_multi(p.offer_ids)})  # fmt: skip


def record_deal(
    *, session: Session, actor: Actor, matchmarkt_id: int, form: DealForm
) -> MatchmarktDeal:
    """A matchmaker (or the event's broker) writes down a deal between a need and an offer
    brought to the event. It counts once the notaris confirms it."""
    event = get_event(session, matchmarkt_id)
    require_signed_in(actor)
    if MATCHMAKER not in crew_roles(session, actor, event):
        raise NotAllowed(
            t("Alleen de makelaars en matchmakers van deze matchmarkt schrijven deals op.")
        )
    need_ids, offer_ids = _registered_posts(session, event)
    errors: dict[str, str] = {}
    need = session.get(Need, form.need_id) if form.need_id in need_ids else None
    offer = session.get(Offer, form.offer_id) if form.offer_id in offer_ids else None
    if need is None:
        errors["need_id"] = t("Kies de vraag van een organisatie die meedoet.")
    if offer is None:
        errors["offer_id"] = t("Kies het aanbod van een organisatie die meedoet.")
    if need is not None and offer is not None and need.organisation_id == offer.organisation_id:
        errors["offer_id"] = t("Een deal is tussen twee verschillende organisaties.")
    what = clean_text(form.what, multiline=True).strip()
    if not what:
        errors["what"] = t("Schrijf op wat er gegeven wordt.")
    if form.due_on is None or form.due_on < event.held_on:
        errors["due_on"] = t("Kies een datum op of na de dag van de matchmarkt.")
    corner = form.corner or (CORNER_OF_KIND.get(need.kind, "means") if need else "")
    if corner not in CORNERS:
        errors["corner"] = t("Kies een hoek.")
    if form.value_eur is not None and not 0 <= form.value_eur <= 1_000_000:
        errors["value_eur"] = t("Kies een bedrag van 0 tot 1.000.000 euro.")
    if errors:
        raise InvalidInput(errors)
    deal = MatchmarktDeal(
        matchmarkt_id=event.id, need_id=need.id, offer_id=offer.id, what=what[:500],
        in_return=clean_text(form.in_return, multiline=True).strip()[:500], due_on=form.due_on,
        corner=corner, value_eur=form.value_eur, recorded_by_id=actor.user_id,
    )  # fmt: skip
    session.add(deal)
    session.flush()
    record(session, user_id=actor.user_id, action="matchmarkt_deal_recorded", entity="matchmarkt",
           entity_id=event.id, detail=f"deal {deal.id}")  # fmt: skip
    return deal


def confirm_deal(
    *, session: Session, actor: Actor, deal_id: int, today: date | None = None
) -> Match:
    """The notaris (or the event's broker) confirms a deal: it becomes an agreed partnership,
    followed up on its date, and partij B is asked to make contact within two weeks."""
    deal = session.get(MatchmarktDeal, deal_id)
    if deal is None:
        raise NotFound(t("Deze deal bestaat niet."))
    event = get_event(session, deal.matchmarkt_id)
    require_signed_in(actor)
    if NOTARIS not in crew_roles(session, actor, event):
        raise NotAllowed(t("Alleen de notaris of de makelaar van deze matchmarkt bevestigt deals."))
    if deal.confirmed_at is not None:
        raise InvalidInput({"deal": t("Deze deal is al bevestigd.")})
    need, offer = session.get(Need, deal.need_id), session.get(Offer, deal.offer_id)
    match = matches.agree_at_matchmarkt(
        session, actor=actor, need=need, offer=offer, partner_brings=deal.what,
        initiative_brings=deal.in_return, follow_up_on=deal.due_on, value_eur=deal.value_eur,
    )  # fmt: skip
    deal.confirmed_by_id = actor.user_id
    deal.confirmed_at = utcnow()
    deal.match_id = match.id
    session.add(deal)
    _ask_partij_b(session, deal, need, offer, today or date.today(), reminder=False)
    return match


def _ask_partij_b(session: Session, deal: MatchmarktDeal, need: Need, offer: Offer, today: date,
                  *, reminder: bool) -> int:  # fmt: skip
    """Tell the giving side's people to contact the asking side (once, and once more as a
    reminder), with the date by which."""
    seeker = session.get(Organisation, need.organisation_id)
    by = (deal.confirmed_at.date() if deal.confirmed_at else today) + timedelta(days=CONTACT_DAYS)
    params = {"need": need.title, "offer": offer.title, "other": seeker.name,
              "by": by.isoformat(), "deal_id": deal.id, "page": "partnerships"}  # fmt: skip
    kind = "matchmarkt_reminder" if reminder else "matchmarkt_contact"
    told = 0
    for user_id in notify.members(session, offer.organisation_id):
        told += notify.notify(session, user_id=user_id, kind=kind, params=params,
                              match_id=deal.match_id, key=f"{kind}:{deal.id}:{user_id}") is not None  # fmt: skip
    return told


def contact_reminders(session: Session, *, today: date) -> int:
    """Partij B has not written in the partnership's conversation ten days after the deal:
    a reminder, once per deal (the periodic job runs this)."""
    since = utcnow() - timedelta(days=CONTACT_DAYS + 7)
    due = session.exec(select(MatchmarktDeal).where(
        col(MatchmarktDeal.confirmed_at).is_not(None), MatchmarktDeal.confirmed_at >= since)).all()  # fmt: skip
    reminded = {params.get("deal_id") for params in session.exec(
        select(Notification.params).where(Notification.kind == "matchmarkt_reminder")).all()}  # fmt: skip
    told = 0
    for deal in due:
        if (today - deal.confirmed_at.date()).days < REMIND_AFTER_DAYS:
            continue
        offer = session.get(Offer, deal.offer_id)
        wrote = session.exec(
            select(ConversationMessage.id).join(User, ConversationMessage.author_id == User.id)
            .where(ConversationMessage.match_id == deal.match_id,
                   User.organisation_id == offer.organisation_id)
        ).first()  # fmt: skip
        if wrote is not None or deal.id in reminded:
            continue
        told += _ask_partij_b(session, deal, session.get(Need, deal.need_id), offer, today,
                              reminder=True)  # fmt: skip
    return told


@dataclass(frozen=True)
class DealRow:
    id: int
    need: str
    seeker: str
    offer: str
    giver: str
    what: str
    in_return: str
    due_on: date
    corner: str
    value_eur: float | None
    confirmed: bool
    match_status: str


def deals(session: Session, matchmarkt_id: int) -> list[DealRow]:
    rows = session.exec(
        select(MatchmarktDeal, Need, Offer)
        .join(Need, MatchmarktDeal.need_id == Need.id)
        .join(Offer, MatchmarktDeal.offer_id == Offer.id)
        .where(MatchmarktDeal.matchmarkt_id == matchmarkt_id)
        .order_by(col(MatchmarktDeal.recorded_at).desc())
    ).all()
    statuses = dict(session.exec(select(Match.id, Match.status).where(
        col(Match.id).in_([d.match_id for d, *_ in rows if d.match_id]))).all())  # fmt: skip
    names = dict(session.exec(select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(
        {n.organisation_id for _, n, _ in rows} | {o.organisation_id for *_, o in rows}))).all())  # fmt: skip
    return [
        DealRow(
            d.id,
            n.title,
            names[n.organisation_id],
            o.title,
            names[o.organisation_id],
            d.what,
            d.in_return,
            d.due_on,
            d.corner,
            d.value_eur,
            d.confirmed_at is not None,
            statuses.get(d.match_id, ""),
        )  # fmt: skip
        for d, n, o in rows
    ]


@dataclass(frozen=True)
class DealCount:
    title: str
    confirmed: int
    waiting: int
    per_corner: dict[str, int]


def counter(session: Session, matchmarkt_id: int) -> DealCount:
    """The wall's counter: open to anyone with the link (only numbers and the event's name)."""
    event = get_event(session, matchmarkt_id)
    rows = session.exec(select(MatchmarktDeal.corner, MatchmarktDeal.confirmed_at)
                        .where(MatchmarktDeal.matchmarkt_id == event.id)).all()  # fmt: skip
    confirmed = Counter(corner for corner, at in rows if at is not None)
    return DealCount(event.title, sum(confirmed.values()), sum(at is None for _, at in rows),
                    {c: confirmed.get(c, 0) for c in CORNERS})  # fmt: skip


@dataclass(frozen=True)
class Report:
    deals: int
    per_corner: dict[str, int]
    per_neighbourhood: dict[str, int]
    value_eur: float
    carried_out: int  # running or done
    answered: int  # carried out, or ended without it
    national: dict


def report(*, session: Session, actor: Actor, matchmarkt_id: int) -> Report:
    event = get_event(session, matchmarkt_id)
    require_event_broker(actor, event)
    rows = session.exec(
        select(MatchmarktDeal, Match, Organisation)
        .join(Match, MatchmarktDeal.match_id == Match.id)
        .join(Need, MatchmarktDeal.need_id == Need.id)
        .join(Organisation, Need.organisation_id == Organisation.id)
        .where(MatchmarktDeal.matchmarkt_id == event.id)
    ).all()
    corners = Counter(d.corner for d, _, _ in rows)
    carried = sum(m.status in (lifecycle.ACTIVE, lifecycle.DONE) for _, m, _ in rows)
    return Report(
        deals=len(rows),
        per_corner={c: corners.get(c, 0) for c in CORNERS},
        per_neighbourhood=dict(sorted(Counter(o.neighbourhood or "-" for *_, o in rows).items())),
        value_eur=round(sum(m.value_eur or 0 for _, m, _ in rows), 2),
        carried_out=carried,
        answered=carried
        + sum(m.status in (lifecycle.DECLINED, lifecycle.EXPIRED) for _, m, _ in rows),
        national=NATIONAL,
    )


def day_deals(*, session: Session, actor: Actor, matchmarkt_id: int) -> list[DealRow]:
    """The deals of the day, for the event's brokers, matchmakers and notaris."""
    event = get_event(session, matchmarkt_id)
    require_signed_in(actor)
    if not crew_roles(session, actor, event):
        raise NotAllowed(
            t("Alleen de makelaars en matchmakers van deze matchmarkt schrijven deals op.")
        )
    return deals(session, event.id)
