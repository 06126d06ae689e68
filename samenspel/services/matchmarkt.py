"""Matchmarkt events (docs/matchmarkt.md): a broker creates one and invites the organisations
of some neighbourhoods; they register with the needs they seek and the offers they bring and
may ask for or decline talks; the planner (matching/matchmarkt.py) makes the plan of talks,
which the broker can move and lock by hand.

The deals of the day are in services/matchmarkt_deals.py, the printed papers in
services/matchmarkt_print.py. Who may do what: the event's brokers (a broker of one of its
neighbourhoods, or an administrator) run it; an organisation speaks for itself."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import delete
from sqlmodel import Session, col, select

from samenspel.i18n import N_, t
from samenspel.matching import matchmarkt as planner
from samenspel.matching.csvformat import clean_text
from samenspel.matching.engine import Engine
from samenspel.matching.reasons import from_data, to_data
from samenspel.services import notify
from samenspel.services.audit import record
from samenspel.services.embeddings import semantic_for
from samenspel.services.errors import InvalidInput, NotAllowed, NotFound
from samenspel.services.permissions import Actor, require_role, require_signed_in
from samenspel.services.records import need_in, offer_in
from samenspel.storage.models import (
    Matchmarkt,
    MatchmarktCrew,
    MatchmarktParty,
    MatchmarktTalk,
    MatchmarktWish,
    Need,
    Offer,
    Organisation,
    User,
    join_multi,
    split_multi,
    utcnow,
)

INVITED, REGISTERED, DECLINED = "invited", "registered", "declined"
ASK, DECLINE = "ask", "decline"
MATCHMAKER, NOTARIS, BROKER = "matchmaker", "notaris", "broker"
CREW_ROLES = {MATCHMAKER: N_("matchmaker"), NOTARIS: N_("notaris")}
# The three corners of a beursvloer, and where each kind of help belongs.
CORNERS = {
    "hands": N_("Helpende handen"),
    "knowledge": N_("Kennis en kunde"),
    "means": N_("Middelen en materialen"),
}
CORNER_OF_KIND = {
    "volunteers": "hands",
    "expertise": "knowledge",
    "art": "knowledge",
    "venue": "means",
    "money": "means",
    "goods": "means",
}
LIMITS = {"rounds": (1, 12), "round_minutes": (5, 60), "tables": (1, 200)}
TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class EventForm:
    title: str
    held_on: date | None
    starts_at: str
    place: str
    rounds: int
    round_minutes: int
    tables: int
    areas: tuple[str, ...]


# --- who may do what ----------------------------------------------------------------------


def get_event(session: Session, matchmarkt_id: int) -> Matchmarkt:
    event = session.get(Matchmarkt, matchmarkt_id)
    if event is None:
        raise NotFound(t("Deze matchmarkt bestaat niet."))
    return event


def is_event_broker(actor: Actor, event: Matchmarkt) -> bool:
    """A broker of one of the event's neighbourhoods, or an administrator."""
    return actor.is_staff and any(actor.scope.covers(a) for a in split_multi(event.areas))


def crew_roles(session: Session, actor: Actor, event: Matchmarkt) -> frozenset[str]:
    """What the actor is at this event: broker, matchmaker, notaris (a broker is all three)."""
    if actor.user_id is None:
        return frozenset()
    if is_event_broker(actor, event):
        return frozenset({BROKER, MATCHMAKER, NOTARIS})
    rows = session.exec(
        select(MatchmarktCrew.role).where(
            MatchmarktCrew.matchmarkt_id == event.id, MatchmarktCrew.user_id == actor.user_id
        )
    ).all()
    return frozenset(rows)


def require_event_broker(actor: Actor, event: Matchmarkt) -> None:
    require_role(actor, "broker", "admin")
    if not is_event_broker(actor, event):
        raise NotAllowed(t("Deze matchmarkt is niet in jouw buurten."))


# --- the event ----------------------------------------------------------------------------


