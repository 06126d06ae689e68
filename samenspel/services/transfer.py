"""Data in and out: import of organisations, needs, offers and funds from CSV or Excel (the
exchange format of design.md), and exports for spreadsheets and sociale kaarten.

An import is one transaction: bad rows are reported with row, column and reason and left
out, good rows are stored, and if anything breaks halfway (or the process is killed) the
database is exactly as before. Importing the same file again updates rows by their ids.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlmodel import Session, col, select

from samenspel import settings
from samenspel.i18n import t
from samenspel.matching.csvformat import (
    MAX_AMOUNT_EUR,
    MAX_TEXT,
    NEED_COLUMNS,
    OFFER_COLUMNS,
    FileError,
    Row,
    RowError,
    fatal,
    parse_needs,
    parse_offers,
    read_rows,
    sanitise,
    too_many_rows,
)
from samenspel.matching.engine import Engine
from samenspel.matching.funds import parse_catalogue
from samenspel.matching.slots import slots_to_text
from samenspel.matching.types import Suggestion
from samenspel.services import suggestions
from samenspel.services.audit import record
from samenspel.services.errors import DomainError, InvalidInput
from samenspel.services.funding import fund_row
from samenspel.services.permissions import Actor, require_role
from samenspel.services.posts import conditions_for
from samenspel.storage.models import (
    LEGAL_FORMS,
    PARTNER_TYPES,
    Contact,
    Fund,
    Match,
    Need,
    Offer,
    Organisation,
    join_multi,
    utcnow,
)

ORGANISATION_COLUMNS = (
    "id", "name", "role", "partner_type", "legal_form", "anbi", "neighbourhood", "address", "postcode",
    "lat", "lon", "description", "boundaries", "contact_name", "contact_email", "contact_phone", "themes",
)  # fmt: skip
KINDS_OF_FILE = ("organisations", "needs", "offers", "funds")
Progress = Callable[[float], None]
log = logging.getLogger(__name__)

# Limits on what one import may cost. An upload is refused before anything is unpacked or
# parsed when it is bigger, and an Excel file (a zip archive) when what it would unpack to is
# bigger or suspiciously well compressed: a zip bomb of 718 kB once took 4 GB of memory.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000  # rows with data; a bigger file is split (each row is checked and matched)
MAX_BLANK_ROWS = 10_000  # empty rows in a sheet (cheap to store, so they can be many)
MAX_COLUMNS = 100
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # all members of an Excel file together, unpacked
MAX_RATIO = 100  # unpacked size / packed size of one member bigger than RATIO_FROM_BYTES
RATIO_FROM_BYTES = 1024 * 1024
MAX_MEMBERS = 1_000


@dataclass
class ImportReport:
    kind: str
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)


def _mb(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"


def read_table(filename: str, content: bytes) -> str:
    """CSV text from a .csv or .xlsx upload, within the limits above (FileError if not)."""
    if len(content) > MAX_FILE_BYTES:
        raise FileError(
            t("het bestand is groter dan {limit}; splits het in kleinere bestanden",
              limit=_mb(MAX_FILE_BYTES))
        )  # fmt: skip
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return _excel_to_csv(content)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError("het bestand is geen UTF-8-tekst (sla het op als CSV UTF-8)") from exc


UNREADABLE_EXCEL = "dit Excel-bestand kan niet gelezen worden"


def _check_archive(content: bytes) -> None:
    """Refuse an Excel file (a zip archive) that would unpack to too much, before openpyxl
    opens it. First the sizes the archive declares, then the sizes it really unpacks to
    (counted while unpacking in small pieces, and thrown away): a forged header is caught
    there, because Python's zipfile never unpacks more than declared and then checks the CRC."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileError(UNREADABLE_EXCEL) from exc
    too_big = FileError(
        t("dit Excel-bestand pakt uit tot meer dan {limit}; dat nemen we niet aan",
          limit=_mb(MAX_UNPACKED_BYTES))
    )  # fmt: skip
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise FileError(UNREADABLE_EXCEL)
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise too_big
        for member in members:
            if member.file_size > RATIO_FROM_BYTES and member.file_size > MAX_RATIO * max(
                1, member.compress_size
            ):
                # No real sheet packs this tightly; a zip bomb does.
                raise FileError(
                    t(
                        "dit Excel-bestand is verdacht sterk ingepakt (een zip-bom?); dat nemen we niet aan"
                    )
                )
        unpacked = 0
        try:
            for member in members:
                with archive.open(member) as stream:
                    while chunk := stream.read(1024 * 1024):
                        unpacked += len(chunk)
                        if unpacked > MAX_UNPACKED_BYTES:
                            raise too_big
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, RuntimeError) as exc:
            raise FileError(UNREADABLE_EXCEL) from exc


