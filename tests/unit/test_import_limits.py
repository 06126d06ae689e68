"""Imports have limits on file size, rows, columns and what an Excel file unpacks to, and an
Excel file is read as a stream: a zip bomb or a huge file is refused in seconds, with a
message that says the limit, and nothing is saved."""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import time
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import Session, func, select

from samenspel.matching.csvformat import NEED_COLUMNS
from samenspel.services import transfer
from samenspel.services.errors import InvalidInput
from samenspel.services.permissions import Actor
from samenspel.storage.models import Need
from tests.conftest import ROOT

SYSTEM = Actor(user_id=None, role="admin", system=True)
SHEET = "xl/worksheets/sheet1.xml"
SHEET_START = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
               b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')  # fmt: skip
SHEET_END = b"</sheetData></worksheet>"


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_sheet(path: Path, write_sheet) -> Path:
    """A real workbook whose first sheet's XML is written by `write_sheet(stream)`."""
    base = workbook([["id", "kind", "title"]])
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out,
    ):
        for item in source.infolist():
            if item.filename != SHEET:
                out.writestr(item, source.read(item))
        with out.open(SHEET, "w") as sheet:
            write_sheet(sheet)
    return path


def bomb(path: Path, unpacked: int) -> Path:
    """A sheet of `unpacked` bytes of identical cells; it packs about 500 to 1."""
    row = b"<row>" + b"<c><v>1</v></c>" * 1000 + b"</row>"

    def write(sheet):
        sheet.write(SHEET_START)
        for _ in range(unpacked // len(row)):
            sheet.write(row)
        sheet.write(SHEET_END)

    return with_sheet(path, write)


def forge_size(path: Path, name: str = SHEET, size: int = 10_000) -> None:
    """Make the archive lie: declare `size` unpacked bytes for `name`, in the central
    directory and in the local header, whatever the member really holds."""
    data = bytearray(path.read_bytes())
    central = data.rfind(name.encode()) - 46
    assert data[central : central + 4] == b"PK\x01\x02"
    local = int.from_bytes(data[central + 42 : central + 46], "little")
    assert data[local : local + 4] == b"PK\x03\x04"
    data[central + 24 : central + 28] = size.to_bytes(4, "little")
    data[local + 22 : local + 26] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))


def limited_memory() -> None:
    """Run in the child before it starts: at most 1 GiB of address space."""
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def import_in_a_small_process(
    tmp_path: Path, file: Path
) -> tuple[subprocess.CompletedProcess, float]:
    env = {
        **os.environ,
        "SAMENSPEL_INSTANCE_DIR": str(tmp_path / "instance"),
        "SAMENSPEL_DEMO": "0",
    }
    env.pop("SAMENSPEL_DATABASE_URL", None)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "samenspel.cli", "import", str(file), "--kind", "needs"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        preexec_fn=limited_memory,
    )  # fmt: skip
    return result, time.monotonic() - started


def test_a_zip_bomb_is_refused_in_seconds_within_1_gib(tmp_path):
    file = bomb(tmp_path / "bom.xlsx", 400 * 1024 * 1024)
    assert file.stat().st_size < 1024 * 1024  # under 1 MB on disk, 400 MB unpacked
    result, seconds = import_in_a_small_process(tmp_path, file)
    assert result.returncode == 2, result.stderr
    assert "pakt uit tot meer dan 100 MB" in result.stderr and "Traceback" not in result.stderr
    assert seconds < 30


def test_a_small_zip_bomb_is_refused_by_how_tightly_it_is_packed(tmp_path):
    file = bomb(tmp_path / "klein.xlsx", 50 * 1024 * 1024)  # under the 100 MB limit
    started = time.monotonic()
    with pytest.raises(transfer.FileError, match="zip-bom"):
        transfer.read_table("klein.xlsx", file.read_bytes())
    assert time.monotonic() - started < 5  # before anything is unpacked


def test_a_zip_bomb_that_lies_about_its_size_is_refused_in_seconds_within_1_gib(tmp_path):
    file = bomb(tmp_path / "leugen.xlsx", 400 * 1024 * 1024)
    forge_size(file)  # the archive now says 10 kB: no declared size or ratio gives it away
    result, seconds = import_in_a_small_process(tmp_path, file)
    assert result.returncode == 2, result.stderr
    assert "kan niet gelezen worden" in result.stderr and "Traceback" not in result.stderr
    assert seconds < 30


def test_an_archive_that_unpacks_to_more_than_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(transfer.files, "MAX_UNPACKED_BYTES", 1024 * 1024)
    content = workbook(
        [["id", "kind", "title"]] + [[f"N{n}", "goods", f"stoel {n}" * 20] for n in range(3000)]
    )
    with pytest.raises(transfer.FileError, match="pakt uit tot meer dan 1 MB"):
        transfer.read_table("groot.xlsx", content)


def test_a_file_bigger_than_the_limit_is_refused_before_it_is_read():
    content = b"id,kind,title\n" + b"x" * transfer.MAX_FILE_BYTES
    for name in ("groot.csv", "groot.xlsx"):
        with pytest.raises(transfer.FileError, match="groter dan 20 MB"):
            transfer.read_table(name, content)


