"""Stored suggestions: the engine's output kept as Match rows with status "suggested".

Recomputed for just the need or offer that was added or changed,
never for the whole city on a page load. Matches a broker already acted on are left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

import pandas as pd
from sqlmodel import Session, col, delete, insert, select

from samenspel import settings
from samenspel.matching.engine import Engine
from samenspel.matching.geo import haversine_km
from samenspel.matching.reasons import to_data
from samenspel.matching.types import NeedIn, NeedSuggestions, OfferIn, Suggestion
from samenspel.services import notify
from samenspel.services.embeddings import semantic_for
from samenspel.services.records import need_in, offer_in  # how a row becomes engine input
from samenspel.services.scope import AreaScope
from samenspel.storage.models import Match, Need, Offer, Organisation

# Statuses where an offer counts as committed (partner load in the score).
COMMITTED = ("agreed", "active")


def partner_loads(session: Session) -> dict[int, int]:
    """How many partnerships each offer is committed to (the load in the score)."""
    loads: dict[int, int] = {}
    for offer_id in session.exec(select(Match.offer_id).where(col(Match.status).in_(COMMITTED))):
        if offer_id is not None:
            loads[offer_id] = loads.get(offer_id, 0) + 1
    return loads


def open_offers(
    session: Session, kind: str | None = None, loads: dict[int, int] | None = None
) -> list[OfferIn]:
    query = select(Offer, Organisation).join(Organisation).where(Offer.status == "open")
    if kind:
        query = query.where(Offer.kind == kind)
    loads = partner_loads(session) if loads is None else loads
    return [offer_in(o, org, loads.get(o.id, 0)) for o, org in session.exec(query)]


def open_needs(session: Session, kind: str | None = None) -> list[NeedIn]:
    query = select(Need, Organisation).join(Organisation).where(Need.status == "open")
    if kind:
        query = query.where(Need.kind == kind)
    return [need_in(n, org) for n, org in session.exec(query)]


# Pairs someone already touched (a broker decided, a partner offered help, a side asked for
# it, the initiative said "Past niet") are kept, and never suggested twice.
UNTOUCHED = (Match.status == "suggested") & (Match.origin == "engine") & (Match.asked_sides == 0)
STORE_CHUNK = 400  # needs per round of queries (SQLite allows a limited number of parameters)


def _store(session: Session, need_id: int, suggestions: Iterable[Suggestion]) -> int:
    """Replace the untouched suggestions of one need by fresh ones."""
    return _store_all(session, [NeedSuggestions(str(need_id), list(suggestions))])


def _store_all(session: Session, results: Iterable[NeedSuggestions]) -> int:
    """Replace the untouched suggestions of these needs by fresh ones: per few hundred needs
    one query for the pairs they have, one delete and one bulk insert (an import stores
    thousands; one round of queries per need was a third of its time). Returns how many
    were stored."""
    results = list(results)
    stored = 0
    for start in range(0, len(results), STORE_CHUNK):
        chunk = results[start : start + STORE_CHUNK]
        ids = [int(result.need_id) for result in chunk]
        pairs = session.exec(
            select(Match.need_id, Match.offer_id, UNTOUCHED).where(col(Match.need_id).in_(ids))
        ).all()
        acted_on = {(need, offer) for need, offer, still in pairs if not still}
        # The pairs stored before: storing one again is no news (services/notify.py).
        stored_before = {(need, offer) for need, offer, still in pairs if still}
        session.exec(
            delete(Match)
            .where(col(Match.need_id).in_(ids), UNTOUCHED, col(Match.offer_id).is_not(None))
            # "fetch": the deleted rows' ids come back and just those leave the session
            # (the default looks through every object the session holds: an import holds
            # thousands, and each chunk's delete then grew with the import).
            .execution_options(synchronize_session="fetch")
        )
        rows, news = [], []
        for result in chunk:
            need_id, new = int(result.need_id), []
            for s in result.suggestions:
                pair = (need_id, int(s.offer_id))
                if pair in acted_on:
                    continue
                if pair not in stored_before:
                    new.append(pair[1])
                rows.append({
                    "need_id": need_id, "offer_id": pair[1], "score": s.score,
                    "components": s.components,
                    "reasons": to_data(s.reasons),  # codes: written out in each reader's language
                    "tie": s.tie, "status": "suggested",
                })  # fmt: skip
            news.append((need_id, new))
        if rows:
            session.execute(insert(Match), rows)
        for need_id, new in news:
            notify.new_pairs(session, need_id=need_id, offer_ids=new)
        stored += len(rows)
    return stored


def refresh_for_need(session: Session, need_id: int, *, today: date | None = None) -> int:
    """Recompute one need's suggestions against the open offers of its kind."""
    need, org = session.exec(
        select(Need, Organisation).join(Organisation).where(Need.id == need_id)
    ).one()
    if need.status != "open":
        return 0
    engine = Engine(open_offers(session, need.kind), today=today, semantic=semantic_for(session))
    return _store(session, need_id, engine.suggest_for_need(need_in(need, org), settings.top_k()))


