"""The broker's review queue: suggestions in the areas the broker may decide on, with the ones
people asked for first."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session

from samenspel.services.scope import AreaScope, in_scope
from samenspel.storage.models import Match, Need
from samenspel.web.queries.match_rows import _match_query, _match_rows, count_matches

# The queue's groups, for its filter: how many sides asked for a suggestion themselves.
ASKED_GROUPS = {
    "": None,  # all of them
    "both": (2,),  # the initiative and the partner
    "one": (1,),  # one of them
    "asked": (1, 2),  # either
    "engine": (0,),  # only the engine suggested it
}


def review_queue(
    session: Session,
    *,
    scope: AreaScope,
    kind: str = "",
    neighbourhood: str = "",
    status: str = "suggested",
    asked: str = "",
    page: int = 1,
    per_page: int = 25,
) -> tuple[pd.DataFrame, int]:
    """One page of suggestions in `scope` (the areas whose matches the viewer may decide on:
    permissions.covers_area): asked for by both sides first, then by one side, then the
    engine's own; within each group best score first, then oldest first. The order is SQL on
    (status, asked_sides, score), the columns of index ix_match_status_asked_score; and how
    many there are in all. `neighbourhood` and `asked` (ASKED_GROUPS) are the viewer's own
    filters within that scope ("" for all of it)."""
    on_match = [Match.status == status]  # the filters on the match's own columns
    if ASKED_GROUPS.get(asked):
        on_match.append(Match.asked_sides.in_(ASKED_GROUPS[asked]))
    query, need_org, _ = _match_query()
    query = query.where(*on_match, in_scope(need_org.neighbourhood, scope))
    if kind:
        query = query.where(Need.kind == kind)
    if neighbourhood:
        query = query.where(need_org.neighbourhood == neighbourhood)
    total = count_matches(session, scope, *on_match, kind=kind, neighbourhood=neighbourhood)
    query = query.order_by(
        Match.asked_sides.desc(), Match.score.desc(), Match.created_at.asc(), Match.id
    )
    return _match_rows(session, query.offset((max(1, page) - 1) * per_page).limit(per_page)), total


def asked_waiting(session: Session, *, scope: AreaScope) -> int:
    """How many suggestions in `scope` a side asked for and no broker has decided yet."""
    return count_matches(session, scope, Match.status == "suggested", Match.asked_sides > 0)
