"""Reading the CSV exchange format (docs/exchange-format.md): rows into typed values, by the
fields matching/fields.py declares for each kind of file, and needs and offers into the
engine's dataclasses (`samenspel suggest`). Also what every CSV of Samenspel shares: the cells
safe for a spreadsheet (safe_cell), text without control characters (clean_text).

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

from samenspel.matching import fields as f
from samenspel.matching.fields import (  # noqa: F401 (the limits, where they were always read)
    FORMAT_VERSION,
    MAX_AMOUNT_EUR,
    MAX_COUNT,
    MAX_DISTANCE_KM,
    MAX_TEXT,
    NEEDS,
    OFFERS,
    VERSION_COLUMN,
    Field,
    RecordKind,
    engine_values,
)
from samenspel.matching.geo import Gazetteer, UnknownPlace, default_gazetteer
from samenspel.matching.slots import SlotError, parse_slots, slots_to_text
from samenspel.matching.types import NeedIn, OfferIn

NEED_COLUMNS = NEEDS.file_columns
OFFER_COLUMNS = OFFERS.file_columns
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2100, 12, 31)
YES = ("yes", "ja", "true", "1")
NO = ("no", "nee", "false", "0")


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
    The one function every export and every CSV of the command line uses. A text that starts
    with such a quote already gets one more, so that an import (unguard) gives back exactly
    what was stored."""
    if not isinstance(value, str):
        return value
    value = _NOT_TEXT.sub("", value)
    return "'" + value if value.startswith(FORMULA_START) or _guarded(value) else value


def _guarded(cell: str) -> bool:
    """Quotes, then a formula character: what safe_cell makes of a formula (or of such a
    text again)."""
    quotes = len(cell) - len(cell.lstrip("'"))
    return quotes > 0 and cell[quotes : quotes + 1] != "" and cell[quotes] in FORMULA_START


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


# Columns where a cell may hold several lines; in every other column a line break is a space.
MULTILINE_COLUMNS = frozenset(
    field.column for kind in f.KINDS_OF_FILE.values() for field in kind.fields if field.multiline
)


def unguard(cell: str) -> str:
    """A cell without the quote that safe_cell put before a formula character: what was
    typed, as a spreadsheet reads it (there a leading quote only says "this is text")."""
    return cell[1:] if _guarded(cell) else cell


def sanitise(
    text: str, *, clean: bool = False, max_rows: int | None = None
) -> tuple[str, list[RowError]]:
    """The CSV text rewritten so that every reader of it gets the same rows: a record that
    cannot be read becomes an empty row (its error says why; the row numbers after it stay),
    and with `clean` every cell loses its control characters (clean_text) and the quote our
    exports put before a formula (unguard), so that an export imports back as it was. Raises
    FileError when the header cannot be read, or above `max_rows` rows with data."""
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
                unguard(clean_text(
                    cell, multiline=index < len(header) and header[index] in MULTILINE_COLUMNS
                ))
                for index, cell in enumerate(cells)
            ]  # fmt: skip
        if number > 1 and any(cell.strip() for cell in cells):
            filled += 1
            if max_rows is not None and filled > max_rows:
                raise FileError(too_many_rows(max_rows))
        # An empty record (a blank line) is written as one empty cell, so it keeps its number.
        writer.writerow(cells or [""])
    return out.getvalue(), errors


def split_multi(value: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (value or "").split(";") if p.strip())


def join_multi(values: Iterable[str]) -> str:
    """A multi-valued cell as the exports write it."""
    return "; ".join(values)


