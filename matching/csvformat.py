"""The CSV exchange format of design.md, parsed into plain dataclasses.

Bad rows are reported with row number, column and reason; the good rows are still returned,
so the caller decides whether to import the good ones or nothing at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from matching.geo import Gazetteer, UnknownPlace, default_gazetteer
from matching.slots import SlotError, parse_slots
from matching.types import KINDS, LEGAL_FORMS, PARTNER_TYPES, NeedIn, OfferIn

NEED_COLUMNS = (
    "id",
    "initiative",
    "legal_form",
    "kind",
    "title",
    "description",
    "themes",
    "place",
    "lat",
    "lon",
    "people",
    "amount_eur",
    "when",
    "max_distance_km",
    "deadline",
)
OFFER_COLUMNS = (
    "id",
    "partner",
    "partner_type",
    "kind",
    "title",
    "description",
    "themes",
    "place",
    "lat",
    "lon",
    "capacity",
    "amount_min_eur",
    "amount_max_eur",
    "when",
    "radius_km",
    "eligible_legal_forms",
    "deadline",
)
REQUIRED = ("id", "kind", "title")
MAX_TEXT = 2000
# Shorter limits where the app stores the value in a shorter column.
COLUMN_LIMITS = {
    "id": 64,
    "title": 200,
    "initiative": 200,
    "partner": 200,
    "place": 200,
    "themes": 500,
}


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number: the header is row 1
    column: str
    message: str
    warning: bool = False  # true: reported, but the row is still used

    def __str__(self) -> str:
        return f"rij {self.row}, kolom '{self.column}': {self.message}"


class FileError(ValueError):
    """The file as a whole cannot be read (wrong encoding, missing columns)."""


def split_multi(value: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (value or "").split(";") if p.strip())


class _Row:
    """Reads typed cells from one CSV row and collects what is wrong with them."""

    def __init__(self, number: int, cells: dict[str, str], errors: list[RowError]):
        self.number, self.cells, self.errors = number, cells, errors

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))

    def text(self, column: str, required: bool = False) -> str:
        value = (self.cells.get(column) or "").strip()
        if required and not value:
            self.error(column, "is leeg, maar moet ingevuld zijn")
        limit = COLUMN_LIMITS.get(column, MAX_TEXT)
        if len(value) > limit:
            self.error(column, f"is langer dan {limit} tekens")
        return value

    def number_(self, column: str, *, integer: bool = False, minimum: float | None = 0):
        raw = (self.cells.get(column) or "").strip().replace("€", "").replace(" ", "")
        if not raw:
            return None
        if "," in raw and "." not in raw:
            raw = raw.replace(",", ".")  # Dutch decimal comma
        try:
            value = float(raw)
        except ValueError:
            self.error(column, f"'{raw}' is geen getal")
            return None
        if value != value or value in (float("inf"), float("-inf")):
            self.error(column, f"'{raw}' is geen getal")
            return None
        if minimum is not None and value < minimum:
            self.error(column, f"{raw} is kleiner dan {minimum:g}")
            return None
        if integer:
            if value != int(value):
                self.error(column, f"'{raw}' is geen heel getal")
                return None
            return int(value)
        return value

    def date_(self, column: str) -> date | None:
        raw = (self.cells.get(column) or "").strip()
        if not raw:
            return None
        for parse in (date.fromisoformat, _dutch_date):
            try:
                return parse(raw)
            except ValueError:
                continue
        self.error(column, f"'{raw}' is geen datum (gebruik JJJJ-MM-DD)")
        return None

    def choice(self, column: str, allowed: Iterable[str], default: str | None = None) -> str:
        value = (self.cells.get(column) or "").strip().lower()
        allowed = tuple(allowed)
        if not value and default is not None:
            return default
        if value not in allowed:
            self.error(column, f"'{value}' is niet een van: {', '.join(allowed)}")
            return default or (allowed[0] if allowed else "")
        return value

    def location(self, gazetteer: Gazetteer | None):
        lat = self.number_("lat", minimum=-90)
        lon = self.number_("lon", minimum=-180)
        place = self.text("place")
        if lat is not None and lon is not None:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                self.error("lat", "ligt niet op aarde")
                return place, None, None
            return place, lat, lon
        if (lat is None) != (lon is None):
            self.error("lon" if lon is None else "lat", "lat en lon horen samen: vul beide in")
            return place, None, None
        if not place:
            return place, None, None  # no location: no distance constraint
        try:
            found = (gazetteer or default_gazetteer()).lookup(place)
        except UnknownPlace:
            self.error("place", f"plaats '{place}' is onbekend; vul lat en lon in")
            return place, None, None
        return place, found.lat, found.lon

    def slots(self):
        try:
            return parse_slots(self.cells.get("when"))
        except SlotError as exc:
            self.error("when", f"'{exc}' is geen dag of dagdeel (bijv. 'di avond; za ochtend')")
            return frozenset()


def _dutch_date(raw: str) -> date:
    day, month, year = raw.replace("/", "-").split("-")
    return date(int(year), int(month), int(day))


def _read(source, columns: tuple[str, ...]) -> tuple[list[_Row], list[RowError]]:
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileError("het bestand is geen UTF-8-tekst") from exc
    if isinstance(source, str):
        source = io.StringIO(source)
    sample = source.read()
    if sample.startswith("\ufeff"):
        sample = sample[1:]
    reader = csv.DictReader(io.StringIO(sample))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FileError(f"kolommen ontbreken: {', '.join(missing)}")
    unknown = [h for h in header if h and h not in columns]
    errors: list[RowError] = []
    if unknown:
        for column in unknown:
            errors.append(RowError(1, column, "onbekende kolom (wordt overgeslagen)", warning=True))
    rows = []
    for number, raw in enumerate(reader, start=2):
        cells = {(k or "").strip().lower(): (v or "") for k, v in raw.items() if k}
        if not any(v.strip() for v in cells.values()):
            continue
        rows.append(_Row(number, cells, errors))
    return rows, errors


def _row_ok(row: _Row, errors_before: int) -> bool:
    return len(row.errors) == errors_before


def fatal(errors: list[RowError]) -> list[RowError]:
    return [e for e in errors if not e.warning]


def parse_needs(source, gazetteer: Gazetteer | None = None) -> tuple[list[NeedIn], list[RowError]]:
    rows, errors = _read(source, NEED_COLUMNS)
    needs, seen = [], set()
    for row in rows:
        before = len(errors)
        need_id = row.text("id", required=True)
        if need_id in seen:
            row.error("id", f"'{need_id}' komt twee keer voor")
        kind = row.choice("kind", KINDS)
        legal_form = row.choice("legal_form", LEGAL_FORMS, default="informal")
        title = row.text("title", required=True)
        place, lat, lon = row.location(gazetteer)
        need = NeedIn(
            id=need_id,
            kind=kind,
            title=title,
            description=row.text("description"),
            themes=split_multi(row.text("themes")),
            initiative=row.text("initiative"),
            legal_form=legal_form,
            place=place,
            lat=lat,
            lon=lon,
            people=row.number_("people", integer=True, minimum=1),
            amount_eur=row.number_("amount_eur", minimum=0.01),
            slots=row.slots(),
            max_distance_km=row.number_("max_distance_km"),
            deadline=row.date_("deadline"),
        )
        if _row_ok(row, before):
            seen.add(need_id)
            needs.append(need)
    return needs, errors


def parse_offers(
    source, gazetteer: Gazetteer | None = None
) -> tuple[list[OfferIn], list[RowError]]:
    rows, errors = _read(source, OFFER_COLUMNS)
    offers, seen = [], set()
    for row in rows:
        before = len(errors)
        offer_id = row.text("id", required=True)
        if offer_id in seen:
            row.error("id", f"'{offer_id}' komt twee keer voor")
        kind = row.choice("kind", KINDS)
        partner_type = row.choice("partner_type", PARTNER_TYPES, default="business")
        title = row.text("title", required=True)
        place, lat, lon = row.location(gazetteer)
        forms = split_multi(row.text("eligible_legal_forms").lower())
        for form in forms:
            if form not in LEGAL_FORMS:
                row.error(
                    "eligible_legal_forms", f"'{form}' is niet een van: {', '.join(LEGAL_FORMS)}"
                )
        amount_min = row.number_("amount_min_eur")
        amount_max = row.number_("amount_max_eur")
        if amount_min is not None and amount_max is not None and amount_min > amount_max:
            row.error("amount_max_eur", "het maximum is kleiner dan het minimum")
        offer = OfferIn(
            id=offer_id,
            kind=kind,
            title=title,
            description=row.text("description"),
            themes=split_multi(row.text("themes")),
            partner=row.text("partner"),
            partner_type=partner_type,
            place=place,
            lat=lat,
            lon=lon,
            capacity=row.number_("capacity", integer=True, minimum=1),
            amount_min_eur=amount_min,
            amount_max_eur=amount_max,
            slots=row.slots(),
            radius_km=row.number_("radius_km"),
            eligible_legal_forms=frozenset(forms),
            deadline=row.date_("deadline"),
        )
        if _row_ok(row, before):
            seen.add(offer_id)
            offers.append(offer)
    return offers, errors
