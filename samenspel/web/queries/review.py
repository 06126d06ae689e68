"""The broker's review queue: suggestions in the areas the broker may decide on."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from samenspel.services.scope import AreaScope, in_scope
from samenspel.storage.models import Match, Need
from samenspel.web.queries.match_rows import _match_query, _match_rows


def review_queue(
    session: Session,
    *,
    scope: AreaScope,
    kind: str = "",
    neighbourhood: str = "",
    status: str = "suggested",
    page: int = 1,
    per_page: int = 25,
) -> tuple[pd.DataFrame, int]:
    """One page of suggestions in `scope` (the areas whose matches the viewer may decide on:
    permissions.covers_area), best score first, then oldest first; and how many there are in
    all. `neighbourhood` is the viewer's own filter within that scope ("" for all of it)."""
    query, need_org, _ = _match_query()
    query = query.where(Match.status == status, in_scope(need_org.neighbourhood, scope))
    if kind:
        query = query.where(Need.kind == kind)
    if neighbourhood:
        query = query.where(need_org.neighbourhood == neighbourhood)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    query = query.order_by(Match.score.desc(), Match.created_at.asc(), Match.id)
    return _match_rows(session, query.offset((max(1, page) - 1) * per_page).limit(per_page)), total
