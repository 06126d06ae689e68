"""Reads for pages: plain DataFrames, never ORM objects (pages cache them with st.cache_data).

Privacy lives here, not in the pages: informal initiatives are often someone's home, so their
points are moved to the centre of their neighbourhood, and no contact detail is ever selected.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from matching.geo import default_gazetteer
from samenspel.models import KINDS, Match, Need, Offer, Organisation

POINT_COLUMNS = [
    "type",
    "id",
    "kind",
    "title",
    "organisation",
    "neighbourhood",
    "status",
    "lat",
    "lon",
    "blurred",
]


def _public_location(
    org: Organisation, lat: float | None, lon: float | None
) -> tuple[float | None, float | None, bool]:
    """Where the public may see a point: informal initiatives at neighbourhood level."""
    lat = lat if lat is not None else org.lat
    lon = lon if lon is not None else org.lon
    if org.legal_form != "informal" or lat is None or lon is None:
        return lat, lon, False
    gazetteer = default_gazetteer()
    hood = None
    if org.neighbourhood:
        hood = next((p for p in gazetteer.neighbourhoods if p.name == org.neighbourhood), None)
    hood = hood or gazetteer.neighbourhood_of(lat, lon)
    if hood is None:  # far from any known neighbourhood: round to about a kilometre
        return round(lat, 2), round(lon, 2), True
    return hood.lat, hood.lon, True


def map_points(session: Session) -> pd.DataFrame:
    """Every open need and offer as a point the public may see."""
    rows = []
    for need, org in session.exec(
        select(Need, Organisation).join(Organisation).where(Need.status == "open")
    ):
        lat, lon, blurred = _public_location(org, need.lat, need.lon)
        rows.append(
            (
                "need",
                need.id,
                need.kind,
                need.title,
                org.name,
                org.neighbourhood,
                need.status,
                lat,
                lon,
                blurred,
            )
        )
    for offer, org in session.exec(
        select(Offer, Organisation).join(Organisation).where(Offer.status == "open")
    ):
        lat, lon, blurred = _public_location(org, offer.lat, offer.lon)
        rows.append(
            (
                "offer",
                offer.id,
                offer.kind,
                offer.title,
                org.name,
                org.neighbourhood,
                offer.status,
                lat,
                lon,
                blurred,
            )
        )
    frame = pd.DataFrame(rows, columns=POINT_COLUMNS)
    return frame.dropna(subset=["lat", "lon"]).reset_index(drop=True)


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


def match_counts(session: Session) -> dict[str, int]:
    return dict(session.exec(select(Match.status, func.count()).group_by(Match.status)).all())
