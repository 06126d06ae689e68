"""Data in and out: imports of organisations, needs, offers and funds from CSV or Excel in
the exchange format (docs/exchange-format.md, declared in matching/fields.py), and exports for
spreadsheets, for moving to another database (`--full`) and for sociale kaarten. Services:
they work in the caller's unit of work and never commit.

  files.py                 an upload as CSV text, within limits (size, rows, zip bombs)
  importing.py             import_file: the kind recognised, one importer, the audit trail
  import_posts.py          needs and offers (their organisation, a broker's areas, suggestions)
  import_organisations.py  organisations with their contact person (administrators)
  import_funds.py          the fund catalogue
  existing.py, report.py   what the importers share: rows found by id, the report
  exporting.py             exports as tables and files (CSV, Excel), private fields audited
  hsds.py                  the sociale kaart (Open Referral HSDS)
The mapping between a row and a file's cells is samenspel/services/records.py.
"""

from samenspel.matching.csvformat import FileError
from samenspel.matching.fields import ORGANISATIONS
from samenspel.services.transfer.exporting import (
    EXPORTS,
    ExportFile,
    export_file,
    export_funds,
    export_matches,
    export_needs,
    export_offers,
    export_organisations,
)
from samenspel.services.transfer.files import MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS, read_table
from samenspel.services.transfer.hsds import export_hsds, hsds_zip
from samenspel.services.transfer.importing import KINDS_OF_FILE, detect_kind, import_file
from samenspel.services.transfer.report import ImportReport

ORGANISATION_COLUMNS = ORGANISATIONS.file_columns

__all__ = [
    "EXPORTS", "KINDS_OF_FILE", "MAX_COLUMNS", "MAX_FILE_BYTES", "MAX_ROWS", "ORGANISATION_COLUMNS",
    "ExportFile", "FileError", "ImportReport", "detect_kind", "export_file", "export_funds",
    "export_hsds", "export_matches", "export_needs", "export_offers", "export_organisations",
    "hsds_zip", "import_file", "read_table",
]  # fmt: skip
