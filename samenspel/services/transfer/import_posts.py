"""Importing needs and offers: one module, as the two files differ only in a few names.

Every good row goes onto the record with its id, or a new one. Its organisation is the one
the row refers to (organisation_id), else the one with its name, else a new one; a broker
imports only for organisations in their own areas. The needs an import can change get fresh
suggestions. All of it in the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from samenspel.i18n import t
from samenspel.matching.csvformat import RowError, fatal, parse_records
from samenspel.matching.fields import NEEDS, OFFERS, OWN, RecordKind
from samenspel.services import records, suggestions
from samenspel.services.permissions import Actor, covers_area
from samenspel.services.posts import conditions_for
from samenspel.services.transfer.existing import CHUNK, by_exchange_id
from samenspel.services.transfer.report import OUTSIDE, ImportReport, Progress
from samenspel.storage.models import Need, Offer, Organisation, split_multi, utcnow


@dataclass(frozen=True)
class PostFile:
    kind: RecordKind
    table: type[Need] | type[Offer]
    name_column: str  # the column with the organisation's name
    unnamed: Callable[[], str]  # the name of an organisation a row does not name
    new_organisation: Callable[[dict], dict]  # what a new organisation is, from the row


NEED_FILE = PostFile(
    NEEDS, Need, "initiative", lambda: t("Onbekend initiatief"),
    lambda values: {"role": "initiative", "partner_type": "initiative",
                    "legal_form": values["legal_form"]},
)  # fmt: skip
OFFER_FILE = PostFile(
    OFFERS, Offer, "partner", lambda: t("Onbekende partner"),
    lambda values: {"role": "partner", "partner_type": values["partner_type"],
                    "legal_form": "company" if values["partner_type"] == "business" else "foundation"},
)  # fmt: skip


class Organisations:
    """The organisations of the rows: by the id a row refers to, else by name (files have
    always named them), else a new one; each name looked up once per file."""

    def __init__(self, session: Session, references: list[str]):
        self.session = session
        self.by_reference = by_exchange_id(session, Organisation, references)
        self.by_name: dict[str, Organisation | None] = {}
        self.made: set[int] = set()  # made by this import: no broker's area yet

    def find(self, reference: str, name: str) -> Organisation | None:
        if reference in self.by_reference:
            return self.by_reference[reference]
        key = name.strip().lower()
        if key not in self.by_name:
            query = select(Organisation).where(Organisation.name == name.strip())
            self.by_name[key] = self.session.exec(query).first()
        return self.by_name[key]

    def make(self, name: str, **values) -> Organisation:
        org = Organisation(name=name.strip(), **values)
        self.session.add(org)
        self.session.flush()
        self.by_name[name.strip().lower()] = org
        self.made.add(org.id)
        return org

    def outside(self, actor: Actor, org: Organisation | None) -> bool:
        """An organisation outside a broker's areas (one this file made is new: it passes)."""
        return (
            actor.role == "broker"
            and org is not None
            and org.id not in self.made
            and not covers_area(actor, org.neighbourhood)
        )


def import_needs(session: Session, text: str, progress: Progress, actor: Actor) -> ImportReport:
    report, stored = _import(NEED_FILE, session, text, progress, actor)
    # Fresh suggestions for exactly these needs.
    needs = []
    for start in range(0, len(stored), CHUNK):
        query = (
            select(Need, Organisation)
            .join(Organisation)
            .where(col(Need.id).in_(stored[start : start + CHUNK]), Need.status == "open")
        )
        needs.extend(records.need_in(need, org) for need, org in session.exec(query))
    suggestions.refresh_needs(session, needs, progress=suggesting(progress))
    return report


def import_offers(session: Session, text: str, progress: Progress, actor: Actor) -> ImportReport:
    report, stored = _import(OFFER_FILE, session, text, progress, actor)
    # A new or changed offer can enter the top-k of any need of its kind.
    kinds = {kind for start in range(0, len(stored), CHUNK) for kind in session.exec(
        select(Offer.kind).where(col(Offer.id).in_(stored[start : start + CHUNK])).distinct()
    )}  # fmt: skip
    suggestions.refresh_needs(
        session,
        [n for k in kinds for n in suggestions.open_needs(session, k)],
        progress=suggesting(progress),
    )
    return report


def suggesting(progress: Progress) -> Progress:
    """The last fifth of an import's progress: its suggestions (the rows took the first
    four fifths, see _import)."""
    return lambda done: progress(0.8 + 0.2 * done)


def _import(
    file: PostFile, session: Session, text: str, progress: Progress, actor: Actor
) -> tuple[ImportReport, list[int]]:
    """Store the good rows of a file; the report, and the ids of the records stored."""
    parsed = parse_records(text, file.kind)
    report = ImportReport(file.kind.name, errors=fatal(parsed.errors))
    existing = by_exchange_id(session, file.table, [values["id"] for _, values in parsed.records])
    organisations = Organisations(session, [v["organisation_id"] for _, v in parsed.records])
    # A file without either column leaves an existing record with its organisation.
    names_organisation = bool({"organisation_id", file.name_column} & parsed.columns)
    unnamed = file.unnamed()
    stored = []
    for count, (number, values) in enumerate(parsed.records, start=1):
        row = existing.get(values["id"])
        current = session.get(Organisation, row.organisation_id) if row is not None else None
        name = values[file.name_column] or unnamed
        org = current
        if names_organisation or row is None:
            org = organisations.find(values["organisation_id"], name)
        if organisations.outside(actor, current) or organisations.outside(actor, org):
            report.errors.append(RowError(number, file.name_column, OUTSIDE))
            continue
        if org is None:
            org = organisations.make(name, lat=values["lat"], lon=values["lon"],
                                     **file.new_organisation(values))  # fmt: skip
        is_new = row is None
        if is_new:
            row = file.table(organisation_id=org.id, kind="", title="")
        report.created += is_new
        report.updated += not is_new
        row.external_id = row.external_id or values["id"]  # N12 from an export: now its own
        row.organisation_id = org.id
        # A new record gets every field; an existing one keeps what the file has no column for.
        records.apply(file.kind, values, {OWN: row}, None if is_new else parsed.columns)
        row.conditions = conditions_for(row.title, row.description, split_multi(row.themes))
        row.updated_at = utcnow()
        session.add(row)
        stored.append(row)
        if count % 250 == 0:
            progress(0.8 * count / len(parsed.records))
    session.flush()
    return report, [row.id for row in stored]