def _checked_form(actor: Actor, form: EventForm) -> EventForm:
    errors: dict[str, str] = {}
    title = clean_text(form.title).strip()
    if not title:
        errors["title"] = t("Geef de matchmarkt een naam.")
    if form.held_on is None:
        errors["held_on"] = t("Kies de datum.")
    starts_at = form.starts_at.strip()
    if not TIME.match(starts_at):
        errors["starts_at"] = t("Schrijf de begintijd als uu:mm, bijvoorbeeld 19:30.")
    for name, (low, high) in LIMITS.items():
        value = getattr(form, name)
        if not isinstance(value, int) or not low <= value <= high:
            errors[name] = t("Kies een getal van {low} tot en met {high}.", low=low, high=high)
    areas = tuple(sorted({a for a in form.areas if a}))
    if not areas:
        errors["areas"] = t("Kies minstens één buurt.")
    elif not all(actor.scope.covers(a) for a in areas):
        errors["areas"] = t("Je kunt alleen je eigen buurten uitnodigen.")
    if errors:
        raise InvalidInput(errors)
    return EventForm(title[:200], form.held_on, starts_at.zfill(5), clean_text(form.place).strip()[:200],
                     form.rounds, form.round_minutes, form.tables, areas)  # fmt: skip


def create_event(*, session: Session, actor: Actor, form: EventForm) -> Matchmarkt:
    require_role(actor, "broker", "admin")
    form = _checked_form(actor, form)
    event = Matchmarkt(
        title=form.title, held_on=form.held_on, starts_at=form.starts_at, place=form.place,
        rounds=form.rounds, round_minutes=form.round_minutes, tables=form.tables,
        areas=join_multi(form.areas), created_by_id=actor.user_id,
    )  # fmt: skip
    session.add(event)
    session.flush()
    record(session, user_id=actor.user_id, action="matchmarkt_create", entity="matchmarkt",
           entity_id=event.id)  # fmt: skip
    return event


def events_for(session: Session, actor: Actor) -> list[Matchmarkt]:
    """The events this person may see: staff those in their areas and those they crew; an
    organisation those it is invited to; newest first."""
    require_signed_in(actor)
    events = session.exec(select(Matchmarkt).order_by(col(Matchmarkt.held_on).desc())).all()
    crewed = set(session.exec(
        select(MatchmarktCrew.matchmarkt_id).where(MatchmarktCrew.user_id == actor.user_id)
    ).all())  # fmt: skip
    invited = set()
    if actor.organisation_id is not None:
        invited = set(session.exec(
            select(MatchmarktParty.matchmarkt_id).where(
                MatchmarktParty.organisation_id == actor.organisation_id)
        ).all())  # fmt: skip
    return [e for e in events if is_event_broker(actor, e) or e.id in crewed or e.id in invited]


def add_crew(*, session: Session, actor: Actor, matchmarkt_id: int, username: str,
             role: str) -> User:  # fmt: skip
    event = get_event(session, matchmarkt_id)
    require_event_broker(actor, event)
    if role not in CREW_ROLES:
        raise InvalidInput({"role": t("Kies matchmaker of notaris.")})
    user = session.exec(select(User).where(User.username == username.strip())).first()
    if user is None or not user.is_active:
        raise InvalidInput({"username": t("Er is geen account met deze gebruikersnaam.")})
    if session.get(MatchmarktCrew, (event.id, user.id, role)) is None:
        session.add(MatchmarktCrew(matchmarkt_id=event.id, user_id=user.id, role=role))
        record(session, user_id=actor.user_id, action="matchmarkt_crew", entity="matchmarkt",
               entity_id=event.id, detail=f"{role} {user.id}")  # fmt: skip
    return user


@dataclass(frozen=True)
class CrewMember:
    user_id: int
    name: str
    role: str


def crew(session: Session, matchmarkt_id: int) -> list[CrewMember]:
    rows = session.exec(
        select(MatchmarktCrew, User).join(User, MatchmarktCrew.user_id == User.id)
        .where(MatchmarktCrew.matchmarkt_id == matchmarkt_id)
        .order_by(User.username)
    ).all()  # fmt: skip
    return [CrewMember(u.id, u.display_name or u.username, c.role) for c, u in rows]


# --- invitations and registration ---------------------------------------------------------