def _cell_text(value: object) -> str:
    """A cell as the text a person sees in it (a date as JJJJ-MM-DD, 30 not 30.0)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _excel_rows(content: bytes) -> Iterator[list[str]]:
    """The first sheet's rows as text, read as a stream (openpyxl read_only)."""
    import openpyxl  # only an Excel import needs it

    _check_archive(content)
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file problem
        raise FileError(UNREADABLE_EXCEL) from exc
    try:
        if not book.worksheets:
            raise FileError(UNREADABLE_EXCEL)
        sheet = book.worksheets[0]
        # The size a sheet declares can be wrong (or a million rows by a million columns):
        # read only the cells that are really there.
        sheet.reset_dimensions()
        width = None
        for values in sheet.iter_rows(values_only=True):
            cells = [_cell_text(v) for v in values[: width or MAX_COLUMNS + 1]]
            if width is None:  # the header row decides how many columns there are
                while cells and not cells[-1].strip():
                    cells.pop()
                if len(cells) > MAX_COLUMNS:
                    raise FileError(t("het bestand heeft meer dan {n} kolommen", n=MAX_COLUMNS))
                width = max(1, len(cells))
            yield cells + [""] * (width - len(cells))
    except FileError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken sheet is the user's file problem
        raise FileError(UNREADABLE_EXCEL) from exc
    finally:
        book.close()


def _excel_to_csv(content: bytes) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    filled = blank = 0
    for number, cells in enumerate(_excel_rows(content), start=1):
        if number > 1 and any(cell.strip() for cell in cells):
            filled += 1
            if filled > MAX_ROWS:
                raise FileError(too_many_rows(MAX_ROWS))
        elif number > 1:
            blank += 1
            if blank > MAX_BLANK_ROWS:
                raise FileError(
                    t("het bestand heeft meer dan {n} lege rijen; haal ze weg",
                      n=f"{MAX_BLANK_ROWS:,}".replace(",", "."))
                )  # fmt: skip
        writer.writerow(cells)
    return out.getvalue()


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
    require_role(actor, "broker", "admin")
    try:
        # Every importer reads the same rows: rows the csv module cannot read are empty rows
        # with an error, and no cell keeps a control character (PostgreSQL cannot store a NUL,
        # Excel cannot hold a vertical tab).
        text, unreadable = sanitise(read_table(filename, content), clean=True, max_rows=MAX_ROWS)
        kind = kind or detect_kind(text)
    except FileError as exc:
        raise InvalidInput({"file": str(exc)}) from exc
    if kind not in KINDS_OF_FILE:
        raise InvalidInput({"kind": t("Kies wat er in het bestand staat.")})
    progress = progress or (lambda _fraction: None)
    importer = {"organisations": _import_organisations, "needs": _import_needs, "offers": _import_offers,
                "funds": _import_funds}[kind]  # fmt: skip
    try:
        report = importer(session, text, progress, actor)
        report.errors = sorted([*unreadable, *report.errors], key=lambda e: e.row)
        record(
            session,
            user_id=actor.user_id,
            action="import",
            entity=kind,
            entity_id=None,
            detail=f"{filename[:200]}: {report.created} new, {report.updated} updated, "
            f"{len(report.errors)} errors",
        )
        session.commit()  # the one commit: a crash before it leaves nothing behind
    except FileError as exc:
        session.rollback()
        raise InvalidInput({"file": str(exc)}) from exc
    except DomainError:
        session.rollback()
        raise
    except Exception as exc:
        # Whatever the checks above missed (the database refusing a value): nothing is saved,
        # and the person sees a sentence, never the SQL statement inside the exception.
        session.rollback()
        log.exception("import of %s failed", filename)
        raise InvalidInput(
            {"file": t("Het bestand kon niet opgeslagen worden; er is niets veranderd. "
                       "Vraag de beheerder om hulp.")}
        ) from exc  # fmt: skip
    progress(1.0)
    return report


