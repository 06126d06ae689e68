"""The money plan page: which open money needs the viewer can make a plan for."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, select

from samenspel.services.scope import NO_AREAS, AreaScope, in_scope
from samenspel.storage.models import Need, Organisation


def money_needs(
    session: Session, *, organisation_id: int | None = None, scope: AreaScope = NO_AREAS
) -> pd.DataFrame:
    """Open money needs: an organisation's own, or else those of organisations in `scope`
    (staff: the needs funding.plan_for_need lets them plan for)."""
    query = (
        select(Need, Organisation)
        .join(Organisation)
        .where(Need.kind == "money", Need.status == "open")
    )
    if organisation_id is not None:
        query = query.where(Need.organisation_id == organisation_id)
    else:
        query = query.where(in_scope(Organisation.neighbourhood, scope))
    rows = [
        (n.id, f"{n.title} ({org.name})", n.amount_eur, n.start_date or n.deadline)
        for n, org in session.exec(query)
    ]
    return pd.DataFrame(rows, columns=["id", "label", "amount", "start"])
