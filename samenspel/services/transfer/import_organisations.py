"""Importing organisations with their contact person: for administrators only, as the file
holds names, addresses and contact details of anyone. A row with an id updates the
organisation with that id; a row without one adds an organisation."""

from __future__ import annotations

from sqlmodel import Session, col, select

from samenspel.matching.csvformat import fatal, parse_records
from samenspel.matching.fields import CONTACT, ORGANISATIONS, OWN
from samenspel.services import records
from samenspel.services.permissions import Actor, require_role
from samenspel.services.transfer.existing import CHUNK, by_exchange_id
from samenspel.services.transfer.report import ImportReport, Progress
from samenspel.storage.models import Contact, Organisation, utcnow


def import_organisations(
    session: Session, text: str, progress: Progress, actor: Actor
) -> ImportReport:
    require_role(actor, "admin")
    parsed = parse_records(text, ORGANISATIONS)
    report = ImportReport("organisations", errors=fatal(parsed.errors))
    existing = by_exchange_id(session, Organisation, [values["id"] for _, values in parsed.records])
    contacts = _contacts(session, [org.id for org in existing.values()])
    for count, (_, values) in enumerate(parsed.records, start=1):
        row = existing.get(values["id"])
        is_new = row is None
        if is_new:
            row = Organisation(external_id=values["id"] or None, name=values["name"])
            session.add(row)
            session.flush()  # its id, for its contact
        report.created += is_new
        report.updated += not is_new
        row.external_id = row.external_id or values["id"] or None  # ORG3 from an export: its own
        contact = contacts.get(row.id) or Contact(organisation_id=row.id)
        # A new organisation gets every field; an existing one keeps what the file has no
        # column for.
        columns = None if is_new else parsed.columns
        records.apply(ORGANISATIONS, values, {OWN: row, CONTACT: contact}, columns)
        row.updated_at = utcnow()
        session.add(contact)
        if count % 250 == 0:
            progress(0.9 * count / len(parsed.records))
    return report


def _contacts(session: Session, organisation_ids: list[int]) -> dict[int, Contact]:
    found = {}
    for start in range(0, len(organisation_ids), CHUNK):
        chunk = organisation_ids[start : start + CHUNK]
        query = select(Contact).where(col(Contact.organisation_id).in_(chunk))
        found.update({contact.organisation_id: contact for contact in session.exec(query)})
    return found
