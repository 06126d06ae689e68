"""Records between their table rows and everything else: the one place that knows how the
fields of an organisation (with its contact person), a need, an offer and a fund map onto the
tables of samenspel/storage/models.py.

The fields themselves (columns, types, limits, defaults, where each is stored, the engine's
name for it) are declared once, in samenspel/matching/fields.py. From them this module maps:
  - a row to the typed values of its fields (`values_of`) and to the cells of an exchange
    file or export (`cells_of`);
  - typed values, read from a file, onto rows (`apply`): imports and the demo seed;
  - a row to the engine's input (`need_in`, `offer_in`, `fund_in`), and a fund from the
    catalogue's parser to its row (`fund_row`).
Values are typed as matching.csvformat reads them: tuples for several values, frozensets of
slots, dates, bools. Rows store several values as "a;b" text and slots as "di avond".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields as dataclass_fields

from samenspel.matching import fields as f
from samenspel.matching.csvformat import join_multi as cell_of_values
from samenspel.matching.fields import (
    CONTACT,
    FUNDS,
    NEEDS,
    OFFERS,
    ORGANISATION,
    ORGANISATIONS,
    OWN,
    Field,
    RecordKind,
    engine_values,
)
from samenspel.matching.funds import FundIn
from samenspel.matching.slots import parse_slots, slots_to_text
from samenspel.matching.types import NeedIn, OfferIn
from samenspel.services.places import public_location
from samenspel.storage.models import (
    Fund,
    Need,
    Offer,
    Organisation,
    join_multi,
    split_multi,
)

KIND_OF_TABLE: dict[type, RecordKind] = {
    Organisation: ORGANISATIONS,
    Need: NEEDS,
    Offer: OFFERS,
    Fund: FUNDS,
}
# The table each kind of file fills.
TABLE_OF_KIND = {kind.name: table for table, kind in KIND_OF_TABLE.items()}
# Where a location is read as one: a place name and its point, or a point alone.
LOCATION = frozenset({"place", "lat", "lon"})

Rows = Mapping[str, object]  # OWN, ORGANISATION, CONTACT -> the row (or None: no contact yet)


def exchange_id(row) -> str:
    """A record's id in exchange files: the id it came with, else the one our exports give
    (need 12 is N12; a fund's key is its id)."""
    if isinstance(row, Fund):
        return row.key
    return row.external_id or f"{KIND_OF_TABLE[type(row)].id_prefix}{row.id}"


def typed(field: Field, stored: object) -> object:
    """A stored value as csvformat reads it from a cell."""
    if field.type == f.MULTI:
        return tuple(split_multi(stored))
    if field.type == f.SET:
        return tuple(sorted(set(split_multi(stored))))
    if field.type == f.SLOTS:
        return parse_slots(stored)
    return stored


def stored(field: Field, value: object) -> object:
    """A typed value as its table column stores it."""
    if field.type == f.MULTI:
        return join_multi(value)
    if field.type == f.SET:
        return join_multi(sorted(set(value)))
    if field.type == f.SLOTS:
        return slots_to_text(value)
    if field.type == f.FLAG:
        return bool(value)  # unknown (an empty cell) is stored as the column's default, no
    return value


def cell(field: Field, value: object) -> object:
    """A stored value as an export writes it (and the import reads it back)."""
    if field.type in (f.MULTI, f.SET):
        return cell_of_values(split_multi(value))
    if field.type == f.FLAG:
        return "yes" if value else "no"
    if field.type == f.DATE:
        return value.isoformat() if value else None
    return value


def _stored_value(field: Field, rows: Rows) -> object:
    if field.type == f.REFERENCE:
        return exchange_id(rows[ORGANISATION])
    row = rows.get(field.on)
    if row is None:  # an organisation without its contact (or one left out of the export)
        return ""
    if field.type == f.ID:
        return exchange_id(row)
    return getattr(row, field.stored_as)


def values_of(kind: RecordKind, rows: Rows) -> dict[str, object]:
    """The typed value of every field of `kind`, by column, from its rows."""
    return {field.column: typed(field, _stored_value(field, rows)) for field in kind.fields}


def cells_of(kind: RecordKind, rows: Rows) -> dict[str, object]:
    """The cells of one export row (the file's columns, the format version last)."""
    cells = {field.column: cell(field, _stored_value(field, rows)) for field in kind.fields}
    return cells | {f.VERSION_COLUMN: f.FORMAT_VERSION}


def apply(
    kind: RecordKind, values: Mapping[str, object], rows: Rows, columns: Iterable[str] | None = None
) -> list[str]:
    """Put typed values onto the record's own row and its contact; the names of the columns
    that changed. With `columns` (those a file has) a column the file does not have leaves
    what is stored as it is, so an older or smaller file never empties a field; a place and
    its point count as one. The id and the organisation's own fields are the caller's."""
    present = None if columns is None else set(columns)
    if present is not None and present & LOCATION:
        present |= LOCATION
    changed = []
    for target in (OWN, CONTACT):
        row = rows.get(target)
        if row is None:
            continue
        for field in kind.stored_on(target):
            if field.type == f.ID or (present is not None and field.column not in present):
                continue
            value = stored(field, values[field.column])
            if getattr(row, field.stored_as) != value:
                setattr(row, field.stored_as, value)
                changed.append(field.column)
    return changed


# --- the engine's input -----------------------------------------------------------------


def need_in(need: Need, org: Organisation) -> NeedIn:
    """A stored need for the engine: ids are the database's (the organisation's too, so a
    pair within one organisation is recognised), and the point is the public one, because
    reasons ("1,2 km verderop") are read by the other side."""
    lat, lon, _ = public_location(org, need.lat, need.lon)
    values = engine_values(NEEDS, values_of(NEEDS, {OWN: need, ORGANISATION: org}))
    return NeedIn(
        **values | {"id": str(need.id), "initiative": str(org.id), "lat": lat, "lon": lon}
    )


def offer_in(offer: Offer, org: Organisation, load: int = 0) -> OfferIn:
    """A stored offer for the engine. Kitchen and step-free are known only for a venue: the
    form asks them there, so for another kind "no" is "not asked"."""
    lat, lon, _ = public_location(org, offer.lat, offer.lon)
    values = engine_values(OFFERS, values_of(OFFERS, {OWN: offer, ORGANISATION: org}))
    venue = offer.kind == "venue"
    return OfferIn(**values | {
        "id": str(offer.id), "partner": str(org.id), "lat": lat, "lon": lon, "load": load,
        "has_kitchen": offer.has_kitchen if venue else None,
        "step_free": offer.step_free if venue else None,
    })  # fmt: skip


def fund_in(row: Fund) -> FundIn:
    return FundIn(**engine_values(FUNDS, values_of(FUNDS, {OWN: row})))


def fund_values(fund: FundIn) -> dict[str, object]:
    """A catalogue entry's typed values by column."""
    by_engine_name = {item.name: getattr(fund, item.name) for item in dataclass_fields(fund)}
    return {field.column: by_engine_name[field.engine] for field in FUNDS.fields}


def fund_row(fund: FundIn, existing: Fund | None = None, columns=None) -> Fund:
    """The Fund row for a catalogue entry: `existing` changed, or a new one."""
    row = existing or Fund(key=fund.id, name=fund.name)
    row.key = fund.id
    apply(FUNDS, fund_values(fund), {OWN: row}, columns)
    return row
