"""Reads for pages: plain DataFrames, never ORM objects (pages cache them with st.cache_data).

Privacy lives here, not in the pages: informal initiatives are often someone's home, so their
points are moved to the centre of their neighbourhood, and no contact detail is ever selected.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from samenspel.i18n import language
from samenspel.services.places import public_location
from samenspel.storage.models import KINDS, Match, Need, Offer, Organisation

POINT_COLUMNS = [
    "type", "id", "kind", "title", "organisation", "neighbourhood", "status", "lat", "lon",
    "blurred", "conditions",
]  # fmt: skip


def map_points(
    session: Session, *, exact_areas: tuple[str, ...] = (), include_closed: bool = False
) -> pd.DataFrame:
    """Needs and offers as points a viewer may see (see public_location)."""
    rows = []
    for table, point_type in ((Need, "need"), (Offer, "offer")):
        query = select(table, Organisation).join(Organisation)
        if not include_closed:  # matched needs stay visible: they show what the city achieved
            query = query.where(table.status.in_(("open", "matched")))
        for post, org in session.exec(query):
            lat, lon, blurred = public_location(org, post.lat, post.lon, exact_areas)
            rows.append((point_type, post.id, post.kind, post.title, org.name, org.neighbourhood,
                         post.status, lat, lon, blurred, post.conditions))  # fmt: skip
    frame = pd.DataFrame(rows, columns=POINT_COLUMNS)
    return frame.dropna(subset=["lat", "lon"]).reset_index(drop=True)


def filter_points(
    points: pd.DataFrame,
    *,
    kinds=(),
    neighbourhoods=(),
    conditions=(),
    statuses=(),
    types=(),
    text="",
) -> pd.DataFrame:
    """The map's filters, applied to a points frame (pure: the page caches the frame)."""
    keep = pd.Series(True, index=points.index)
    if kinds:
        keep &= points["kind"].isin(kinds)
    if neighbourhoods:
        keep &= points["neighbourhood"].isin(neighbourhoods)
    if statuses:
        keep &= points["status"].isin(statuses)
    if types:
        keep &= points["type"].isin(types)
    if conditions:
        wanted = set(conditions)
        keep &= (
            points["conditions"].fillna("").map(lambda value: bool(wanted & set(value.split(";"))))
        )
    if text.strip():
        needle = text.strip().lower()
        in_title = points["title"].str.lower().str.contains(needle, regex=False)
        in_org = points["organisation"].str.lower().str.contains(needle, regex=False)
        keep &= in_title | in_org
    return points[keep]


@dataclass(frozen=True)
class PointCard:
    """What anyone may read about a need or an offer: never contact details."""

    type: str
    id: int
    kind: str
    title: str
    description: str
    organisation: str
    organisation_id: int
    partner_type: str
    neighbourhood: str
    status: str
    when: str
    people: int | None
    amount: str


def point_card(session: Session, point_type: str, point_id: int) -> PointCard | None:
    table = Need if point_type == "need" else Offer
    row = session.exec(
        select(table, Organisation).join(Organisation).where(table.id == point_id)
    ).first()
    if row is None:
        return None
    post, org = row
    if point_type == "need":
        people, amount = post.people, f"{post.amount_eur:,.0f}" if post.amount_eur else ""
    else:
        people, low, high = post.capacity, post.amount_min_eur, post.amount_max_eur
        amount = f"{low or 0:,.0f} - {high:,.0f}" if high else ""
    return PointCard(
        point_type, post.id, post.kind, post.title, post.description, org.name, org.id,
        org.partner_type, org.neighbourhood, post.status, post.slots, people, amount.replace(",", "."),
    )  # fmt: skip


def partnership_lines(
    session: Session, *, exact_areas: tuple[str, ...] = (), staff: bool = False
) -> list[tuple[tuple[float, float], tuple[float, float], str]]:
    """Lines between the two sides of introduced, agreed and active partnerships."""
    query, _, _ = _match_query()
    # The public sees a partnership once both sides said yes; staff also see introductions.
    statuses = ("introduced", "agreed", "active") if staff else ("agreed", "active")
    query = query.where(Match.status.in_(statuses))
    lines = []
    for _match, need, n_org, offer, o_org in session.exec(query):
        a_lat, a_lon, _ = public_location(n_org, need.lat, need.lon, exact_areas)
        b_lat, b_lon, _ = public_location(o_org, offer.lat, offer.lon, exact_areas)
        if None not in (a_lat, a_lon, b_lat, b_lon):
            lines.append(((a_lat, a_lon), (b_lat, b_lon), f"{n_org.name} - {o_org.name}"))
    return lines


