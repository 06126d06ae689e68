"""Open posts to compare with: "Bestaat dit al?" while posting, and the open offers of a kind
("Waarom niet?" on an organisation's own need)."""

from __future__ import annotations

import re

import pandas as pd
from sqlmodel import Session, col, func, select

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


SHOWN_OFFERS = 20  # "Waarom niet?" lists this many: a city has thousands of open offers


def open_offer_titles(session: Session, kind: str, search: str = "") -> tuple[pd.DataFrame, int]:
    """Open offers of `kind` whose title or organisation name holds `search` (case does not
    matter; "" for any), A to Z by organisation: the first SHOWN_OFFERS, and how many match
    in all."""
    query = (
        select(Offer, Organisation)
        .join(Organisation)
        .where(Offer.kind == kind, Offer.status == "open")
    )
    if search.strip():
        # The searched text is a bound parameter; its own % and _ are escaped so that they
        # match only themselves.
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", search.strip()) + "%"
        query = query.where(
            col(Offer.title).ilike(pattern, escape="\\")
            | col(Organisation.name).ilike(pattern, escape="\\")
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = [
        (o.id, f"{o.title} ({org.name})")
        for o, org in session.exec(query.order_by(Organisation.name, Offer.id).limit(SHOWN_OFFERS))
    ]
    return pd.DataFrame(rows, columns=["id", "label"]), total