def invite(*, session: Session, actor: Actor, matchmarkt_id: int) -> int:
    """Invite every approved organisation of the event's neighbourhoods not invited yet; each
    of their people is told. Returns how many organisations were invited."""
    event = get_event(session, matchmarkt_id)
    require_event_broker(actor, event)
    already = set(session.exec(
        select(MatchmarktParty.organisation_id).where(MatchmarktParty.matchmarkt_id == event.id)
    ).all())  # fmt: skip
    orgs = session.exec(
        select(Organisation).where(
            col(Organisation.neighbourhood).in_(split_multi(event.areas)),
            Organisation.approval == "approved",
        ).order_by(Organisation.name)
    ).all()  # fmt: skip
    new = [o for o in orgs if o.id not in already]
    params = {"event": event.title, "on": event.held_on.strftime("%d-%m-%Y"),
              "place": event.place or t("plek volgt"), "page": "matchmarkt"}  # fmt: skip
    for org in new:
        session.add(MatchmarktParty(matchmarkt_id=event.id, organisation_id=org.id))
        for user_id in notify.members(session, org.id):
            notify.notify(session, user_id=user_id, kind="matchmarkt_invite", params=params,
                          key=f"matchmarkt_invite:{event.id}:{user_id}")  # fmt: skip
    record(session, user_id=actor.user_id, action="matchmarkt_invite", entity="matchmarkt",
           entity_id=event.id, detail=str(len(new)))  # fmt: skip
    return len(new)


def _party(session: Session, event: Matchmarkt, organisation_id: int | None) -> MatchmarktParty:
    party = session.exec(
        select(MatchmarktParty).where(
            MatchmarktParty.matchmarkt_id == event.id,
            MatchmarktParty.organisation_id == organisation_id,
        )
    ).first()
    if party is None:
        raise NotAllowed(t("Jullie zijn niet uitgenodigd voor deze matchmarkt."))
    return party


def _speaks_for(actor: Actor, event: Matchmarkt, organisation_id: int) -> None:
    """An organisation's own people, or the event's broker (registering on someone's behalf)."""
    require_signed_in(actor)
    if actor.organisation_id != organisation_id and not is_event_broker(actor, event):
        raise NotAllowed(t("Dit is niet van jouw organisatie."))


def register(*, session: Session, actor: Actor, matchmarkt_id: int, organisation_id: int,
             need_ids: list[int], offer_ids: list[int], note: str = "") -> MatchmarktParty:  # fmt: skip
    """Register with what the organisation seeks (its open needs) and brings (its open offers);
    at least one of them, so the planner has something to talk about."""
    event = get_event(session, matchmarkt_id)
    _speaks_for(actor, event, organisation_id)
    party = _party(session, event, organisation_id)
    needs = _own_open(session, Need, organisation_id, need_ids)
    offers = _own_open(session, Offer, organisation_id, offer_ids)
    if not needs and not offers:
        raise InvalidInput({"posts": t(
            "Kies minstens één vraag of aanbod. Nog niets geplaatst? Doe dat eerst bij Plaatsen.")})  # fmt: skip
    party.status = REGISTERED
    party.need_ids = join_multi(str(i) for i in needs)
    party.offer_ids = join_multi(str(i) for i in offers)
    party.note = clean_text(note, multiline=True).strip()[:500]
    party.registered_at = utcnow()
    party.registered_by_id = actor.user_id
    session.add(party)
    record(session, user_id=actor.user_id, action="matchmarkt_register", entity="matchmarkt",
           entity_id=event.id, detail=f"organisation {organisation_id}")  # fmt: skip
    return party


def _own_open(session: Session, model, organisation_id: int, ids: list[int]) -> list[int]:
    if not ids:
        return []
    rows = session.exec(select(model.id, model.organisation_id, model.status)
                        .where(col(model.id).in_(ids))).all()  # fmt: skip
    if len(rows) != len(set(ids)) or any(org != organisation_id or status != "open"
                                         for _, org, status in rows):  # fmt: skip
        raise InvalidInput({"posts": t("Kies alleen open vragen en aanbod van jullie zelf.")})
    return sorted(i for i, _, _ in rows)


