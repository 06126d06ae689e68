"""Funding plans for stored money needs, and the fund catalogue that brokers keep.

The catalogue lives in the Fund table (seeded from data/funds.csv); the engine works on
matching.funds.FundIn (services/records.py converts both ways); this module owns the
catalogue's writes.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import replace
from datetime import date

import pandas as pd
from sqlmodel import Session, select

from samenspel.i18n import t
from samenspel.matching.csvformat import FileError
from samenspel.matching.fields import FUNDS, OWN
from samenspel.matching.funding import FundingPlan, plan_funding
from samenspel.matching.funds import FUND_COLUMNS, FundIn, parse_catalogue
from samenspel.services.audit import record
from samenspel.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from samenspel.services.permissions import Actor, covers_area, require_role, require_signed_in
from samenspel.services.records import cells_of, fund_in, fund_row
from samenspel.services.suggestions import need_in, open_offers
from samenspel.storage.models import Fund, Need, Organisation


def catalogue(session: Session) -> list[FundIn]:
    return [fund_in(row) for row in session.exec(select(Fund).order_by(Fund.id))]


def catalogue_frame(session: Session) -> pd.DataFrame:
    """The catalogue as the CSV columns, for the broker's editor and for export."""
    rows = [cells_of(FUNDS, {OWN: row}) for row in session.exec(select(Fund).order_by(Fund.id))]
    return pd.DataFrame(rows, columns=list(FUND_COLUMNS)).fillna("").astype(str)


def catalogue_version(session: Session) -> str:
    """A fingerprint of the catalogue as it is now (what an editor started from)."""
    return hashlib.sha256(catalogue_frame(session).to_csv(index=False).encode("utf-8")).hexdigest()


def save_catalogue(
    *, session: Session, actor: Actor, frame: pd.DataFrame, seen_version: str | None = None
) -> int:
    """Replace the catalogue by the edited table, all or nothing; each bad cell is reported
    with its row and column. With `seen_version`, refused when someone else saved in between.
    Returns the number of entries."""
    require_role(actor, "broker", "admin")
    if seen_version is not None and seen_version != catalogue_version(session):
        raise Conflict(
            t(
                "Iemand anders heeft de fondsenlijst net veranderd. Laad de lijst opnieuw en bewerk hem dan."
            )
        )
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, quoting=csv.QUOTE_ALL)
    try:
        funds, errors = parse_catalogue(buffer.getvalue())
    except FileError as exc:
        raise InvalidInput({"catalogue": str(exc)}) from exc
    if errors:
        raise InvalidInput({f"{e.row}:{e.column}": str(e) for e in errors})
    existing = {row.key: row for row in session.exec(select(Fund))}
    for fund in funds:
        session.add(fund_row(fund, existing.pop(fund.id, None)))
    for removed in existing.values():
        session.delete(removed)
    record(session, user_id=actor.user_id, action="update", entity="fund_catalogue", entity_id=None,
           detail=f"{len(funds)} entries")  # fmt: skip
    return len(funds)


def plan_for_need(
    *,
    session: Session,
    actor: Actor,
    need_id: int,
    start: date | None = None,
    anbi: bool | None = None,
    today: date | None = None,
) -> FundingPlan:
    """The funding plan for one money need, for its own organisation and the area's broker."""
    require_signed_in(actor)
    row = session.exec(
        select(Need, Organisation).join(Organisation).where(Need.id == need_id)
    ).first()
    if row is None:
        raise NotFound(t("Deze vraag bestaat niet."))
    need, org = row
    if actor.organisation_id != org.id and not covers_area(actor, org.neighbourhood):
        raise NotAllowed(t("Dit is niet van jouw organisatie."))
    if need.kind != "money":
        raise InvalidInput({"need": t("Een geldplan is er alleen voor een vraag om geld.")})
    # The plan shows who gives the money, so organisations go in by name, not by id.
    names = dict(session.exec(select(Organisation.id, Organisation.name)).all())
    offers = [
        replace(o, partner=names.get(int(o.partner), o.partner))
        for o in open_offers(session, "money")
    ]
    # The plan's reasons are codes: the page writes them in the reader's language.
    return plan_funding(
        replace(need_in(need, org), initiative=org.name), catalogue(session), offers,
        today=today or date.today(), start=start or need.start_date, anbi=org.anbi if anbi is None else anbi,
    )  # fmt: skip
