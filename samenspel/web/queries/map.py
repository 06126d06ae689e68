"""The map page: points, their filters, the card of one point, partnership lines and the
counts per kind.

Privacy lives here, not in the page: informal initiatives are often someone's home, so their
points are moved to the centre of their neighbourhood (services/places.py) except for the
viewer's `exact_in` areas, and no contact detail is ever selected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from samenspel.services.places import public_location
from samenspel.services.scope import NO_AREAS, AreaScope
from samenspel.storage.models import KINDS, Match, Need, Offer, Organisation
from samenspel.web.queries.match_rows import _match_query

POINT_COLUMNS = [
    "type", "id", "kind", "title", "organisation", "neighbourhood", "status", "lat", "lon",
    "blurred", "conditions",
]  # fmt: skip


def map_points(
    session: Session, *, exact_in: AreaScope = NO_AREAS, include_closed: bool = False
) -> pd.DataFrame:
    """Needs and offers as points a viewer may see (see public_location)."""
    rows = []
    for table, point_type in ((Need, "need"), (Offer, "offer")):
        query = select(table, Organisation).join(Organisation)
        if not include_closed:  # matched needs stay visible: they show what the city achieved
            query = query.where(table.status.in_(("open", "matched")))
        for post, org in session.exec(query):
            lat, lon, blurred = public_location(org, post.lat, post.lon, exact_in)
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
    """The map's filters, applied to a points frame (pure: the page caches the frame). These
    are the viewer's own choices: an empty choice means "do not filter on this"."""
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


class Line(NamedTuple):
    """A partnership on the map: from the need's place to the offer's."""

    start: tuple[float, float]
    end: tuple[float, float]
    label: str
    need_id: int
    offer_id: int


def partnership_lines(
    session: Session, *, exact_in: AreaScope = NO_AREAS, staff: bool = False
) -> list[Line]:
    """Lines between the two sides of introduced, agreed and active partnerships."""
    query, _, _ = _match_query()
    # The public sees a partnership once both sides said yes; staff also see introductions.
    statuses = ("introduced", "agreed", "active") if staff else ("agreed", "active")
    query = query.where(Match.status.in_(statuses))
    lines = []
    for _match, need, n_org, offer, o_org in session.exec(query):
        a_lat, a_lon, _ = public_location(n_org, need.lat, need.lon, exact_in)
        b_lat, b_lon, _ = public_location(o_org, offer.lat, offer.lon, exact_in)
        if None not in (a_lat, a_lon, b_lat, b_lon):
            lines.append(Line((a_lat, a_lon), (b_lat, b_lon), f"{n_org.name} - {o_org.name}",
                              need.id, offer.id))  # fmt: skip
    return lines


def lines_of(lines: list[Line], points: pd.DataFrame) -> list[Line]:
    """The partnerships of the points the map's filters show: a line whose need or offer is
    among them (pure, like filter_points)."""
    shown = set(zip(points["type"], points["id"].astype(int), strict=True))
    return [
        line for line in lines
        if ("need", line.need_id) in shown or ("offer", line.offer_id) in shown
    ]  # fmt: skip


AREA_COLUMNS = ["neighbourhood", "lat", "lon", "count"]


def areas_of(points: pd.DataFrame) -> pd.DataFrame:
    """The points per neighbourhood ("" for those without one): the middle of its points and
    how many, most first (pure, like filter_points). The map shows these when there are too
    many points to draw one by one."""
    if points.empty:
        return pd.DataFrame(columns=AREA_COLUMNS)
    grouped = points.groupby(points["neighbourhood"].fillna(""), sort=True)
    areas = pd.DataFrame(
        {"lat": grouped["lat"].mean(), "lon": grouped["lon"].mean(), "count": grouped.size()}
    )
    areas = areas.rename_axis("neighbourhood").reset_index()
    return areas.sort_values(["count", "neighbourhood"], ascending=[False, True])[AREA_COLUMNS]


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
