"""The exchange format's fields, declared once.

For every kind of file (needs, offers, organisations with their contact person, funds) the
columns in their order, and per column: its type, whether it must be filled in, its limits,
its default, where Samenspel stores it (which table row, which attribute) and the name the
engine knows it by. Plain data, so the engine stays pure: matching.csvformat reads files with
it (`samenspel suggest` and every import), and samenspel.services.records maps table rows
with it (import, export, engine input). For people the format is docs/exchange-format.md; a
test keeps that page and these declarations in step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from samenspel.matching.types import (
    KINDS,
    LEGAL_FORMS,
    NEED_STATUSES,
    OFFER_STATUSES,
    PARTNER_TYPES,
    REGION_SCOPES,
    SOURCE_TYPES,
)

# Version 1: the columns before 2026-12 (what `samenspel suggest` has always read).
# Version 2: every field a user can set has a column, and files say their version.
FORMAT_VERSION = 2
VERSION_COLUMN = "format_version"

MAX_TEXT = 2000
# Upper bounds for numbers: a value above them is a typing error, and 1e30 people would not
# even fit in the database's integer column.
MAX_COUNT = 100_000  # people, volunteers, capacity
MAX_AMOUNT_EUR = 100_000_000
MAX_DISTANCE_KM = 1_000
MAX_HOURS_PER_WEEK = 168
MAX_WEEKS = 520  # a fund's lead or decision time (beyond it the dates of a plan overflow)

LATITUDE, LONGITUDE = (-90, 90), (-180, 180)  # a point on earth

ORGANISATION_ROLES = ("initiative", "partner")
# The social-quality conditions (data/vocabulary/concepts.csv) an organisation works on.
CONDITIONS = ("security", "inclusion", "cohesion", "empowerment")

# Types of a column: how a cell is read, stored and written.
ID = "id"  # the record's own id in the file (up to 64 characters)
TEXT = "text"
MULTI = "multi"  # several values in one cell, "a; b", in the order given
SET = "set"  # several values from `choices`, order does not matter (stored sorted)
CHOICE = "choice"  # one value from `choices`
INTEGER = "integer"
NUMBER = "number"
FLAG = "flag"  # yes or no
DATE = "date"
SLOTS = "slots"  # weekly slots, "di avond; za ochtend"
PLACE = "place"  # a place name, looked up offline when lat and lon are empty
LAT = "lat"
LON = "lon"
REFERENCE = "reference"  # the id of the organisation (in its own file) a record belongs to

# Which row stores a field.
OWN = "own"  # the record's own row: the need, offer, organisation or fund
ORGANISATION = "organisation"  # the organisation a need or offer belongs to
CONTACT = "contact"  # an organisation's contact person ("vast gezicht")


@dataclass(frozen=True)
class Field:
    column: str
    type: str
    attr: str = ""  # attribute of the row that stores it; "" is the column's own name
    on: str = OWN
    engine: str = ""  # field of the engine's input (NeedIn, OfferIn, FundIn); "" for none
    engine_as: Callable | None = None  # how the engine wants the value, when not as read
    required: bool = False
    length: int = MAX_TEXT  # characters, as the database column holds them
    minimum: float | None = 0
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    default: object = None
    multiline: bool = False  # a cell that may hold line breaks
    at_least: str = ""  # a number that may not be smaller than this other column's
    since: int = 1  # the format version the column came in

    @property
    def stored_as(self) -> str:
        return self.attr or self.column


@dataclass(frozen=True)
class RecordKind:
    name: str  # what the file holds: needs, offers, organisations, funds
    fields: tuple[Field, ...]
    # The id our exports give a record that came without one (N12 is need 12).
    id_prefix: str = ""
    # Columns checked before the others (then the rest in column order), so that a row with
    # several mistakes lists them in the order it always has.
    checked_first: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.fields)

    @property
    def file_columns(self) -> tuple[str, ...]:
        """The columns of a file of this kind: its fields and the format version."""
        return (*self.columns, VERSION_COLUMN)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.fields if f.required)

    def field(self, column: str) -> Field:
        return next(f for f in self.fields if f.column == column)

    def stored_on(self, target: str) -> tuple[Field, ...]:
        """The fields kept in one row (OWN, ORGANISATION or CONTACT) that attributes hold."""
        return tuple(f for f in self.fields if f.on == target and f.type != REFERENCE)

    def check_order(self) -> tuple[Field, ...]:
        first = [self.field(column) for column in self.checked_first]
        return (*first, *(f for f in self.fields if f.column not in self.checked_first))


def engine_values(kind: RecordKind, values: dict[str, object]) -> dict[str, object]:
    """The engine's keyword arguments (NeedIn, OfferIn, FundIn) from typed values by column."""
    return {
        f.engine: f.engine_as(values[f.column]) if f.engine_as else values[f.column]
        for f in kind.fields
        if f.engine
    }