def decline_invitation(*, session: Session, actor: Actor, matchmarkt_id: int,
                       organisation_id: int) -> MatchmarktParty:  # fmt: skip
    event = get_event(session, matchmarkt_id)
    _speaks_for(actor, event, organisation_id)
    party = _party(session, event, organisation_id)
    party.status = DECLINED
    session.add(party)
    return party


def set_wishes(*, session: Session, actor: Actor, matchmarkt_id: int, organisation_id: int,
               ask: list[int], decline: list[int]) -> None:  # fmt: skip
    """Replace the organisation's wishes: talks it asks for, and talks it does not want."""
    event = get_event(session, matchmarkt_id)
    _speaks_for(actor, event, organisation_id)
    party = _party(session, event, organisation_id)
    if party.status != REGISTERED:
        raise InvalidInput({"wishes": t("Meld je eerst aan, dan kun je gesprekken vragen.")})
    if set(ask) & set(decline):
        raise InvalidInput({"wishes": t("Een organisatie kan niet bij allebei staan.")})
    others = set(_registered_orgs(session, event.id)) - {organisation_id}
    if not set(ask) | set(decline) <= others:
        raise InvalidInput({"wishes": t("Kies alleen organisaties die zich hebben aangemeld.")})
    session.execute(delete(MatchmarktWish).where(
        MatchmarktWish.matchmarkt_id == event.id, MatchmarktWish.organisation_id == organisation_id))  # fmt: skip
    for wish, ids in ((ASK, ask), (DECLINE, decline)):
        for other in sorted(set(ids)):
            session.add(MatchmarktWish(matchmarkt_id=event.id, organisation_id=organisation_id,
                                       other_id=other, wish=wish))  # fmt: skip


def _registered_orgs(session: Session, matchmarkt_id: int) -> list[int]:
    return list(session.exec(
        select(MatchmarktParty.organisation_id).where(
            MatchmarktParty.matchmarkt_id == matchmarkt_id, MatchmarktParty.status == REGISTERED)
    ).all())  # fmt: skip


# --- the plan of talks --------------------------------------------------------------------


def _key(organisation_id: int) -> str:
    return str(organisation_id)


def make_plan(*, session: Session, actor: Actor, matchmarkt_id: int,
              today: date | None = None) -> planner.Plan:  # fmt: skip
    """Plan the talks again: locked talks stay where they are, every other one is replaced by
    the planner's. The plan's and the greedy plan's figures are kept on the event."""
    event = get_event(session, matchmarkt_id)
    require_event_broker(actor, event)
    parties = session.exec(select(MatchmarktParty).where(
        MatchmarktParty.matchmarkt_id == event.id, MatchmarktParty.status == REGISTERED)).all()  # fmt: skip
    need_ids = [int(i) for p in parties for i in split_multi(p.need_ids)]
    offer_ids = [int(i) for p in parties for i in split_multi(p.offer_ids)]
    needs = session.exec(select(Need, Organisation).join(Organisation)
                         .where(col(Need.id).in_(need_ids), Need.status == "open")).all()  # fmt: skip
    offers = session.exec(select(Offer, Organisation).join(Organisation)
                          .where(col(Offer.id).in_(offer_ids), Offer.status == "open")).all()  # fmt: skip
    engine = Engine([offer_in(o, org) for o, org in offers], today=today or event.held_on,
                    semantic=semantic_for(session))  # fmt: skip
    # The planner's parties are organisations (by id: two may share a name).
    need_org = {str(n.id): org.id for n, org in needs}
    offer_org = {str(o.id): org.id for o, org in offers}
    found = planner.candidates_from([need_in(n, org) for n, org in needs], engine,
                                    planner.candidates_per_need(event.rounds))  # fmt: skip
    candidates = [replace(c, seeker=_key(need_org[c.need_id]), giver=_key(offer_org[c.offer_id]))
                  for c in found]  # fmt: skip
    locked = session.exec(select(MatchmarktTalk).where(
        MatchmarktTalk.matchmarkt_id == event.id, MatchmarktTalk.locked)).all()  # fmt: skip
    fixed = tuple(_fixed(session, talk) for talk in locked)
    wishes = session.exec(
        select(MatchmarktWish).where(MatchmarktWish.matchmarkt_id == event.id)
    ).all()
    plan_event = planner.Event(
        rounds=event.rounds,
        tables=event.tables,
        parties=tuple(_key(p.organisation_id) for p in parties),
        requested=frozenset(
            planner.pair_key(_key(w.organisation_id), _key(w.other_id))
            for w in wishes
            if w.wish == ASK
        ),  # fmt: skip
        declined=frozenset(
            planner.pair_key(_key(w.organisation_id), _key(w.other_id))
            for w in wishes
            if w.wish == DECLINE
        ),  # fmt: skip
        fixed=fixed,
    )
    try:
        plan = planner.plan_talks(candidates, plan_event)
    except planner.PlanError as exc:
        raise InvalidInput({"plan": str(exc)}) from None
    greedy = planner.greedy_plan(candidates, plan_event)
    session.execute(delete(MatchmarktTalk).where(
        MatchmarktTalk.matchmarkt_id == event.id, MatchmarktTalk.locked.is_(False)))  # fmt: skip
    for m in plan.meetings:
        if m.locked:
            continue
        c = m.candidate
        session.add(MatchmarktTalk(matchmarkt_id=event.id, round=m.round, table_no=m.table,
                                   need_id=int(c.need_id), offer_id=int(c.offer_id),
                                   score=c.score, reasons=to_data(c.reasons)))  # fmt: skip
    event.plan_summary = {"plan": plan.summary(), "greedy": greedy.summary()}
    event.planned_at = utcnow()
    session.add(event)
    record(session, user_id=actor.user_id, action="matchmarkt_plan", entity="matchmarkt",
           entity_id=event.id, detail=f"{len(plan.meetings)} talks")  # fmt: skip
    return plan


