"""The CSV exchange format of design.md, parsed into plain dataclasses.

Bad rows are reported with row number, column and reason; the good rows are still returned,
so the caller decides whether to import the good ones or nothing at all.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from samenspel.matching.geo import Gazetteer, UnknownPlace, default_gazetteer
from samenspel.matching.slots import SlotError, parse_slots, slots_to_text
from samenspel.matching.types import KINDS, LEGAL_FORMS, PARTNER_TYPES, NeedIn, OfferIn

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
# Upper bounds for numbers: a value above them is a typing error, and 1e30 people would not
# even fit in the database's integer column.
MAX_COUNT = 100_000  # people, volunteers, capacity
MAX_AMOUNT_EUR = 100_000_000
MAX_DISTANCE_KM = 1_000
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2100, 12, 31)
# Columns where a cell may hold several lines; in every other column a line break is a space.
MULTILINE_COLUMNS = frozenset({"description", "boundaries", "notes"})
# Shorter limits where the app stores the value in a shorter column.
COLUMN_LIMITS = {
    "id": 64,
    "title": 200,
    "initiative": 200,
    "partner": 200,
    "place": 200,
    "themes": 500,
    "when": 200,
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


# --- text that is safe to store and to open in a spreadsheet ---------------------------------

# C0 controls except tab and line feed, DEL, C1 controls, and lone surrogates: none of them is
# text a person typed. PostgreSQL cannot store a NUL, Excel cannot hold most C0 characters, and
# a lone surrogate cannot even be written as UTF-8. (A carriage return is handled apart: it ends
# a line.)
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAK = re.compile("\r\n?")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """The text without control characters. In a multi-line field every line break becomes
    a line feed and tabs stay; in a one-line field line breaks and tabs become spaces."""
    text = _NOT_TEXT.sub("", _LINE_BREAK.sub("\n", value))
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


# A cell that starts with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell as it may go into a CSV or Excel file that people open in a spreadsheet: without
    characters a spreadsheet cannot hold, and a formula turned into text by a leading quote.
    The one function every export and every CSV of the command line uses."""
    if not isinstance(value, str):
        return value
    value = _NOT_TEXT.sub("", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def write_csv(stream, header: Iterable[object], rows: Iterable[Iterable[object]]) -> None:
    """Write a CSV for people: every cell through safe_cell."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])


# --- reading records --------------------------------------------------------------------------


def _fault(record: str, header: list[str]) -> tuple[str, str]:
    """Column and reason for a record the csv module refused. Walks the record as the csv
    module does (commas outside quotes separate cells) up to the character it stumbled on."""
    column, quoted, length = 0, False, 0
    for index, char in enumerate(record):
        if char == '"':
            quoted = not quoted  # an escaped quote ("") toggles twice: still right
        elif char == "," and not quoted:
            column, length = column + 1, 0
            continue
        elif char == "\r" and not quoted and record[index + 1 : index + 2] != "\n":
            reason = ("er staat een regeleinde midden in de cel; zet de cel tussen "
                      'aanhalingstekens (") of haal het regeleinde weg')  # fmt: skip
            break
        length += 1
        if length > csv.field_size_limit():
            reason = f"de cel is langer dan {_dutch_number(csv.field_size_limit())} tekens"
            break
    else:
        reason = 'deze rij kan niet gelezen worden; kijk of alle aanhalingstekens (") kloppen'
    name = header[column] if column < len(header) else f"kolom {column + 1}"
    return name, reason


def records(text: str) -> Iterator[tuple[int, list[str] | None, RowError | None]]:
    """(row number, cells, None) per record of a CSV text, or (row number, None, error) for a
    record the csv module cannot read; the records after it are still read. Row numbers are
    those of a spreadsheet: the header is row 1, a cell with line breaks is still one row."""
    lines: list[str] = []

    def feed() -> Iterator[str]:
        # Split at line feeds only: a bare carriage return stays inside its line, where the
        # csv module notices it (instead of silently cutting the row in two).
        for line in io.StringIO(text, newline="\n"):
            lines.append(line)
            yield line

    reader = csv.reader(feed())
    header: list[str] = []
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            number += 1
            column, reason = _fault("".join(lines), header)
            lines.clear()
            yield number, None, RowError(number, column, reason)
            continue
        number += 1
        lines.clear()
        if number == 1:
            header = [cell.strip().lower() for cell in cells]
        yield number, cells, None


def too_many_rows(limit: int) -> str:
    return (
        f"het bestand heeft meer dan {_dutch_number(limit)} rijen; splits het in kleinere bestanden"
    )


def sanitise(
    text: str, *, clean: bool = False, max_rows: int | None = None
) -> tuple[str, list[RowError]]:
    """The CSV text rewritten so that every reader of it gets the same rows: a record that
    cannot be read becomes an empty row (its error says why; the row numbers after it stay),
    and with `clean` every cell loses its control characters (clean_text). Raises FileError
    when the header cannot be read, or above `max_rows` rows with data."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    errors: list[RowError] = []
    header: list[str] = []
    filled = 0
    for number, cells, error in records(text.removeprefix("\ufeff")):
        if error is not None:
            if number == 1:
                raise FileError(f"de kopregel kan niet gelezen worden: {error.message}")
            errors.append(error)
            cells = [""] * max(1, len(header))
        if number == 1:
            header = [cell.strip().lower() for cell in cells]
        if clean:
            cells = [
                clean_text(
                    cell, multiline=index < len(header) and header[index] in MULTILINE_COLUMNS
                )
                for index, cell in enumerate(cells)
            ]
        if number > 1 and any(cell.strip() for cell in cells):
            filled += 1
            if max_rows is not None and filled > max_rows:
                raise FileError(too_many_rows(max_rows))
        # An empty record (a blank line) is written as one empty cell, so it keeps its number.
        writer.writerow(cells or [""])
    return out.getvalue(), errors


def split_multi(value: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (value or "").split(";") if p.strip())


class Row:
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

    def number_(
        self,
        column: str,
        *,
        integer: bool = False,
        minimum: float | None = 0,
        maximum: float | None = None,
    ):
        raw = (self.cells.get(column) or "").strip().replace("€", "").replace(" ", "")
        if not raw:
            return None
        if "," in raw and "." not in raw:
            raw = raw.replace(",", ".")  # Dutch decimal comma
        try:
            value = float(raw)
        except ValueError:
            self.error(column, f"'{raw[:50]}' is geen getal")
            return None
        if value != value or value in (float("inf"), float("-inf")):
            self.error(column, f"'{raw[:50]}' is geen getal")
            return None
        if minimum is not None and value < minimum:
            self.error(column, f"{raw[:50]} is kleiner dan {minimum:g}")
            return None
        if maximum is not None and value > maximum:
            self.error(column, f"{raw[:50]} is groter dan {_dutch_number(maximum)}")
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
                value = parse(raw)
            except ValueError:
                continue
            if not FIRST_DATE <= value <= LAST_DATE:
                self.error(column, f"{raw} ligt niet tussen {FIRST_DATE.year} en {LAST_DATE.year}")
                return None
            return value
        self.error(column, f"'{raw[:50]}' is geen datum (gebruik JJJJ-MM-DD)")
        return None

    def choice(self, column: str, allowed: Iterable[str], default: str | None = None) -> str:
        value = (self.cells.get(column) or "").strip().lower()
        allowed = tuple(allowed)
        if not value and default is not None:
            return default
        if value not in allowed:
            self.error(column, f"'{value[:50]}' is niet een van: {', '.join(allowed)}")
            return default or (allowed[0] if allowed else "")
        return value

    def location(self, gazetteer: Gazetteer | None):
        before = len(self.errors)
        lat = self.number_("lat", minimum=-90, maximum=90)
        lon = self.number_("lon", minimum=-180, maximum=180)
        place = self.text("place")
        if len(self.errors) > before:
            return place, None, None  # a bad lat or lon is its own message, once
        if lat is not None and lon is not None:
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
            slots = parse_slots(self.cells.get("when"))
        except SlotError as exc:
            self.error("when", f"'{exc}' is geen dag of dagdeel (bijv. 'di avond; za ochtend')")
            return frozenset()
        if len(slots_to_text(slots)) > COLUMN_LIMITS["when"]:
            # Stored as text in a column of 200 characters; "any time" is an empty cell.
            self.error(
                "when", "te veel dagdelen om te bewaren; kan het altijd? Laat de cel dan leeg"
            )
            return frozenset()
        return slots

    def multi(self, column: str) -> tuple[str, ...]:
        """A cell with several values (a; b), checked at the length it is stored with."""
        values = split_multi(self.text(column))
        limit = COLUMN_LIMITS.get(column, MAX_TEXT)
        if len(join_multi(values)) > limit:
            self.error(column, f"is langer dan {limit} tekens")
        return values


def _dutch_date(raw: str) -> date:
    day, month, year = raw.replace("/", "-").split("-")
    if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
        raise ValueError(raw)
    return date(int(year), int(month), int(day))


def _dutch_number(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


def join_multi(values: Iterable[str]) -> str:
    return "; ".join(values)


def read_rows(source) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[RowError]]:
    """Header, (row number, cells by lower-case column) of every row with data, and the rows
    that could not be read at all (with row, column and reason)."""
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileError("het bestand is geen UTF-8-tekst") from exc
    if not isinstance(source, str):
        source = source.read()
    header: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    for number, cells, error in records(source.removeprefix("\ufeff")):
        if error is not None:
            if number == 1:
                raise FileError(f"de kopregel kan niet gelezen worden: {error.message}")
            errors.append(error)
        elif number == 1:
            header = [cell.strip().lower() for cell in cells]
        elif any(cell.strip() for cell in cells):
            # Cells beyond the header have no column: left out, as csv.DictReader does.
            rows.append(
                (number, {name: value for name, value in zip(header, cells, strict=False) if name})
            )
    return header, rows, errors


def _read(source, columns: tuple[str, ...]) -> tuple[list[Row], list[RowError]]:
    header, raw_rows, errors = read_rows(source)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FileError(f"kolommen ontbreken: {', '.join(missing)}")
    unknown = [h for h in header if h and h not in columns]
    for column in unknown:
        errors.append(RowError(1, column, "onbekende kolom (wordt overgeslagen)", warning=True))
    return [Row(number, cells, errors) for number, cells in raw_rows], errors


def _row_ok(row: Row, errors_before: int) -> bool:
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
            themes=row.multi("themes"),
            initiative=row.text("initiative"),
            legal_form=legal_form,
            place=place,
            lat=lat,
            lon=lon,
            people=row.number_("people", integer=True, minimum=1, maximum=MAX_COUNT),
            amount_eur=row.number_("amount_eur", minimum=0.01, maximum=MAX_AMOUNT_EUR),
            slots=row.slots(),
            max_distance_km=row.number_("max_distance_km", maximum=MAX_DISTANCE_KM),
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
        amount_min = row.number_("amount_min_eur", maximum=MAX_AMOUNT_EUR)
        amount_max = row.number_("amount_max_eur", maximum=MAX_AMOUNT_EUR)
        if amount_min is not None and amount_max is not None and amount_min > amount_max:
            row.error("amount_max_eur", "het maximum is kleiner dan het minimum")
        offer = OfferIn(
            id=offer_id,
            kind=kind,
            title=title,
            description=row.text("description"),
            themes=row.multi("themes"),
            partner=row.text("partner"),
            partner_type=partner_type,
            place=place,
            lat=lat,
            lon=lon,
            capacity=row.number_("capacity", integer=True, minimum=1, maximum=MAX_COUNT),
            amount_min_eur=amount_min,
            amount_max_eur=amount_max,
            slots=row.slots(),
            radius_km=row.number_("radius_km", maximum=MAX_DISTANCE_KM),
            eligible_legal_forms=frozenset(forms),
            deadline=row.date_("deadline"),
        )
        if _row_ok(row, before):
            seen.add(offer_id)
            offers.append(offer)
    return offers, errors