def default_partner_type(role: str) -> str:
    """An initiative is its own kind of organisation; a partner without a kind a business."""
    return "initiative" if role == "initiative" else "business"


def _place_fields() -> tuple[Field, ...]:
    return (
        Field("place", PLACE, engine="place", length=200),
        Field("lat", LAT, engine="lat", minimum=LATITUDE[0], maximum=LATITUDE[1]),
        Field("lon", LON, engine="lon", minimum=LONGITUDE[0], maximum=LONGITUDE[1]),
    )


def _post_fields(extra: tuple[Field, ...]) -> tuple[Field, ...]:
    """What needs and offers share, after their id and organisation columns."""
    return (
        Field("kind", CHOICE, engine="kind", required=True, choices=KINDS),
        Field("title", TEXT, engine="title", required=True, length=200),
        Field("description", TEXT, engine="description", multiline=True),
        Field("themes", MULTI, engine="themes", length=500),
        *_place_fields(),
        *extra,
    )


def _status_and_organisation(statuses: tuple[str, ...]) -> tuple[Field, ...]:
    return (
        Field("status", CHOICE, choices=statuses, default="open", since=2),
        Field("organisation_id", REFERENCE, on=ORGANISATION, length=64, since=2),
    )


def _volunteer_fields() -> tuple[Field, ...]:
    return (
        Field("hours_per_week", NUMBER, maximum=MAX_HOURS_PER_WEEK, since=2),
        Field("skills", TEXT, length=500, since=2),
    )


NEEDS = RecordKind(
    "needs",
    (
        Field("id", ID, attr="external_id", engine="id", required=True, length=64),
        Field("initiative", TEXT, attr="name", on=ORGANISATION, engine="initiative", length=200),
        Field(
            "legal_form",
            CHOICE,
            on=ORGANISATION,
            engine="legal_form",
            choices=LEGAL_FORMS,
            default="informal",
        ),  # fmt: skip
        *_post_fields(
            (
                Field("people", INTEGER, engine="people", minimum=1, maximum=MAX_COUNT),
                Field(
                    "amount_eur", NUMBER, engine="amount_eur", minimum=0.01, maximum=MAX_AMOUNT_EUR
                ),
                Field("when", SLOTS, attr="slots", engine="slots", length=200),
                Field("max_distance_km", NUMBER, engine="max_distance_km", maximum=MAX_DISTANCE_KM),
                Field("deadline", DATE, engine="deadline"),
            )
        ),  # fmt: skip
        *_status_and_organisation(NEED_STATUSES),
        Field("needs_kitchen", FLAG, engine="needs_kitchen", default=False, since=2),
        Field("needs_step_free", FLAG, engine="needs_step_free", default=False, since=2),
        *_volunteer_fields(),
        Field("start_date", DATE, since=2),
    ),
    id_prefix="N",
    checked_first=(
        "id",
        "kind",
        "legal_form",
        "title",
        "place",
        "description",
        "themes",
        "initiative",
    ),  # fmt: skip
)

OFFERS = RecordKind(
    "offers",
    (
        Field("id", ID, attr="external_id", engine="id", required=True, length=64),
        Field("partner", TEXT, attr="name", on=ORGANISATION, engine="partner", length=200),
        Field("partner_type", CHOICE, on=ORGANISATION, engine="partner_type",
              choices=PARTNER_TYPES, default="business"),  # fmt: skip
        *_post_fields((
            Field("capacity", INTEGER, engine="capacity", minimum=1, maximum=MAX_COUNT),
            Field("amount_min_eur", NUMBER, engine="amount_min_eur", maximum=MAX_AMOUNT_EUR),
            Field("amount_max_eur", NUMBER, engine="amount_max_eur", maximum=MAX_AMOUNT_EUR,
                  at_least="amount_min_eur"),
            Field("when", SLOTS, attr="slots", engine="slots", length=200),
            Field("radius_km", NUMBER, engine="radius_km", maximum=MAX_DISTANCE_KM),
            Field("eligible_legal_forms", SET, engine="eligible_legal_forms",
                  engine_as=frozenset, choices=LEGAL_FORMS, length=100),
            Field("deadline", DATE, engine="deadline"),
        )),  # fmt: skip
        *_status_and_organisation(OFFER_STATUSES),
        # Empty: not known (the engine then never rules a venue out for it).
        Field("has_kitchen", FLAG, engine="has_kitchen", since=2),
        Field("step_free", FLAG, engine="step_free", since=2),
        *_volunteer_fields(),
    ),
    id_prefix="O",
    checked_first=("id", "kind", "partner_type", "title", "place", "eligible_legal_forms",
                   "amount_min_eur", "amount_max_eur", "description", "themes", "partner"),
)  # fmt: skip