def counts_per_kind(session: Session) -> pd.DataFrame:
    needs = dict(
        session.exec(
            select(Need.kind, func.count()).where(Need.status == "open").group_by(Need.kind)
        ).all()
    )
    offers = dict(
        session.exec(
            select(Offer.kind, func.count()).where(Offer.status == "open").group_by(Offer.kind)
        ).all()
    )
    return pd.DataFrame(
        {
            "kind": list(KINDS),
            "needs": [needs.get(k, 0) for k in KINDS],
            "offers": [offers.get(k, 0) for k in KINDS],
        }
    )


MATCH_COLUMNS = [
    "match_id",
    "version",
    "status",
    "score",
    "tie",
    "reasons",
    "need_id",
    "need_title",
    "need_kind",
    "initiative",
    "neighbourhood",
    "offer_id",
    "offer_title",
    "partner",
    "initiative_agreed",
    "partner_agreed",
    "follow_up_on",
    "value_eur",
    "created_at",
    "decision_reason",
]


def _match_rows(session: Session, query) -> pd.DataFrame:
    english = language() == "en"  # reasons are stored in Dutch and in English
    rows = []
    for match, need, need_org, offer, offer_org in session.exec(query):
        rows.append(
            (
                match.id,
                match.version,
                match.status,
                match.score,
                match.tie,
                list(match.reasons_en if english and match.reasons_en else match.reasons),
                need.id,
                need.title,
                need.kind,
                need_org.name,
                need_org.neighbourhood,
                offer.id if offer else None,
                offer.title if offer else "",
                offer_org.name if offer_org else "",
                match.initiative_agreed,
                match.partner_agreed,
                match.follow_up_on,
                match.value_eur,
                match.created_at,
                match.decision_reason,
            )
        )
    return pd.DataFrame(rows, columns=MATCH_COLUMNS)


def _match_query():
    from sqlalchemy.orm import aliased

    need_org, offer_org = aliased(Organisation), aliased(Organisation)
    query = (
        select(Match, Need, need_org, Offer, offer_org)
        .join(Need, Match.need_id == Need.id)
        .join(need_org, Need.organisation_id == need_org.id)
        .join(Offer, Match.offer_id == Offer.id)
        .join(offer_org, Offer.organisation_id == offer_org.id)
    )
    return query, need_org, offer_org


def review_queue(
    session: Session,
    *,
    areas: tuple[str, ...] = (),
    kind: str = "",
    neighbourhood: str = "",
    status: str = "suggested",
    page: int = 1,
    per_page: int = 25,
) -> tuple[pd.DataFrame, int]:
    """One page of suggestions for a broker, best score first, then oldest first; and how
    many there are in all."""
    query, need_org, _ = _match_query()
    query = query.where(Match.status == status)
    if areas:
        query = query.where(need_org.neighbourhood.in_(areas))
    if kind:
        query = query.where(Need.kind == kind)
    if neighbourhood:
        query = query.where(need_org.neighbourhood == neighbourhood)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    query = query.order_by(Match.score.desc(), Match.created_at.asc(), Match.id)
    return _match_rows(session, query.offset((max(1, page) - 1) * per_page).limit(per_page)), total


def matches_of_organisation(session: Session, organisation_id: int) -> pd.DataFrame:
    """Every match where this organisation is one of the two sides."""
    query, need_org, offer_org = _match_query()
    query = query.where((need_org.id == organisation_id) | (offer_org.id == organisation_id))
    return _match_rows(session, query.order_by(Match.score.desc()))


def partnerships(
    session: Session, *, areas: tuple[str, ...] = (), organisation_id: int | None = None
) -> pd.DataFrame:
    """Introductions and partnerships under way, for follow-up."""
    query, need_org, offer_org = _match_query()
    query = query.where(Match.status.in_(("introduced", "agreed", "active", "done")))
    if organisation_id is not None:
        query = query.where((need_org.id == organisation_id) | (offer_org.id == organisation_id))
    elif areas:
        query = query.where(need_org.neighbourhood.in_(areas))
    return _match_rows(session, query.order_by(Match.follow_up_on.asc()))