class Row:
    """Reads typed cells from one CSV row and collects what is wrong with them."""

    def __init__(self, number: int, cells: dict[str, str], errors: list[RowError]):
        self.number, self.cells, self.errors = number, cells, errors

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))

    def text(self, column: str, required: bool = False, limit: int = MAX_TEXT) -> str:
        value = (self.cells.get(column) or "").strip()
        if required and not value:
            self.error(column, "is leeg, maar moet ingevuld zijn")
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

    def flag(self, column: str, default: bool | None) -> bool | None:
        value = (self.cells.get(column) or "").strip().lower()
        if not value:
            return default
        if value not in YES + NO:
            self.error(column, f"'{value[:50]}' is niet 'yes' of 'no'")
            return default
        return value in YES

    def location(self, gazetteer: Gazetteer | None, limit: int = MAX_TEXT):
        before = len(self.errors)
        lat, lon = self._lat_lon()
        place = self.text("place", limit=limit)
        if len(self.errors) > before:
            return place, None, None  # a bad lat or lon is its own message, once
        if lat is not None and lon is not None:
            return place, lat, lon
        if self._only_one(lat, lon):
            return place, None, None
        if not place:
            return place, None, None  # no location: no distance constraint
        try:
            found = (gazetteer or default_gazetteer()).lookup(place)
        except UnknownPlace:
            self.error("place", f"plaats '{place}' is onbekend; vul lat en lon in")
            return place, None, None
        return place, found.lat, found.lon

    def coordinates(self) -> tuple[float | None, float | None]:
        """lat and lon without a place to look up: numbers on earth, both or neither."""
        before = len(self.errors)
        lat, lon = self._lat_lon()
        if len(self.errors) > before or self._only_one(lat, lon):
            return None, None
        return lat, lon

    def _lat_lon(self) -> tuple[float | None, float | None]:
        return (
            self.number_("lat", minimum=f.LATITUDE[0], maximum=f.LATITUDE[1]),
            self.number_("lon", minimum=f.LONGITUDE[0], maximum=f.LONGITUDE[1]),
        )

    def _only_one(self, lat: float | None, lon: float | None) -> bool:
        if (lat is None) == (lon is None):
            return False
        self.error("lon" if lon is None else "lat", "lat en lon horen samen: vul beide in")
        return True

    def slots(self, column: str = "when", limit: int = 200):
        try:
            slots = parse_slots(self.cells.get(column))
        except SlotError as exc:
            self.error(column, f"'{exc}' is geen dag of dagdeel (bijv. 'di avond; za ochtend')")
            return frozenset()
        if len(slots_to_text(slots)) > limit:
            # Stored as text in a column of 200 characters; "any time" is an empty cell.
            self.error(
                column, "te veel dagdelen om te bewaren; kan het altijd? Laat de cel dan leeg"
            )
            return frozenset()
        return slots

    def multi(self, column: str, limit: int = MAX_TEXT, choices: tuple[str, ...] = ()):
        """A cell with several values (a; b), checked at the length it is stored with, and
        against `choices` when it has them."""
        values = split_multi(self.text(column))
        if choices:
            values = tuple(value.lower() for value in values)
            for value in values:
                if value not in choices:
                    self.error(column, f"'{value}' is niet een van: {', '.join(choices)}")
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


def check_version(header: list[str], rows: list[tuple[int, dict[str, str]]]) -> None:
    """Refuse a file of a format version this Samenspel does not know (FileError): its
    columns may mean something else. A file without the column is version 1."""
    if VERSION_COLUMN not in header:
        return
    for _, cells in rows:
        raw = (cells.get(VERSION_COLUMN) or "").strip()
        if not raw:
            continue
        if not (raw.isascii() and raw.isdigit()):  # "²".isdigit() is True, int("²") fails
            raise FileError(f"kolom '{VERSION_COLUMN}': '{raw[:20]}' is geen versienummer")
        if not 1 <= int(raw) <= FORMAT_VERSION:
            raise FileError(
                f"het bestand is van versie {int(raw)} van het uitwisselformaat; deze versie van "
                f"Samenspel leest versie 1 tot en met {FORMAT_VERSION}. Maak het bestand opnieuw "
                "of vraag de beheerder om Samenspel bij te werken"
            )


