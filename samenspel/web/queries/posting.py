"""Open posts to compare with: "Bestaat dit al?" while posting, and the open offers of a kind
("Waarom niet?" on an organisation's own need)."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, select

from samenspel.services.places import public_location
from samenspel.storage.models import Need, Offer, Organisation


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
