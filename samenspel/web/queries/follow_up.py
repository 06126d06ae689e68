"""The partnerships page: introductions and partnerships under way, for follow-up."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session

from samenspel.services.scope import NO_AREAS, AreaScope, in_scope
from samenspel.storage.models import Match
from samenspel.web.queries.match_rows import _match_query, _match_rows, reader_for


def partnerships(
    session: Session, *, scope: AreaScope = NO_AREAS, organisation_id: int | None = None
) -> pd.DataFrame:
    """Introductions and partnerships under way: those of one organisation (either side), or
    else those whose initiative is in `scope` (staff: where they may act on them)."""
    query, need_org, offer_org = _match_query()
    query = query.where(Match.status.in_(("introduced", "agreed", "active", "done")))
    if organisation_id is not None:
        query = query.where((need_org.id == organisation_id) | (offer_org.id == organisation_id))
    else:
        query = query.where(in_scope(need_org.neighbourhood, scope))
    order = query.order_by(Match.follow_up_on.asc())
    return _match_rows(session, order, reader_for(organisation_id))
