"""Importing the fund catalogue: entries by their id (a fund's key), read by the catalogue's
own parser (matching.funds), then held to the limits of the columns they are stored in."""

from __future__ import annotations

from sqlmodel import Session, select

from samenspel.matching.csvformat import RowError, check_version, read_rows
from samenspel.matching.fields import FUNDS
from samenspel.matching.funds import parse_catalogue
from samenspel.services import records
from samenspel.services.permissions import Actor
from samenspel.services.transfer.report import ImportReport, Progress
from samenspel.storage.models import Fund


def import_funds(session: Session, text: str, progress: Progress, actor: Actor) -> ImportReport:
    header, rows, _ = read_rows(text)
    check_version(header, rows)
    funds, errors = parse_catalogue(text)
    report = ImportReport("funds", errors=errors)
    existing = {row.key: row for row in session.exec(select(Fund))}
    row_of = {(cells.get("id") or "").strip(): number for number, cells in rows}
    for fund in funds:
        problems = too_big(row_of.get(fund.id, 0), records.fund_values(fund))
        if problems:
            report.errors.extend(problems)
            continue
        row = existing.get(fund.id)
        report.updated += row is not None
        report.created += row is None
        # An entry already there keeps what the file has no column for.
        session.add(records.fund_row(fund, row, header if row is not None else None))
    progress(0.9)
    return report


def too_big(number: int, values: dict[str, object]) -> list[RowError]:
    """What the catalogue's parser does not check: the length of each value as it is stored,
    and the upper bound of each number (1e30 weeks of lead time would overflow a plan)."""
    problems = []
    for field in FUNDS.fields:
        value = values[field.column]
        if value is None:
            continue
        kept = records.stored(field, value)
        if isinstance(kept, str) and len(kept) > field.length:
            problems.append(RowError(number, field.column, f"is langer dan {field.length} tekens"))
        elif field.maximum is not None and isinstance(value, float) and value > field.maximum:
            limit = f"{field.maximum:,}".replace(",", ".")
            problems.append(RowError(number, field.column, f"{value:g} is groter dan {limit}"))
    return problems
