"""Imports and exports: every payload in every text column of a CSV and an Excel import is
stored as data (or refused with a row error), and no export, in any format, holds a cell that
a spreadsheet would evaluate."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlmodel import Session, select

from samenspel import cli
from samenspel.matching.csvformat import NEED_COLUMNS, OFFER_COLUMNS
from samenspel.matching.funds import FUND_COLUMNS
from samenspel.services import transfer
from samenspel.services.permissions import Actor
from samenspel.storage import db
from samenspel.storage.models import Fund, Need, Offer, Organisation
from tests.security.payloads import PAYLOADS, live_formula, normal, same_text, short, summary

SYSTEM = Actor(user_id=None, role="admin", system=True)
# Categories a surface may refuse with a message instead of storing (too long, or characters
# that are not text); everything else is ordinary text and must be stored as typed.
MAY_REFUSE = {"size", "control"}


def ident(number: int, text: str) -> str:
    """A unique id that still starts like the payload (formula characters included)."""
    return f"{text[:50]}#{number}"


def need_row(number: int, text: str) -> dict[str, str]:
    return {"id": ident(number, text), "initiative": text, "legal_form": "informal",
            "kind": "goods", "title": text, "description": text, "themes": text, "place": text,
            "lat": "52.09", "lon": "5.10"}  # fmt: skip


def offer_row(number: int, text: str) -> dict[str, str]:
    return {"id": ident(number, text), "partner": text, "partner_type": "business",
            "kind": "goods", "title": text, "description": text, "themes": text, "place": text,
            "lat": "52.091", "lon": "5.101"}  # fmt: skip


def organisation_row(number: int, text: str) -> dict[str, str]:
    return {"id": ident(number, text), "name": f"Org {number} {text}", "role": "partner",
            "partner_type": "business", "legal_form": "company", "neighbourhood": text,
            "address": text, "postcode": text[:10], "description": text, "boundaries": text,
            "contact_name": text, "contact_email": text, "contact_phone": text[:50],
            "themes": text, "lat": "52.09", "lon": "5.10"}  # fmt: skip


def fund_row(number: int, text: str) -> dict[str, str]:
    return {"id": f"fonds-{number}", "name": text, "source_type": "fund",
            "region_scope": "national", "themes": "buurt", "amount_max_eur": "1000",
            "url": "https://fonds.example/", "notes": text, "checked_on": "2026-11-25"}  # fmt: skip


FILES = {
    "needs": (NEED_COLUMNS, need_row),
    "offers": (OFFER_COLUMNS, offer_row),
    "organisations": (transfer.ORGANISATION_COLUMNS, organisation_row),
    "funds": (FUND_COLUMNS, fund_row),
}


def csv_file(kind: str, payloads) -> bytes:
    columns, row = FILES[kind]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), restval="")
    writer.writeheader()
    for number, payload in enumerate(payloads):
        writer.writerow(row(number, payload.text))
    return buffer.getvalue().encode("utf-8")


def xlsx_file(kind: str, payloads) -> bytes:
    """The same rows as an Excel workbook, every cell a text cell (as a person types it)."""
    columns, row = FILES[kind]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(columns))
    for number, payload in enumerate(payloads):
        values = row(number, payload.text)
        sheet.append([values.get(column, "") for column in columns])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, also when it starts with "=": what was typed
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def fits_in_xlsx(text: str) -> bool:
    """Excel files cannot hold most control characters at all."""
    return not ILLEGAL_CHARACTERS_RE.search(text)


def stored_texts(session: Session, kind: str) -> dict[str, list[str]]:
    """external id -> the stored texts that must read back as typed."""
    if kind == "needs":
        rows = session.exec(select(Need, Organisation).join(Organisation)).all()
        return {n.external_id: [n.title, n.description, o.name] for n, o in rows}
    if kind == "offers":
        rows = session.exec(select(Offer, Organisation).join(Organisation)).all()
        return {n.external_id: [n.title, n.description, o.name] for n, o in rows}
    if kind == "organisations":
        rows = session.exec(select(Organisation)).all()
        return {o.external_id: [o.description, o.boundaries, o.address] for o in rows}
    return {f.key: [f.name, f.notes] for f in session.exec(select(Fund)).all()}


def import_and_check(engine, kind: str, filename: str, content: bytes, payloads):
    """Import in a unit of work of its own, as the command line and the data page do; every
    payload's row is stored as typed or reported by row number."""
    try:
        with db.unit_of_work(engine) as session:
            report = transfer.import_file(
                session=session, actor=SYSTEM, filename=filename, content=content, kind=kind
            )
    except Exception as exc:  # noqa: BLE001 - a crash is the finding; the next file still runs
        return None, [f"{kind}: {filename} import crashed: {exc.__class__.__name__}: "
                      f"{str(exc).splitlines()[0][:200]}"]  # fmt: skip
    refused_rows = {error.row for error in report.errors}
    with Session(engine) as session:
        stored = {normal(key or ""): texts for key, texts in stored_texts(session, kind).items()}
    problems = []
    for number, payload in enumerate(payloads):
        key = normal(f"fonds-{number}" if kind == "funds" else ident(number, payload.text))
        if number + 2 in refused_rows:  # spreadsheet row: the header is row 1
            if payload.category not in MAY_REFUSE:
                reasons = [str(e) for e in report.errors if e.row == number + 2]
                problems.append(f"{kind}: refused {payload}: {reasons}")
            continue
        texts = stored.get(key)
        if texts is None:
            problems.append(f"{kind}: {payload} neither stored nor refused")
        elif not all(same_text(got, payload.text) for got in texts):
            problems.append(f"{kind}: {payload} stored as {[short(t) for t in texts]}")
    return report, problems