def _organisation(
    session: Session, cache: dict[str, Organisation], name: str, **defaults
) -> Organisation:
    """The organisation with this name, created on first sight (imports refer to names)."""
    key = name.strip().lower()
    if key not in cache:
        found = session.exec(select(Organisation).where(Organisation.name == name.strip())).first()
        if found is None:
            found = Organisation(name=name.strip(), **defaults)
            session.add(found)
            session.flush()
        cache[key] = found
    return cache[key]


EXPORTED_ID = {
    Need: "N",
    Offer: "O",
    Organisation: "ORG",
}  # ids our exports give records without one


def _by_external_id(session: Session, table, ids: list[str]) -> dict[str, object]:
    """Existing rows by their ids in the file, so that a re-import updates instead of duplicating;
    an id such as N12 from our own export finds record 12."""
    found: dict[str, object] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in session.exec(select(table).where(col(table.external_id).in_(chunk))):
            found[row.external_id] = row
    prefix = EXPORTED_ID[table]
    for wanted in ids:
        number = wanted[len(prefix) :]
        if wanted not in found and wanted.startswith(prefix) and number.isdigit():
            row = session.get(table, int(number))
            if row is not None and row.external_id is None:
                row.external_id = wanted
                found[wanted] = row
    return found


def _rows_by_id(text: str) -> dict[str, int]:
    return {(cells.get("id") or "").strip(): number for number, cells in read_rows(text)[1]}


def _store_suggestions(session: Session, results: Iterable[tuple[int, list[Suggestion]]]) -> None:
    """Store fresh suggestions for many needs. Each store deletes with a query that looks
    through every object the session holds, so the session is emptied every few hundred
    needs (after a flush, nothing is lost): that kept a 20,000-row import from growing
    quadratically (6 minutes instead of under one)."""
    session.flush()
    session.expunge_all()
    for count, (need_id, found) in enumerate(results, start=1):
        suggestions._store(session, need_id, found)
        if count % 200 == 0:
            session.flush()
            session.expunge_all()


def _outside(actor: Actor, org: Organisation | None) -> bool:
    """A broker imports only for organisations in their own areas (or new ones)."""
    from samenspel.services.permissions import covers_area

    return (
        actor.role == "broker"
        and org is not None
        and org.id is not None
        and not covers_area(actor, org.neighbourhood)
    )


OUTSIDE = "hoort bij een organisatie buiten jouw buurten"


def _refused(session: Session, actor: Actor, orgs: dict[str, Organisation], row, name: str) -> bool:
    """A broker may not touch a record, or attach one to an organisation, outside their areas.
    Organisations met earlier in this file (created or already accepted) pass."""
    current = session.get(Organisation, row.organisation_id) if row is not None else None
    named = (
        None
        if name.strip().lower() in orgs
        else session.exec(select(Organisation).where(Organisation.name == name.strip())).first()
    )
    return _outside(actor, current) or _outside(actor, named)