@dataclass(frozen=True)
class Parsed:
    """A file read as records of one kind: the typed values of every good row (by column,
    absent columns at their default), the columns the file has, and what was wrong."""

    kind: RecordKind
    records: list[tuple[int, dict[str, object]]]  # (spreadsheet row, values by column)
    columns: frozenset[str]
    errors: list[RowError]


def parse_records(source, kind: RecordKind, gazetteer: Gazetteer | None = None) -> Parsed:
    header, raw_rows, errors = read_rows(source)
    missing = [c for c in kind.required if c not in header]
    if missing:
        raise FileError(f"kolommen ontbreken: {', '.join(missing)}")
    check_version(header, raw_rows)
    known = set(kind.file_columns)
    for column in [h for h in header if h and h not in known]:
        errors.append(RowError(1, column, "onbekende kolom (wordt overgeslagen)", warning=True))
    records, seen, order = [], set(), kind.check_order()
    for number, cells in raw_rows:
        row = Row(number, cells, errors)
        before = len(errors)
        values = _values(row, order, gazetteer, seen)
        if len(errors) == before:
            if values.get("id"):
                seen.add(values["id"])
            records.append((number, values))
    return Parsed(kind, records, frozenset(header) & known, errors)


def _values(row: Row, order: tuple[Field, ...], gazetteer: Gazetteer | None, seen: set) -> dict:
    """One row's typed values, by column (its fields checked in `order`); what is wrong is in
    row.errors."""
    values: dict[str, object] = {}
    for field in order:
        if field.type in (f.LAT, f.LON) and field.column in values:
            continue  # read with the place, or with the other coordinate
        if field.type == f.PLACE:
            values["place"], values["lat"], values["lon"] = row.location(gazetteer, field.length)
        elif field.type in (f.LAT, f.LON):
            values["lat"], values["lon"] = row.coordinates()
        else:
            values[field.column] = _cell(row, field)
        if field.type == f.ID and values[field.column] in seen:
            row.error(field.column, f"'{values[field.column]}' komt twee keer voor")
        low = values.get(field.at_least)
        if field.at_least and None not in (low, values[field.column]):
            if values[field.column] < low:
                row.error(field.column, "het maximum is kleiner dan het minimum")
    if "partner_type" in values and values["partner_type"] is None:  # an organisation's
        values["partner_type"] = f.default_partner_type(values["role"])
    return values


def _cell(row: Row, field: Field) -> object:
    column, kind = field.column, field.type
    if kind in (f.ID, f.TEXT, f.REFERENCE):
        return row.text(column, required=field.required, limit=field.length)
    if kind == f.CHOICE:
        if field.default is None and not field.required and not row.cells.get(column, "").strip():
            return None  # left to a rule of its record (an organisation's partner_type)
        return row.choice(column, field.choices, field.default)
    if kind in (f.MULTI, f.SET):
        values = row.multi(column, field.length, field.choices)
        return tuple(sorted(set(values))) if kind == f.SET else values
    if kind in (f.INTEGER, f.NUMBER):
        return row.number_(column, integer=kind == f.INTEGER, minimum=field.minimum,
                           maximum=field.maximum)  # fmt: skip
    if kind == f.FLAG:
        return row.flag(column, field.default)
    if kind == f.DATE:
        return row.date_(column)
    if kind == f.SLOTS:
        return row.slots(column, field.length)
    raise ValueError(f"no reader for a column of type {kind}")


def fatal(errors: list[RowError]) -> list[RowError]:
    return [e for e in errors if not e.warning]


def parse_needs(source, gazetteer: Gazetteer | None = None) -> tuple[list[NeedIn], list[RowError]]:
    parsed = parse_records(source, NEEDS, gazetteer)
    return [NeedIn(**engine_values(NEEDS, values)) for _, values in parsed.records], parsed.errors


def parse_offers(
    source, gazetteer: Gazetteer | None = None
) -> tuple[list[OfferIn], list[RowError]]:
    parsed = parse_records(source, OFFERS, gazetteer)
    return [OfferIn(**engine_values(OFFERS, values)) for _, values in parsed.records], parsed.errors
