"""The fund catalogue (data/funds.csv) as plain, typed dataclasses (docs/design.md, "Fund").

The catalogue is data that brokers keep, so a mistake in it must be loud and easy to find:
every bad cell is reported with its row number, column and reason (the same `RowError` as the
CSV exchange format), and `load_catalogue` refuses a file with any bad row instead of quietly
planning with half a catalogue.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from samenspel.matching.csvformat import FileError, RowError, split_multi
from samenspel.matching.fields import FUNDS
from samenspel.matching.types import LEGAL_FORMS, REGION_SCOPES, SOURCE_TYPES
from samenspel.paths import DATA_DIR

FUND_COLUMNS = FUNDS.columns  # declared in matching/fields.py, with every column's type
YES = ("yes", "ja", "true", "1")
NO = ("no", "nee", "false", "0", "")


@dataclass(frozen=True)
class FundIn:
    """One catalogue entry: a fund, a municipal budget, a crowdfunding platform or pot, a
    business programme, or a referral (help for individual people, never money for a project).

    Unknown numbers are None, never 0: "no maximum in our notes" is not "gives nothing"."""

    id: str
    name: str
    source_type: str = "fund"  # fund | municipal | crowdfunding | business | referral
    region_scope: str = "national"  # national | province | municipality
    regions: tuple[str, ...] = ()  # province or municipality names, as the fund writes them
    themes: tuple[str, ...] = ()  # Dutch words: "buurt", "armoede", "ouderen"
    amount_min_eur: float | None = None
    amount_max_eur: float | None = None
    # A matchfunding pot: adds `ratio` euro per euro raised by a crowdfunding campaign, up to
    # the cap (voordeouderen.nl: 1 euro per euro, up to EUR 2,000).
    matchfunding_ratio: float | None = None
    matchfunding_cap_eur: float | None = None
    eligible_legal_forms: tuple[str, ...] = ()  # empty: the catalogue does not limit it
    anbi_required: bool = False
    lead_time_weeks: float | None = None  # apply at least this long before the start
    rounds: tuple[str, ...] = ()  # "1 feb; 1 mei" or free text such as "doorlopend"
    decision_weeks: float | None = None
    via_intermediary: bool = False  # applied for through a penvoerder or an intermediary
    referral_only: bool = False
    url: str = ""
    notes: str = ""
    checked_on: date | None = None
    uncertain: bool = False  # some facts come from old or secondary sources

    @property
    def is_referral(self) -> bool:
        return self.referral_only or self.source_type == "referral"

    @property
    def is_matchfunding(self) -> bool:
        return self.matchfunding_ratio is not None and self.matchfunding_ratio > 0


class CatalogueError(ValueError):
    """The catalogue has bad rows; `errors` says where and why."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


class _Cells:
    """Typed cells of one catalogue row; every problem becomes a RowError."""

    def __init__(self, row: int, cells: dict[str, str], errors: list[RowError]):
        self.row, self.cells, self.errors = row, cells, errors

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row, column, message))

    def text(self, column: str, required: bool = False) -> str:
        value = (self.cells.get(column) or "").strip()
        if required and not value:
            self.error(column, "is leeg, maar moet ingevuld zijn")
        return value

    def number(self, column: str, *, positive: bool = False) -> float | None:
        raw = self.text(column).replace("€", "").replace(" ", "")
        if not raw:
            return None
        try:
            value = float(raw.replace(",", ".") if "." not in raw else raw)
        except ValueError:
            self.error(column, f"'{raw}' is geen getal")
            return None
        if not math.isfinite(value) or value < 0 or (positive and value == 0):
            self.error(column, f"'{raw}' moet een getal groter dan 0 zijn")
            return None
        return value

    def flag(self, column: str) -> bool:
        value = self.text(column).lower()
        if value in YES:
            return True
        if value not in NO:
            self.error(column, f"'{value}' is niet 'yes' of 'no'")
        return False

    def choice(self, column: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.text(column).lower() or default
        if value not in allowed:
            self.error(column, f"'{value}' is niet een van: {', '.join(allowed)}")
            return default
        return value

    def day(self, column: str) -> date | None:
        raw = self.text(column)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.error(column, f"'{raw}' is geen datum (gebruik JJJJ-MM-DD)")
            return None


def parse_catalogue(source) -> tuple[list[FundIn], list[RowError]]:
    """The good rows and the errors of a catalogue given as text, bytes or an open file."""
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileError("het bestand is geen UTF-8-tekst") from exc
    text = source if isinstance(source, str) else source.read()
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ("id", "name") if c not in header]
    if missing:
        raise FileError(f"kolommen ontbreken: {', '.join(missing)}")
    errors: list[RowError] = []
    funds: list[FundIn] = []
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        cells = {(k or "").strip().lower(): (v or "") for k, v in raw.items() if k}
        if not any(v.strip() for v in cells.values()):
            continue
        before = len(errors)
        fund = _fund_from(_Cells(number, cells, errors), seen)
        if len(errors) == before:
            seen.add(fund.id)
            funds.append(fund)
    return funds, errors


def load_catalogue(path: Path = DATA_DIR / "funds.csv") -> list[FundIn]:
    """All catalogue entries in file order, or CatalogueError naming every bad cell."""
    funds, errors = parse_catalogue(Path(path).read_text(encoding="utf-8-sig"))
    if errors:
        raise CatalogueError(errors)
    return funds


def _fund_from(row: _Cells, seen: set[str]) -> FundIn:
    fund_id = row.text("id", required=True)
    if fund_id in seen:
        row.error("id", f"'{fund_id}' komt twee keer voor")
    scope = row.choice("region_scope", REGION_SCOPES, default="national")
    regions = split_multi(row.text("regions"))
    if scope != "national" and not regions:
        row.error("regions", f"is leeg, maar region_scope is '{scope}'")
    forms = tuple(f.lower() for f in split_multi(row.text("eligible_legal_forms")))
    for form in forms:
        if form not in LEGAL_FORMS:
            row.error("eligible_legal_forms", f"'{form}' is niet een van: {', '.join(LEGAL_FORMS)}")
    amount_min = row.number("amount_min_eur")
    amount_max = row.number("amount_max_eur", positive=True)
    if amount_min is not None and amount_max is not None and amount_min > amount_max:
        row.error("amount_max_eur", "het maximum is kleiner dan het minimum")
    return FundIn(
        id=fund_id,
        name=row.text("name", required=True),
        source_type=row.choice("source_type", SOURCE_TYPES, default="fund"),
        region_scope=scope,
        regions=regions,
        themes=tuple(t.lower() for t in split_multi(row.text("themes"))),
        amount_min_eur=amount_min,
        amount_max_eur=amount_max,
        matchfunding_ratio=row.number("matchfunding_ratio", positive=True),
        matchfunding_cap_eur=row.number("matchfunding_cap_eur", positive=True),
        eligible_legal_forms=forms,
        anbi_required=row.flag("anbi_required"),
        lead_time_weeks=row.number("lead_time_weeks"),
        rounds=split_multi(row.text("rounds")),
        decision_weeks=row.number("decision_weeks"),
        via_intermediary=row.flag("via_intermediary"),
        referral_only=row.flag("referral_only"),
        url=row.text("url"),
        notes=row.text("notes"),
        checked_on=row.day("checked_on"),
        uncertain=row.flag("uncertain"),
    )
