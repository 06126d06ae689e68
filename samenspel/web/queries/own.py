"""An organisation's own page: its needs and offers, its matches, the offers it can help
with, and where it is."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, select

from samenspel.services import suggestion_jobs
from samenspel.storage.models import Match, Need, Offer, Organisation
from samenspel.web.queries.match_rows import _match_query, _match_rows, reader_for


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


def searching(session: Session, needs: pd.DataFrame, offers: pd.DataFrame) -> set:
    """Which of these own posts still wait for their suggestions (services/suggestion_jobs.py):
    {("need", id), ("offer", id)}. Not cached: it changes within seconds."""
    return suggestion_jobs.waiting(session, **_post_ids(needs, offers))


def searching_stalled(session: Session, needs: pd.DataFrame, offers: pd.DataFrame) -> bool:
    """Whether what `searching` found waits for a process that stopped (suggestion_jobs)."""
    return suggestion_jobs.stalled(session, **_post_ids(needs, offers))


def _post_ids(needs: pd.DataFrame, offers: pd.DataFrame) -> dict[str, list[int]]:
    return {
        "need_ids": needs["id"].astype(int).tolist(),
        "offer_ids": offers["id"].astype(int).tolist(),
    }


def matches_of_organisation(session: Session, organisation_id: int) -> pd.DataFrame:
    """Every match where this organisation is one of the two sides."""
    query, need_org, offer_org = _match_query()
    query = query.where((need_org.id == organisation_id) | (offer_org.id == organisation_id))
    return _match_rows(session, query.order_by(Match.score.desc()), reader_for(organisation_id))


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


def organisation_location(
    session: Session, organisation_id: int
) -> tuple[float | None, float | None]:
    org = session.get(Organisation, organisation_id)
    return (org.lat, org.lon) if org else (None, None)