def _import_needs(session: Session, text: str, progress: Progress, actor: Actor) -> ImportReport:
    needs, errors = parse_needs(text)
    report = ImportReport("needs", errors=fatal(errors))
    orgs: dict[str, Organisation] = {}
    existing = _by_external_id(session, Need, [n.id for n in needs])
    row_of = _rows_by_id(text)
    for number, item in enumerate(needs, start=1):
        if _refused(session, actor, orgs, existing.get(item.id), item.initiative):
            report.errors.append(RowError(row_of.get(item.id, 0), "initiative", OUTSIDE))
            continue
        org = _organisation(
            session,
            orgs,
            item.initiative or t("Onbekend initiatief"),
            role="initiative",
            partner_type="initiative",
            legal_form=item.legal_form,
            lat=item.lat,
            lon=item.lon,
        )
        row = existing.get(item.id) or Need(
            external_id=item.id, organisation_id=org.id, kind=item.kind, title=""
        )
        report.updated += item.id in existing
        report.created += item.id not in existing
        row.organisation_id, row.kind, row.title, row.description = (
            org.id,
            item.kind,
            item.title,
            item.description,
        )
        row.themes, row.people, row.amount_eur = (
            join_multi(item.themes),
            item.people,
            item.amount_eur,
        )
        row.conditions = conditions_for(item.title, item.description, item.themes)
        row.slots, row.place, row.lat, row.lon = (
            slots_to_text(item.slots),
            item.place,
            item.lat,
            item.lon,
        )
        row.max_distance_km, row.deadline, row.updated_at = (
            item.max_distance_km,
            item.deadline,
            utcnow(),
        )
        session.add(row)
        if number % 250 == 0:
            progress(0.8 * number / len(needs))
    session.flush()
    # Fresh suggestions for exactly these needs, in the same transaction.
    engine = Engine(suggestions.open_offers(session), lang="nl", extra_languages=("en",))
    wanted = []
    for start in range(0, len(needs), 500):
        chunk = [n.id for n in needs[start : start + 500]]
        wanted.extend(session.exec(select(Need, Organisation).join(Organisation).where(
            col(Need.external_id).in_(chunk), Need.status == "open"
        )).all())  # fmt: skip
    stored = [suggestions.need_in(need, org) for need, org in wanted]
    _store_suggestions(
        session,
        ((int(need.id), engine.suggest_for_need(need, settings.top_k())) for need in stored),
    )
    return report


def _import_offers(session: Session, text: str, progress: Progress, actor: Actor) -> ImportReport:
    offers, errors = parse_offers(text)
    report = ImportReport("offers", errors=fatal(errors))
    orgs: dict[str, Organisation] = {}
    existing = _by_external_id(session, Offer, [o.id for o in offers])
    row_of = _rows_by_id(text)
    for number, item in enumerate(offers, start=1):
        if _refused(session, actor, orgs, existing.get(item.id), item.partner):
            report.errors.append(RowError(row_of.get(item.id, 0), "partner", OUTSIDE))
            continue
        org = _organisation(session, orgs, item.partner or t("Onbekende partner"), role="partner",
                            partner_type=item.partner_type, legal_form="company" if item.partner_type == "business"
                            else "foundation", lat=item.lat, lon=item.lon)  # fmt: skip
        row = existing.get(item.id) or Offer(
            external_id=item.id, organisation_id=org.id, kind=item.kind, title=""
        )
        report.updated += item.id in existing
        report.created += item.id not in existing
        row.organisation_id, row.kind, row.title, row.description = (
            org.id,
            item.kind,
            item.title,
            item.description,
        )
        row.themes, row.capacity = join_multi(item.themes), item.capacity
        row.conditions = conditions_for(item.title, item.description, item.themes)
        row.amount_min_eur, row.amount_max_eur = item.amount_min_eur, item.amount_max_eur
        row.slots, row.place, row.lat, row.lon = (
            slots_to_text(item.slots),
            item.place,
            item.lat,
            item.lon,
        )
        row.radius_km, row.deadline = item.radius_km, item.deadline
        row.eligible_legal_forms, row.updated_at = (
            join_multi(sorted(item.eligible_legal_forms)),
            utcnow(),
        )
        session.add(row)
        if number % 250 == 0:
            progress(0.8 * number / len(offers))
    session.flush()
    # New or changed offers can enter any need's top-k: refresh the needs of these kinds.
    engine = Engine(suggestions.open_offers(session), lang="nl", extra_languages=("en",))
    kinds = {item.kind for item in offers}
    needs = [n for kind in kinds for n in suggestions.open_needs(session, kind)]
    _store_suggestions(
        session, ((int(r.need_id), r.suggestions) for r in engine.suggest(needs, settings.top_k()))
    )
    return report