def own_posts(session: Session, organisation_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    needs = [
        (n.id, n.kind, n.title, n.status, n.created_at)
        for n in session.exec(
            select(Need).where(Need.organisation_id == organisation_id).order_by(Need.id.desc())
        )
    ]
    offers = [
        (o.id, o.kind, o.title, o.status, o.created_at)
        for o in session.exec(
            select(Offer).where(Offer.organisation_id == organisation_id).order_by(Offer.id.desc())
        )
    ]
    columns = ["id", "kind", "title", "status", "created_at"]
    return pd.DataFrame(needs, columns=columns), pd.DataFrame(offers, columns=columns)


def organisations(session: Session, role: str | None = None) -> pd.DataFrame:
    query = select(Organisation).order_by(Organisation.name)
    if role:
        query = query.where(Organisation.role == role)
    rows = [
        (o.id, o.name, o.role, o.partner_type, o.legal_form, o.neighbourhood)
        for o in session.exec(query)
    ]
    return pd.DataFrame(
        rows, columns=["id", "name", "role", "partner_type", "legal_form", "neighbourhood"]
    )


def neighbourhoods(session: Session) -> list[str]:
    names = session.exec(select(Organisation.neighbourhood).distinct()).all()
    return sorted(n for n in names if n)


def similar_posts(
    session: Session,
    *,
    kind: str,
    title: str,
    lat: float | None,
    lon: float | None,
    is_need: bool,
    limit: int = 3,
) -> pd.DataFrame:
    """ "Bestaat dit al?": open posts of the same kind with a similar title, nearby first."""
    from rapidfuzz import fuzz, process, utils

    from samenspel.matching.geo import haversine_km

    table = Need if is_need else Offer
    rows = session.exec(
        select(table, Organisation)
        .join(Organisation)
        .where(table.kind == kind, table.status == "open")
    ).all()
    if not title.strip() or not rows:
        return pd.DataFrame(columns=["id", "title", "organisation", "km", "similarity"])
    found = process.extract(
        title,
        [r[0].title for r in rows],
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        score_cutoff=SIMILAR_CUTOFF,
        limit=limit * 4,
    )
    result = []
    for _, similarity, index in found:
        post, org = rows[index]
        plat, plon, _ = public_location(org, post.lat, post.lon)
        km = haversine_km(lat, lon, plat, plon) if None not in (lat, lon, plat, plon) else None
        if km is None or km <= SIMILAR_WITHIN_KM:
            result.append(
                (
                    post.id,
                    post.title,
                    org.name,
                    None if km is None else round(km, 1),
                    round(similarity),
                )
            )
    frame = pd.DataFrame(result, columns=["id", "title", "organisation", "km", "similarity"])
    return frame.sort_values(["similarity", "km"], ascending=[False, True]).head(limit)


SIMILAR_CUTOFF = 70  # token_set_ratio: "plek om samen te koken" ~ "plek om te koken"
SIMILAR_WITHIN_KM = 5.0


def open_offer_titles(session: Session, kind: str) -> pd.DataFrame:
    rows = [
        (o.id, f"{o.title} ({org.name})")
        for o, org in session.exec(
            select(Offer, Organisation)
            .join(Organisation)
            .where(Offer.kind == kind, Offer.status == "open")
            .order_by(Organisation.name)
        )
    ]
    return pd.DataFrame(rows, columns=["id", "label"])


def own_open_offers(session: Session, organisation_id: int, kind: str) -> pd.DataFrame:
    rows = [
        (o.id, o.title)
        for o in session.exec(
            select(Offer).where(
                Offer.organisation_id == organisation_id, Offer.kind == kind, Offer.status == "open"
            )
        )
    ]
    return pd.DataFrame(rows, columns=["id", "title"])


def users(session: Session) -> pd.DataFrame:
    """Users for the administrator: never a password hash."""
    from samenspel.storage.models import User

    rows = [
        (u.id, u.username, u.display_name, u.role, u.organisation_id, u.areas, u.is_demo,
         u.is_active)
        for u in session.exec(select(User).order_by(User.username))
    ]  # fmt: skip
    return pd.DataFrame(
        rows,
        columns=["id", "username", "name", "role", "organisation_id", "areas", "demo", "active"],
    )


def money_needs(
    session: Session, *, organisation_id: int | None = None, areas: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Open money needs: an organisation's own, or those in a broker's areas (all when empty)."""
    query = (
        select(Need, Organisation)
        .join(Organisation)
        .where(Need.kind == "money", Need.status == "open")
    )
    if organisation_id is not None:
        query = query.where(Need.organisation_id == organisation_id)
    elif areas:
        query = query.where(Organisation.neighbourhood.in_(areas))
    rows = [
        (n.id, f"{n.title} ({org.name})", n.amount_eur, n.start_date or n.deadline)
        for n, org in session.exec(query)
    ]
    return pd.DataFrame(rows, columns=["id", "label", "amount", "start"])


def organisation_location(
    session: Session, organisation_id: int
) -> tuple[float | None, float | None]:
    org = session.get(Organisation, organisation_id)
    return (org.lat, org.lon) if org else (None, None)