def can_reach(need: NeedIn, offer: OfferIn) -> bool:
    """Whether distance alone allows the pair (unknown places never rule a pair out)."""
    if None in (need.lat, need.lon, offer.lat, offer.lon):
        return True
    km = haversine_km(need.lat, need.lon, offer.lat, offer.lon)
    return (need.max_distance_km is None or km <= need.max_distance_km) and (
        offer.radius_km is None or km <= offer.radius_km
    )


def refresh_for_offer(session: Session, offer_id: int, *, today: date | None = None) -> int:
    """A new or changed offer: re-rank only the needs it can reach, and the needs that had
    it suggested (it may have dropped out). Other needs and other kinds are untouched."""
    offer = session.get(Offer, offer_id)
    target = offer_in(offer, session.get(Organisation, offer.organisation_id))
    had_it = set(
        session.exec(
            select(Match.need_id).where(Match.offer_id == offer_id, Match.status == "suggested")
        )
    )
    affected = [
        n for n in open_needs(session, offer.kind) if int(n.id) in had_it or can_reach(n, target)
    ]
    engine = Engine(open_offers(session, offer.kind), today=today, semantic=semantic_for(session))
    _store_all(session, engine.suggest(affected, settings.top_k()))
    return len(affected)


def refresh_all(session: Session, *, today: date | None = None) -> int:
    """Every open need; used by the seed and by maintenance, never by a page."""
    engine = Engine(open_offers(session), today=today, semantic=semantic_for(session))
    return _store_all(session, engine.suggest(open_needs(session), settings.top_k()))


def refresh_needs(
    session: Session,
    needs: list[NeedIn],
    *,
    today: date | None = None,
    progress: Callable[[float], None] = lambda _done: None,
) -> None:
    """Fresh suggestions for many needs at once (an import), against every open offer, a few
    hundred needs at a time; `progress` hears the share done after each."""
    engine = Engine(open_offers(session), today=today, semantic=semantic_for(session))
    for start in range(0, len(needs), STORE_CHUNK):
        _store_all(session, engine.suggest(needs[start : start + STORE_CHUNK], settings.top_k()))
        progress(min(1.0, (start + STORE_CHUNK) / len(needs)))


def why_not(session: Session, *, need_id: int, offer_id: int, today: date | None = None):
    """ "Waarom niet?": the components of one pair, or the reason it is excluded."""
    need, org = session.exec(
        select(Need, Organisation).join(Organisation).where(Need.id == need_id)
    ).one()
    offers = open_offers(session, need.kind)
    if str(offer_id) not in {o.id for o in offers}:
        offer = session.get(Offer, offer_id)
        offer_org = session.get(Organisation, offer.organisation_id)
        offers.append(offer_in(offer, offer_org))
    engine = Engine(offers, today=today, semantic=semantic_for(session))
    return engine.explain(need_in(need, org), str(offer_id))


def recommended_plan(session: Session, *, scope: AreaScope) -> pd.DataFrame:
    """The stored suggestions in `scope` (services/scope.py) turned into one recommended plan:
    each need one offer, no offer beyond its capacity, a venue slot to one initiative, the
    highest total score (matching.allocation, min-cost flow, scipy HiGHS)."""
    from samenspel.i18n import language
    from samenspel.matching.allocation import allocate
    from samenspel.matching.slots import format_slot
    from samenspel.matching.types import Suggestion
    from samenspel.services.scope import in_scope

    query = (
        select(Match, Need, Organisation)
        .join(Need, Match.need_id == Need.id)
        .join(Organisation, Need.organisation_id == Organisation.id)
        .where(Match.status == "suggested", Need.status == "open", col(Match.offer_id).is_not(None))
    )
    query = query.where(in_scope(col(Organisation.neighbourhood), scope))
    rows = session.exec(query).all()
    needs = {str(need.id): (need_in(need, org), need, org) for _, need, org in rows}
    offer_ids = {match.offer_id for match, _, _ in rows}
    offers = {
        str(offer.id): (offer_in(offer, org), offer, org)
        for offer, org in session.exec(select(Offer, Organisation).join(Organisation).where(col(Offer.id).in_(offer_ids)))
    }  # fmt: skip
    suggestions = [
        Suggestion(str(m.need_id), str(m.offer_id), m.score, {}, [], m.tie) for m, _, _ in rows if str(m.offer_id) in offers
    ]  # fmt: skip
    plan = allocate([n[0] for n in needs.values()], [o[0] for o in offers.values()], suggestions)
    result = []
    for a in sorted(plan, key=lambda a: -a.score):
        _, need, need_org = needs[a.need_id]
        _, offer, offer_org = offers[a.offer_id]
        slot = format_slot(a.slot, language()) if a.slot else ""
        result.append(
            (need_org.name, need.title, offer_org.name, offer.title, slot, round(a.score, 2))
        )
    return pd.DataFrame(result, columns=["initiative", "need", "partner", "offer", "slot", "score"])
