"""An uploaded file as CSV text, within limits: the size of the upload, and for an Excel file
what it unpacks to (a zip bomb of 718 kB once took 4 GB of memory), its rows and columns. An
Excel file is read as a stream and its cells as a person sees them."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from samenspel.i18n import t
from samenspel.matching.csvformat import FileError, too_many_rows

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
