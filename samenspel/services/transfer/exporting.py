"""Exports in the exchange format (docs/exchange-format.md), as tables and as the file the
command line writes and the data page offers (CSV or Excel; the sociale kaart is hsds.py).

What others may see is the default: an informal group's exact place (often a home), addresses
of informal groups and contact details are only in an administrator's full export (`--full`,
for moving to another database), and every such export is in the audit trail. Exports record
that in the caller's unit of work; they never commit.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session, select

from samenspel.i18n import language
from samenspel.matching.fields import (
    CONTACT,
    FORMAT_VERSION,
    NEEDS,
    OFFERS,
    ORGANISATION,
    ORGANISATIONS,
    OWN,
    VERSION_COLUMN,
    RecordKind,
)
from samenspel.matching.reasons import BROKER, render_stored
from samenspel.services import records
from samenspel.services.audit import record
from samenspel.services.exports import to_csv_bytes, to_excel_bytes
from samenspel.services.funding import catalogue_frame
from samenspel.services.permissions import Actor, require_role
from samenspel.services.places import public_location
from samenspel.services.transfer.hsds import hsds_zip
from samenspel.storage.models import Contact, Match, Need, Offer, Organisation

EXPORTS = ("needs", "offers", "matches", "funds", "organisations", "hsds")
MATCH_COLUMNS = ("need_id", "offer_id", "status", "score", "tie", "reasons", "value_eur",
                 "follow_up_on", "initiative_brings", "partner_brings")  # fmt: skip


def export_needs(
    session: Session, *, actor: Actor | None = None, full: bool = False
) -> pd.DataFrame:
    return _posts(session, NEEDS, Need, actor, full)


def export_offers(
    session: Session, *, actor: Actor | None = None, full: bool = False
) -> pd.DataFrame:
    return _posts(session, OFFERS, Offer, actor, full)


def _posts(session: Session, kind: RecordKind, table, actor: Actor | None, full: bool):
    if full:
        _audit_private(session, actor, "export_full", entity=table.__tablename__,
                       detail=f"{table.__tablename__}: exact places")  # fmt: skip
    rows = []
    for post, org in session.exec(
        select(table, Organisation).join(Organisation).order_by(table.id)
    ):
        cells = records.cells_of(kind, {OWN: post, ORGANISATION: org})
        if not full:  # an informal group's point is often a home
            cells["lat"], cells["lon"], _ = public_location(org, post.lat, post.lon)
        rows.append(cells)
    return frame(kind, rows)


def export_organisations(
    session: Session, *, actor: Actor, with_contacts: bool = False
) -> pd.DataFrame:
    """Organisations; contact details, and the address and point of an informal group (often
    a home), only when an administrator asks for them."""
    contacts = {}
    if with_contacts:
        _audit_private(session, actor, "export_contacts", entity="organisation",
                       detail="organisations: contacts, addresses and exact places")  # fmt: skip
        contacts = {c.organisation_id: c for c in session.exec(select(Contact))}
    rows = []
    for org in session.exec(select(Organisation).order_by(Organisation.id)):
        cells = records.cells_of(ORGANISATIONS, {OWN: org, CONTACT: contacts.get(org.id)})
        if not with_contacts and org.legal_form == "informal":
            cells |= {"address": "", "postcode": "", "lat": None, "lon": None}
        rows.append(cells)
    return frame(ORGANISATIONS, rows)


def export_funds(session: Session) -> pd.DataFrame:
    return catalogue_frame(session).assign(**{VERSION_COLUMN: str(FORMAT_VERSION)})


def export_matches(session: Session) -> pd.DataFrame:
    rows = []  # reasons written out in the language of whoever exports
    query = select(Match, Need).join(Need, Match.need_id == Need.id).order_by(Match.id)
    for match, need in session.exec(query):
        offer = session.get(Offer, match.offer_id) if match.offer_id else None
        rows.append({
            "need_id": records.exchange_id(need), "offer_id": records.exchange_id(offer) if offer else "",
            "status": match.status, "score": match.score, "tie": match.tie,
            # For staff, who read about two other parties: the broker's words (reasons.READERS).
            "reasons": "; ".join(render_stored(match.reasons, language(), BROKER)), "value_eur": match.value_eur,
            "follow_up_on": match.follow_up_on.isoformat() if match.follow_up_on else "",
            "initiative_brings": match.initiative_brings, "partner_brings": match.partner_brings,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(MATCH_COLUMNS))


def frame(kind: RecordKind, rows: list[dict]) -> pd.DataFrame:
    # Object columns: a count stays 30 (not 30.0) and an empty cell stays empty.
    return pd.DataFrame(rows, columns=list(kind.file_columns), dtype=object)


def _audit_private(session: Session, actor: Actor | None, action: str, *, entity: str,
                   detail: str) -> None:  # fmt: skip
    """Exact places of informal groups and contact details are personal data: administrators
    only, and every such export is in the audit trail (who, when, which list)."""
    require_role(actor, "admin")
    record(session, user_id=actor.user_id, action=action, entity=entity, entity_id=None,
           detail=detail + ("" if actor.user_id else " (command line)"))  # fmt: skip


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    filename: str
    rows: int | None  # None for the sociale kaart: several tables


def export_file(
    *, session: Session, actor: Actor, what: str, full: bool = False,
    with_contacts: bool = False, excel: bool = False,
) -> ExportFile:  # fmt: skip
    """One export as a file: `what` is one of EXPORTS. `full`: exact places and, for
    organisations, contacts too (as `with_contacts`); the sociale kaart is a zip of CSVs."""
    require_role(actor, "broker", "admin")
    if what == "hsds":
        return ExportFile(hsds_zip(session), "samenspel-sociale-kaart.zip", None)
    table = {
        "needs": lambda: export_needs(session, actor=actor, full=full),
        "offers": lambda: export_offers(session, actor=actor, full=full),
        "matches": lambda: export_matches(session),
        "funds": lambda: export_funds(session),
        "organisations": lambda: export_organisations(session, actor=actor,
                                                      with_contacts=with_contacts or full),
    }[what]()  # fmt: skip
    data = to_excel_bytes(table, what) if excel else to_csv_bytes(table)
    return ExportFile(data, f"samenspel-{what}.{'xlsx' if excel else 'csv'}", len(table))