def csv_rows(count: int) -> bytes:
    return ("id,kind,title\n" + "".join(f"N{n},goods,stoel\n" for n in range(count))).encode()


def test_one_row_more_than_the_limit_is_refused_with_the_limit_and_nothing_is_saved(sqlite_engine):
    content = csv_rows(transfer.MAX_ROWS + 1)
    started = time.monotonic()
    with Session(sqlite_engine) as session:
        with pytest.raises(InvalidInput) as refused:
            transfer.import_file(
                session=session, actor=SYSTEM, filename="veel.csv", content=content
            )
        assert session.exec(select(func.count()).select_from(Need)).one() == 0
    assert "meer dan 20.000 rijen" in refused.value.field_errors["file"]
    assert time.monotonic() - started < 30  # refused before any row is checked or matched


def test_an_excel_file_stops_at_the_row_limit(monkeypatch):
    monkeypatch.setattr(transfer.files, "MAX_ROWS", 50)
    good = workbook([["id", "kind", "title"]] + [[f"N{n}", "goods", "stoel"] for n in range(50)])
    assert transfer.read_table("goed.xlsx", good).count("\n") == 51
    too_many = workbook(
        [["id", "kind", "title"]] + [[f"N{n}", "goods", "stoel"] for n in range(51)]
    )
    with pytest.raises(transfer.FileError, match="meer dan 50 rijen"):
        transfer.read_table("veel.xlsx", too_many)


def test_a_sheet_with_a_row_a_million_rows_down_is_refused_quickly(tmp_path):
    def write(sheet):
        sheet.write(SHEET_START)
        sheet.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>')
        sheet.write(b'<row r="1000000"><c r="A1000000"><v>1</v></c></row>')
        sheet.write(SHEET_END)

    content = with_sheet(tmp_path / "gat.xlsx", write).read_bytes()
    started = time.monotonic()
    with pytest.raises(transfer.FileError, match="meer dan 10.000 lege rijen"):
        transfer.read_table("gat.xlsx", content)
    assert time.monotonic() - started < 10


def test_a_sheet_that_claims_to_be_huge_is_read_by_the_cells_it_has(tmp_path):
    def write(sheet):
        sheet.write(
            SHEET_START.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>')
        )
        sheet.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c>'
                    b'<c r="B1" t="inlineStr"><is><t>kind</t></is></c>'
                    b'<c r="C1" t="inlineStr"><is><t>title</t></is></c></row>')  # fmt: skip
        sheet.write(b'<row r="2"><c r="A2" t="inlineStr"><is><t>N1</t></is></c>'
                    b'<c r="B2" t="inlineStr"><is><t>goods</t></is></c>'
                    b'<c r="C2" t="inlineStr"><is><t>stoel</t></is></c></row>')  # fmt: skip
        sheet.write(SHEET_END)

    content = with_sheet(tmp_path / "groot.xlsx", write).read_bytes()
    assert (
        transfer.read_table("groot.xlsx", content) == '"id","kind","title"\n"N1","goods","stoel"\n'
    )


def test_too_many_columns_are_refused():
    content = workbook([[f"kolom{n}" for n in range(transfer.MAX_COLUMNS + 1)]])
    with pytest.raises(transfer.FileError, match="meer dan 100 kolommen"):
        transfer.read_table("breed.xlsx", content)


def test_excel_cells_read_as_a_person_sees_them():
    """Dates as JJJJ-MM-DD, whole numbers without .0, and words such as NULL as words."""
    content = workbook([
        ["id", "kind", "title", "people", "lat", "deadline", "description"],
        ["N1", "venue", "NULL", 30, 52.09, datetime(2027, 3, 1), "None"],
        ["N2", "goods", "Tafels", 2.0, 5.5, date(2027, 4, 2), "n/a"],
    ])  # fmt: skip
    text = transfer.read_table("cellen.xlsx", content)
    assert text.splitlines()[1:] == [
        '"N1","venue","NULL","30","52.09","2027-03-01","None"',
        '"N2","goods","Tafels","2","5.5","2027-04-02","n/a"',
    ]


def test_an_excel_import_with_a_date_cell_stores_the_date(sqlite_engine):
    header = list(NEED_COLUMNS)
    row = dict.fromkeys(header, "") | {"id": "X1", "initiative": "De Pan", "kind": "goods",
                                       "title": "Stoelen", "lat": 52.09, "lon": 5.1,
                                       "deadline": datetime(2027, 3, 1)}  # fmt: skip
    content = workbook([header, [row[c] for c in header]])
    with Session(sqlite_engine) as session:
        report = transfer.import_file(
            session=session, actor=SYSTEM, filename="v.xlsx", content=content
        )
        assert report.errors == [] and report.created == 1
        assert session.exec(select(Need)).one().deadline == date(2027, 3, 1)


@pytest.mark.parametrize("content", [b"", b"geen zip", b"PK\x03\x04 kapot"])
def test_a_broken_excel_file_is_a_clear_error(content):
    with pytest.raises(transfer.FileError, match="kan niet gelezen worden"):
        transfer.read_table("kapot.xlsx", content)
