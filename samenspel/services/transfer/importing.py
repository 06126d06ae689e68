"""import_file: a CSV or Excel file in the exchange format (docs/exchange-format.md) into the
database, in the caller's unit of work. Bad rows are reported with row, column and reason and
left out, good rows are stored; if anything breaks halfway (or the process is killed) the
entry point's unit of work leaves the database exactly as before. Importing the same file
again updates rows by their ids."""

from __future__ import annotations

import logging

from sqlmodel import Session

from samenspel.i18n import t
from samenspel.matching.csvformat import FileError, read_rows, sanitise
from samenspel.services.audit import record
from samenspel.services.errors import DomainError, InvalidInput
from samenspel.services.permissions import Actor, require_role
from samenspel.services.transfer import files
from samenspel.services.transfer.import_funds import import_funds
from samenspel.services.transfer.import_organisations import import_organisations
from samenspel.services.transfer.import_posts import import_needs, import_offers
from samenspel.services.transfer.report import ImportReport, Progress

IMPORTERS = {
    "organisations": import_organisations,
    "needs": import_needs,
    "offers": import_offers,
    "funds": import_funds,
}
KINDS_OF_FILE = tuple(IMPORTERS)
log = logging.getLogger(__name__)


def detect_kind(text: str) -> str:
    header = set(read_rows(text.split("\n", 1)[0])[0])
    if "initiative" in header:
        return "needs"
    if "partner" in header:
        return "offers"
    if "source_type" in header or "matchfunding_ratio" in header:
        return "funds"
    if "name" in header and "role" in header:
        return "organisations"
    raise FileError("we herkennen dit bestand niet: er moet een kolom 'initiative' (vragen), 'partner' "
                    "(aanbod), 'role' (organisaties) of 'source_type' (fondsen) in staan")  # fmt: skip


def import_file(
    *, session: Session, actor: Actor, filename: str, content: bytes, kind: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:  # fmt: skip
    """Import one file; raises InvalidInput (with a sentence, never SQL) when nothing of it
    may be kept: the entry point's unit of work then rolls back what was written."""
    require_role(actor, "broker", "admin")
    try:
        # Every importer reads the same rows: rows the csv module cannot read are empty rows
        # with an error, and no cell keeps a control character (PostgreSQL cannot store a NUL,
        # Excel cannot hold a vertical tab).
        text, unreadable = sanitise(
            files.read_table(filename, content), clean=True, max_rows=files.MAX_ROWS
        )
        kind = kind or detect_kind(text)
    except FileError as exc:
        raise InvalidInput({"file": str(exc)}) from exc
    if kind not in IMPORTERS:
        raise InvalidInput({"kind": t("Kies wat er in het bestand staat.")})
    progress = progress or (lambda _fraction: None)
    try:
        report = IMPORTERS[kind](session, text, progress, actor)
        report.errors = sorted([*unreadable, *report.errors], key=lambda e: e.row)
        record(session, user_id=actor.user_id, action="import", entity=kind, entity_id=None,
               detail=f"{filename[:200]}: {report.created} new, {report.updated} updated, "
               f"{len(report.errors)} errors")  # fmt: skip
        session.flush()  # the database's objections now, while they can still be told well
    except FileError as exc:
        raise InvalidInput({"file": str(exc)}) from exc
    except DomainError:
        raise
    except Exception as exc:
        # Whatever the checks missed (the database refusing a value): the person sees a
        # sentence, never the SQL statement inside the exception.
        log.exception("import of %s failed", filename)
        raise InvalidInput(
            {"file": t("Het bestand kon niet opgeslagen worden; er is niets veranderd. "
                       "Vraag de beheerder om hulp.")}
        ) from exc  # fmt: skip
    progress(1.0)
    return report