def _fixed(session: Session, talk: MatchmarktTalk) -> planner.Fixed:
    need = session.get(Need, talk.need_id)
    offer = session.get(Offer, talk.offer_id)
    candidate = planner.Candidate(str(talk.need_id), str(talk.offer_id), _key(need.organisation_id),
                                  _key(offer.organisation_id), talk.score,
                                  tuple(from_data(talk.reasons)))  # fmt: skip
    return planner.Fixed(candidate, talk.round, talk.table_no)


def move_talk(
    *, session: Session, actor: Actor, talk_id: int, round: int, table: int
) -> MatchmarktTalk:  # noqa: A002
    """Put a talk at another round and table, and lock it there. A talk already at that place
    changes places with it (and is locked too). Nobody gets two talks in one round."""
    talk = session.get(MatchmarktTalk, talk_id)
    if talk is None:
        raise NotFound(t("Dit gesprek bestaat niet."))
    event = get_event(session, talk.matchmarkt_id)
    require_event_broker(actor, event)
    if not (1 <= round <= event.rounds and 1 <= table <= event.tables):
        raise InvalidInput({"move": t("Kies een ronde van 1 tot en met {rounds} en een tafel van 1 tot en met {tables}.",
                                      rounds=event.rounds, tables=event.tables)})  # fmt: skip
    talks = session.exec(
        select(MatchmarktTalk).where(MatchmarktTalk.matchmarkt_id == event.id)
    ).all()
    other = next(
        (x for x in talks if x.round == round and x.table_no == table and x.id != talk.id), None
    )
    moved = {talk.id: (round, table)}
    if other is not None:
        moved[other.id] = (talk.round, talk.table_no)
    busy: dict[tuple[int, int], int] = {}  # (round, organisation) -> talk
    for x in talks:
        r = moved.get(x.id, (x.round, x.table_no))[0]
        for org in _orgs_of(session, x):
            if busy.setdefault((r, org), x.id) != x.id:
                name = session.get(Organisation, org).name
                raise InvalidInput({"move": t("{name} heeft in ronde {round} al een gesprek.",
                                              name=name, round=r)})  # fmt: skip
    # Two UPDATEs through a free place: the (round, table) pair is unique.
    for x in (talk, other):
        if x is not None:
            x.round, x.table_no = -x.id, -x.id
            session.add(x)
    session.flush()
    for x in (talk, other):
        if x is not None:
            x.round, x.table_no = moved[x.id]
            x.locked = True
            session.add(x)
    session.flush()
    record(session, user_id=actor.user_id, action="matchmarkt_move", entity="matchmarkt",
           entity_id=event.id, detail=f"talk {talk.id} -> {round}/{table}")  # fmt: skip
    return talk