ORGANISATIONS = RecordKind(
    "organisations",
    (
        Field("id", ID, attr="external_id", length=64),
        Field("name", TEXT, required=True, length=200),
        Field("role", CHOICE, choices=ORGANISATION_ROLES, default="initiative"),
        # Empty: default_partner_type(role).
        Field("partner_type", CHOICE, choices=PARTNER_TYPES),
        Field("legal_form", CHOICE, choices=LEGAL_FORMS, default="informal"),
        Field("anbi", FLAG, default=False),
        Field("neighbourhood", TEXT, length=100),
        Field("address", TEXT, length=200),
        Field("postcode", TEXT, length=10),
        Field("lat", LAT, minimum=LATITUDE[0], maximum=LATITUDE[1]),
        Field("lon", LON, minimum=LONGITUDE[0], maximum=LONGITUDE[1]),
        Field("description", TEXT, multiline=True),
        Field("boundaries", TEXT, multiline=True),
        Field("contact_name", TEXT, attr="person", on=CONTACT, length=200),
        Field("contact_email", TEXT, attr="email", on=CONTACT, length=200),
        Field("contact_phone", TEXT, attr="phone", on=CONTACT, length=50),
        Field("themes", MULTI, length=500),
        Field("municipality", TEXT, length=100, since=2),
        Field("conditions", MULTI, choices=CONDITIONS, length=200, since=2),
    ),
    id_prefix="ORG",
)


def _amount(column: str, **options) -> Field:
    return Field(column, NUMBER, engine=column, maximum=MAX_AMOUNT_EUR, **options)


def _yes_no(column: str) -> Field:
    return Field(column, FLAG, engine=column, default=False)


# The fund catalogue (data/funds.csv); read by matching.funds.parse_catalogue, which adds
# the checks between columns (a region for a regional fund, a minimum below the maximum).
FUNDS = RecordKind(
    "funds",
    (
        Field("id", ID, attr="key", engine="id", required=True, length=64),
        Field("name", TEXT, engine="name", required=True, length=200),
        Field(
            "source_type", CHOICE, engine="source_type", choices=SOURCE_TYPES, default="fund"
        ),  # fmt: skip
        Field(
            "region_scope", CHOICE, engine="region_scope", choices=REGION_SCOPES, default="national"
        ),  # fmt: skip
        Field("regions", MULTI, engine="regions", length=1000),
        Field("themes", MULTI, engine="themes", length=500),
        _amount("amount_min_eur"),
        _amount("amount_max_eur", at_least="amount_min_eur"),
        Field("matchfunding_ratio", NUMBER, engine="matchfunding_ratio", maximum=100),
        _amount("matchfunding_cap_eur"),
        Field(
            "eligible_legal_forms",
            MULTI,
            engine="eligible_legal_forms",
            choices=LEGAL_FORMS,
            length=100,
        ),  # fmt: skip
        _yes_no("anbi_required"),
        Field("lead_time_weeks", NUMBER, engine="lead_time_weeks", maximum=MAX_WEEKS),
        Field("rounds", MULTI, engine="rounds", length=200),
        Field("decision_weeks", NUMBER, engine="decision_weeks", maximum=MAX_WEEKS),
        _yes_no("via_intermediary"),
        _yes_no("referral_only"),
        Field("url", TEXT, engine="url", length=300),
        Field("notes", TEXT, engine="notes", multiline=True, length=1000),
        Field("checked_on", DATE, engine="checked_on"),
        _yes_no("uncertain"),
    ),
)

KINDS_OF_FILE = {kind.name: kind for kind in (ORGANISATIONS, NEEDS, OFFERS, FUNDS)}