@pytest.fixture
def hostile_database(engine, monkeypatch):
    """A database holding every payload in every text column, imported from CSV."""
    problems = []
    for kind in ("organisations", "needs", "offers", "funds"):
        _, found = import_and_check(engine, kind, f"{kind}.csv", csv_file(kind, PAYLOADS), PAYLOADS)
        problems += found
    monkeypatch.setenv("SAMENSPEL_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine, problems


def test_csv_import_stores_every_payload_as_data(hostile_database):
    _, problems = hostile_database
    summary("csv import", payloads=len(PAYLOADS), files=len(FILES), problems=len(problems))
    assert problems == [], problems[:5]


def test_xlsx_import_stores_every_payload_as_data(engine):
    payloads = [p for p in PAYLOADS if fits_in_xlsx(p.text)]
    problems = []
    for kind in ("organisations", "needs", "offers", "funds"):
        content = xlsx_file(kind, payloads)
        _, found = import_and_check(engine, kind, f"{kind}.xlsx", content, payloads)
        problems += found
    summary("xlsx import", payloads=len(payloads), skipped_not_representable=len(PAYLOADS) - len(payloads),
            files=len(FILES), problems=len(problems))  # fmt: skip
    assert problems == [], problems[:5]


def live_csv_cells(content: bytes) -> list[str]:
    """Cells a spreadsheet would evaluate; a plain number such as -3.5 is a number, not one."""
    live = []
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")):
        for cell in row:
            if live_formula(cell):
                try:
                    float(cell)
                except ValueError:
                    live.append(cell)
    return live


def live_xlsx_cells(content: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" or live_formula(cell.value)
    ]


EXPORTS = ["needs", "offers", "matches", "funds", "organisations"]


def test_no_export_holds_a_live_formula(hostile_database, tmp_path: Path, capsys):
    engine, _ = hostile_database
    live, failed, files, cells = [], [], 0, 0
    runs = [([what, "-o", str(tmp_path / f"{what}.{ext}")], ext) for what in EXPORTS
            for ext in ("csv", "xlsx")]  # fmt: skip
    runs += [(["organisations", "--with-contacts", "-o", str(tmp_path / "contacts.csv")], "csv")]
    runs += [(["needs", "--full", "-o", str(tmp_path / "full.xlsx")], "xlsx")]
    runs += [(["hsds", "-o", str(tmp_path / "hsds.zip")], "zip")]
    for args, ext in runs:
        code = cli.main(["export", *args])
        if code != 0:
            failed.append(f"export {' '.join(args[:-2])}: exit {code}: {capsys.readouterr().err}")
            continue
        content = Path(args[-1]).read_bytes()
        if ext == "csv":
            contents = [content]
        elif ext == "zip":
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                contents = [archive.read(name) for name in archive.namelist()]
        else:
            contents = []
            found = live_xlsx_cells(content)
            live += found
            cells += sum(1 for _ in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows())
        for part in contents:
            files += 1
            live += live_csv_cells(part)
            cells += part.count(b"\n")
    summary("exports", exports=len(runs), files=files, rows=cells, failed=len(failed),
            live_formulas=len(live))  # fmt: skip
    assert failed == [], failed
    assert live == [], [short(cell) for cell in live[:10]]