def _orgs_of(session: Session, talk: MatchmarktTalk) -> tuple[int, int]:
    return (session.get(Need, talk.need_id).organisation_id,
            session.get(Offer, talk.offer_id).organisation_id)  # fmt: skip


def set_locked(*, session: Session, actor: Actor, talk_id: int, locked: bool) -> MatchmarktTalk:
    talk = session.get(MatchmarktTalk, talk_id)
    if talk is None:
        raise NotFound(t("Dit gesprek bestaat niet."))
    require_event_broker(actor, get_event(session, talk.matchmarkt_id))
    talk.locked = locked
    session.add(talk)
    return talk


# --- what the pages show ------------------------------------------------------------------


@dataclass(frozen=True)
class PartyRow:
    organisation_id: int
    name: str
    role: str  # initiative | partner
    neighbourhood: str
    status: str
    needs: tuple[tuple[int, str, str], ...]  # (id, title, kind)
    offers: tuple[tuple[int, str, str], ...]
    note: str


@dataclass(frozen=True)
class TalkRow:
    id: int
    round: int
    table: int
    need_id: int
    need: str
    seeker_id: int
    seeker: str
    offer_id: int
    offer: str
    giver_id: int
    giver: str
    kind: str
    score: float
    reasons: list
    locked: bool


def parties(session: Session, matchmarkt_id: int) -> list[PartyRow]:
    rows = session.exec(
        select(MatchmarktParty, Organisation)
        .join(Organisation, MatchmarktParty.organisation_id == Organisation.id)
        .where(MatchmarktParty.matchmarkt_id == matchmarkt_id)
        .order_by(Organisation.name)
    ).all()
    titles = {}
    ids = [int(i) for p, _ in rows for i in split_multi(p.need_ids)]
    titles["need"] = {n.id: (n.id, n.title, n.kind) for n in
                      session.exec(select(Need).where(col(Need.id).in_(ids))).all()}  # fmt: skip
    ids = [int(i) for p, _ in rows for i in split_multi(p.offer_ids)]
    titles["offer"] = {o.id: (o.id, o.title, o.kind) for o in
                       session.exec(select(Offer).where(col(Offer.id).in_(ids))).all()}  # fmt: skip
    return [
        PartyRow(
            org.id,
            org.name,
            org.role,
            org.neighbourhood,
            p.status,
            tuple(
                titles["need"][int(i)] for i in split_multi(p.need_ids) if int(i) in titles["need"]
            ),
            tuple(
                titles["offer"][int(i)]
                for i in split_multi(p.offer_ids)
                if int(i) in titles["offer"]
            ),
            p.note,
        )  # fmt: skip
        for p, org in rows
    ]


def talks(
    session: Session, matchmarkt_id: int, organisation_id: int | None = None
) -> list[TalkRow]:
    """The planned talks by round and table (only one organisation's when given)."""
    rows = session.exec(
        select(MatchmarktTalk, Need, Offer)
        .join(Need, MatchmarktTalk.need_id == Need.id)
        .join(Offer, MatchmarktTalk.offer_id == Offer.id)
        .where(MatchmarktTalk.matchmarkt_id == matchmarkt_id)
        .order_by(MatchmarktTalk.round, MatchmarktTalk.table_no)
    ).all()
    names = _names(
        session, {n.organisation_id for _, n, _ in rows} | {o.organisation_id for *_, o in rows}
    )
    out = [
        TalkRow(
            x.id,
            x.round,
            x.table_no,
            n.id,
            n.title,
            n.organisation_id,
            names[n.organisation_id],
            o.id,
            o.title,
            o.organisation_id,
            names[o.organisation_id],
            n.kind,
            x.score,
            x.reasons,
            x.locked,
        )  # fmt: skip
        for x, n, o in rows
    ]
    if organisation_id is not None:
        out = [r for r in out if organisation_id in (r.seeker_id, r.giver_id)]
    return out


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(Organisation.id, Organisation.name)
                             .where(col(Organisation.id).in_(ids))).all())  # fmt: skip