def _import_organisations(
    session: Session, text: str, progress: Progress, actor: Actor
) -> ImportReport:
    require_role(
        actor, "admin"
    )  # names, addresses and contact people of anyone: administrators only
    _, raw_rows, unreadable = read_rows(text)
    report = ImportReport("organisations", errors=unreadable)
    rows = [(number, {k: v.strip() for k, v in cells.items()}) for number, cells in raw_rows]
    existing = _by_external_id(session, Organisation, [cells.get("id", "") for _, cells in rows])
    seen: set[str] = set()
    for number, cells in rows:
        problems, lat, lon = _check_organisation(number, cells)
        if cells.get("id") and cells["id"] in seen:
            # Two rows for one id would both become a new organisation with that id.
            problems.append(RowError(number, "id", f"'{cells['id'][:64]}' komt twee keer voor"))
        if problems:
            report.errors.extend(problems)
            continue
        if cells.get("id"):
            seen.add(cells["id"])
        row = existing.get(cells.get("id", "")) or Organisation(
            external_id=cells.get("id") or None, name=""
        )
        report.updated += row.id is not None
        report.created += row.id is None
        row.name, row.role = cells["name"], cells.get("role") or "initiative"
        row.partner_type = cells.get("partner_type") or (
            "initiative" if row.role == "initiative" else "business"
        )
        row.legal_form = cells.get("legal_form") or "informal"
        row.anbi = cells.get("anbi", "").lower() in ("yes", "ja", "true", "1")
        for name in ("neighbourhood", "address", "postcode", "description", "boundaries", "themes"):
            setattr(row, name, cells.get(name, ""))
        row.lat, row.lon = lat, lon
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
        contact = session.exec(
            select(Contact).where(Contact.organisation_id == row.id)
        ).first() or Contact(organisation_id=row.id)
        contact.person, contact.email = (
            cells.get("contact_name", ""),
            cells.get("contact_email", ""),
        )
        contact.phone = cells.get("contact_phone", "")
        session.add(contact)
        if number % 250 == 0:
            progress(0.9 * number / max(1, len(rows)))
    return report


ORGANISATION_LIMITS = {
    "id": 64, "name": 200, "description": MAX_TEXT, "boundaries": MAX_TEXT, "neighbourhood": 100,
    "address": 200, "postcode": 10, "themes": 500, "contact_name": 200, "contact_email": 200,
    "contact_phone": 50,
}  # fmt: skip


def _check_organisation(
    number: int, cells: dict[str, str]
) -> tuple[list[RowError], float | None, float | None]:
    """What is wrong with one organisation row, and its place (lat, lon) once checked."""
    problems = [
        RowError(number, name, f"is langer dan {limit} tekens")
        for name, limit in ORGANISATION_LIMITS.items()
        if len(cells.get(name, "")) > limit
    ]
    if not cells.get("name"):
        problems.append(RowError(number, "name", "is leeg, maar moet ingevuld zijn"))
    if cells.get("role") and cells["role"] not in ("initiative", "partner"):
        problems.append(
            RowError(number, "role", f"'{cells['role']}' is niet een van: initiative, partner")
        )
    if cells.get("legal_form") and cells["legal_form"] not in LEGAL_FORMS:
        problems.append(
            RowError(
                number,
                "legal_form",
                f"'{cells['legal_form']}' is niet een van: {', '.join(LEGAL_FORMS)}",
            )
        )
    if cells.get("partner_type") and cells["partner_type"] not in PARTNER_TYPES:
        problems.append(
            RowError(
                number, "partner_type", f"'{cells['partner_type']}' is geen bekend soort partner"
            )
        )
    # The same checks as for needs and offers: a number, finite, on earth.
    row = Row(number, cells, problems)
    lat = row.number_("lat", minimum=-90, maximum=90)
    lon = row.number_("lon", minimum=-180, maximum=180)
    if (lat is None) != (lon is None) and not any(p.column in ("lat", "lon") for p in problems):
        problems.append(RowError(number, "lon" if lon is None else "lat",
                                 "lat en lon horen samen: vul beide in"))  # fmt: skip
    return problems, lat, lon


# Bounds for a fund's numbers: beyond them a value is a typing error (and 1e30 weeks of lead
# time would overflow the dates of a money plan).
FUND_MAXIMA = {
    "amount_min_eur": MAX_AMOUNT_EUR, "amount_max_eur": MAX_AMOUNT_EUR,
    "matchfunding_cap_eur": MAX_AMOUNT_EUR, "matchfunding_ratio": 100,
    "lead_time_weeks": 520, "decision_weeks": 520,
}  # fmt: skip