def wishes_of(session: Session, matchmarkt_id: int, organisation_id: int) -> dict[str, list[int]]:
    rows = session.exec(select(MatchmarktWish).where(
        MatchmarktWish.matchmarkt_id == matchmarkt_id,
        MatchmarktWish.organisation_id == organisation_id)).all()  # fmt: skip
    return {ASK: [w.other_id for w in rows if w.wish == ASK],
            DECLINE: [w.other_id for w in rows if w.wish == DECLINE]}  # fmt: skip


def own_open_posts(session: Session, organisation_id: int) -> dict[str, list[tuple[int, str]]]:
    """An organisation's open needs and offers, to register with."""
    needs = session.exec(select(Need.id, Need.title).where(
        Need.organisation_id == organisation_id, Need.status == "open").order_by(Need.title)).all()  # fmt: skip
    offers = session.exec(select(Offer.id, Offer.title).where(
        Offer.organisation_id == organisation_id, Offer.status == "open").order_by(Offer.title)).all()  # fmt: skip
    return {"needs": list(needs), "offers": list(offers)}


@dataclass(frozen=True)
class EventView:
    """One event as a page shows it to one person: what they may see of it, and what they are
    there (roles: broker, matchmaker, notaris; party: their organisation's registration)."""

    id: int
    title: str
    held_on: date
    starts_at: str
    place: str
    rounds: int
    round_minutes: int
    tables: int
    areas: tuple[str, ...]
    plan_summary: dict
    roles: frozenset[str]
    party: PartyRow | None
    parties: list[PartyRow]  # the event's broker: all; a registered party: the registered ones
    talks: list[TalkRow]  # the broker: all; a party: its own
    crew: list[CrewMember]


def overview(*, session: Session, actor: Actor, matchmarkt_id: int) -> EventView:
    require_signed_in(actor)
    event = get_event(session, matchmarkt_id)
    roles = crew_roles(session, actor, event)
    everyone = parties(session, event.id)
    own = next((p for p in everyone if p.organisation_id == actor.organisation_id), None)
    if not roles and own is None:
        raise NotAllowed(t("Jullie zijn niet uitgenodigd voor deze matchmarkt."))
    if BROKER in roles:
        shown, planned = everyone, talks(session, event.id)
    else:
        shown = [p for p in everyone if p.status == REGISTERED] if own or roles else []
        planned = talks(session, event.id, own.organisation_id) if own else []
    return EventView(
        event.id, event.title, event.held_on, event.starts_at, event.place, event.rounds,
        event.round_minutes, event.tables, tuple(split_multi(event.areas)), dict(event.plan_summary),
        roles, own, shown, planned, crew(session, event.id) if BROKER in roles else [],
    )  # fmt: skip


@dataclass(frozen=True)
class EventLine:
    id: int
    title: str
    held_on: date
    place: str


def event_lines(*, session: Session, actor: Actor) -> list[EventLine]:
    return [EventLine(e.id, e.title, e.held_on, e.place) for e in events_for(session, actor)]


def own_posts(
    *, session: Session, actor: Actor, matchmarkt_id: int
) -> dict[str, list[tuple[int, str]]]:
    """What the actor's organisation can register with at this event."""
    event = get_event(session, matchmarkt_id)
    party = _party(session, event, actor.organisation_id)
    return own_open_posts(session, party.organisation_id)


def own_wishes(*, session: Session, actor: Actor, matchmarkt_id: int) -> dict[str, list[int]]:
    event = get_event(session, matchmarkt_id)
    party = _party(session, event, actor.organisation_id)
    return wishes_of(session, event.id, party.organisation_id)


def party_posts(*, session: Session, actor: Actor, matchmarkt_id: int,
                organisation_id: int) -> dict[str, list[tuple[int, str]]]:  # fmt: skip
    """An invited organisation's open posts, for the event's broker registering it (many
    organisations have no account of their own)."""
    event = get_event(session, matchmarkt_id)
    require_event_broker(actor, event)
    party = _party(session, event, organisation_id)
    return own_open_posts(session, party.organisation_id)