def _fund_problems(number: int, fund) -> list[RowError]:
    """What the catalogue parser does not check: lengths of the columns a fund is stored in,
    and upper bounds of its numbers."""
    problems = []
    stored = fund_row(fund)  # a fresh row: an existing one must not change before the checks
    for column in Fund.__table__.columns:
        value, limit = getattr(stored, column.name, None), getattr(column.type, "length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            name = {"key": "id"}.get(column.name, column.name)
            problems.append(RowError(number, name, f"is langer dan {limit} tekens"))
    for name, maximum in FUND_MAXIMA.items():
        value = getattr(fund, name, None)
        if value is not None and value > maximum:
            problems.append(
                RowError(number, name, f"{value:g} is groter dan {maximum:,}".replace(",", "."))
            )
    return problems


def _import_funds(session: Session, text: str, progress: Progress, actor: Actor) -> ImportReport:
    funds, errors = parse_catalogue(text)
    report = ImportReport("funds", errors=errors)
    existing = {row.key: row for row in session.exec(select(Fund))}
    row_of = _rows_by_id(text)
    for fund in funds:
        problems = _fund_problems(row_of.get(fund.id, 0), fund)
        if problems:
            report.errors.extend(problems)
            continue
        report.updated += fund.id in existing
        report.created += fund.id not in existing
        session.add(fund_row(fund, existing.get(fund.id)))
    progress(0.9)
    return report


# --- exports ------------------------------------------------------------------------------


def _where(org: Organisation, lat, lon, full: bool) -> tuple:
    """An informal group's point is often a home: only an administrator's full export has it."""
    if full:
        return lat, lon
    from samenspel.services.places import public_location

    shown_lat, shown_lon, _ = public_location(org, lat, lon)
    return shown_lat, shown_lon


def _full_export(session: Session, actor: Actor | None, full: bool, what: str) -> bool:
    """Exact places of informal groups (often a home) are personal data: administrators only,
    and every such export is in the audit trail (who, when, which list)."""
    if full:
        require_role(actor, "admin")
        record(session, user_id=actor.user_id, action="export_full", entity=what, entity_id=None,
               detail=f"{what}: exact places{'' if actor.user_id else ' (command line)'}")  # fmt: skip
        session.commit()
    return full


def export_needs(
    session: Session, *, actor: Actor | None = None, full: bool = False
) -> pd.DataFrame:
    full = _full_export(session, actor, full, "need")
    rows = []
    for need, org in session.exec(select(Need, Organisation).join(Organisation).order_by(Need.id)):
        lat, lon = _where(org, need.lat, need.lon, full)
        rows.append({
            "id": need.external_id or f"N{need.id}", "initiative": org.name, "legal_form": org.legal_form,
            "kind": need.kind, "title": need.title, "description": need.description, "themes": need.themes,
            "place": need.place, "lat": lat, "lon": lon, "people": need.people,
            "amount_eur": need.amount_eur, "when": need.slots, "max_distance_km": need.max_distance_km,
            "deadline": need.deadline.isoformat() if need.deadline else None,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(NEED_COLUMNS))


def export_offers(
    session: Session, *, actor: Actor | None = None, full: bool = False
) -> pd.DataFrame:
    full = _full_export(session, actor, full, "offer")
    rows = []
    for offer, org in session.exec(
        select(Offer, Organisation).join(Organisation).order_by(Offer.id)
    ):
        lat, lon = _where(org, offer.lat, offer.lon, full)
        rows.append({
            "id": offer.external_id or f"O{offer.id}", "partner": org.name, "partner_type": org.partner_type,
            "kind": offer.kind, "title": offer.title, "description": offer.description, "themes": offer.themes,
            "place": offer.place, "lat": lat, "lon": lon, "capacity": offer.capacity,
            "amount_min_eur": offer.amount_min_eur, "amount_max_eur": offer.amount_max_eur, "when": offer.slots,
            "radius_km": offer.radius_km, "eligible_legal_forms": offer.eligible_legal_forms,
            "deadline": offer.deadline.isoformat() if offer.deadline else None,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(OFFER_COLUMNS))


def export_organisations(
    session: Session, *, actor: Actor, with_contacts: bool = False
) -> pd.DataFrame:
    """Organisations; contact details only when an administrator asks for them."""
    if with_contacts:
        require_role(actor, "admin")
        record(
            session,
            user_id=actor.user_id,
            action="export_contacts",
            entity="organisation",
            entity_id=None,
            detail="organisations: contacts, addresses and exact places"
            + ("" if actor.user_id else " (command line)"),
        )
        session.commit()
    contacts = (
        {c.organisation_id: c for c in session.exec(select(Contact))} if with_contacts else {}
    )
    rows = []
    for org in session.exec(select(Organisation).order_by(Organisation.id)):
        contact = contacts.get(org.id)
        rows.append({
            "id": org.external_id or f"ORG{org.id}", "name": org.name, "role": org.role,
            "partner_type": org.partner_type, "legal_form": org.legal_form, "anbi": "yes" if org.anbi else "no",
            # A home address only in the administrator's full export (with contacts).
            "neighbourhood": org.neighbourhood,
            "address": org.address if with_contacts or org.legal_form != "informal" else "",
            "postcode": org.postcode if with_contacts or org.legal_form != "informal" else "",
            "lat": org.lat if with_contacts or org.legal_form != "informal" else None,
            "lon": org.lon if with_contacts or org.legal_form != "informal" else None,
            "description": org.description, "boundaries": org.boundaries,
            "contact_name": contact.person if contact else "", "contact_email": contact.email if contact else "",
            "contact_phone": contact.phone if contact else "", "themes": org.themes,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(ORGANISATION_COLUMNS))


def export_matches(session: Session) -> pd.DataFrame:
    rows = []
    for match, need in session.exec(
        select(Match, Need).join(Need, Match.need_id == Need.id).order_by(Match.id)
    ):
        offer = session.get(Offer, match.offer_id) if match.offer_id else None
        rows.append({
            "need_id": need.external_id or f"N{need.id}",
            "offer_id": (offer.external_id or f"O{offer.id}") if offer else "", "status": match.status,
            "score": match.score, "tie": match.tie, "reasons": "; ".join(match.reasons),
            "value_eur": match.value_eur, "follow_up_on": match.follow_up_on.isoformat() if match.follow_up_on else "",
        })  # fmt: skip
    return pd.DataFrame(rows, columns=["need_id", "offer_id", "status", "score", "tie", "reasons", "value_eur",
                                       "follow_up_on"])  # fmt: skip


def export_hsds(session: Session) -> dict[str, pd.DataFrame]:
    """An Open Referral HSDS-style sociale kaart: partners as organizations, their offers as
    services, their public addresses as locations. Informal groups and contacts left out."""
    organizations, services, locations = [], [], []
    partners = session.exec(
        select(Organisation).where(Organisation.role == "partner").order_by(Organisation.id)
    )
    for org in partners:
        org_id = org.external_id or f"ORG{org.id}"
        organizations.append(
            {
                "id": org_id,
                "name": org.name,
                "description": org.description,
                "legal_status": org.legal_form,
                "tax_status": "ANBI" if org.anbi else "",
            }
        )
        if (
            org.lat is not None and org.legal_form != "informal"
        ):  # an informal group's address is a home
            locations.append({"id": f"L-{org_id}", "organization_id": org_id, "name": org.name,
                              "address_1": org.address, "postal_code": org.postcode, "city": org.municipality,
                              "latitude": org.lat, "longitude": org.lon})  # fmt: skip
        for offer in session.exec(
            select(Offer).where(Offer.organisation_id == org.id, Offer.status == "open")
        ):
            services.append({"id": offer.external_id or f"O{offer.id}", "organization_id": org_id,
                             "name": offer.title, "description": offer.description, "status": "active",
                             "keywords": offer.themes, "category": offer.kind})  # fmt: skip
    return {
        "organizations.csv": pd.DataFrame(organizations),
        "services.csv": pd.DataFrame(services),
        "locations.csv": pd.DataFrame(locations),
    }
