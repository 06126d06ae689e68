"""Exports people open in a spreadsheet. A cell that starts with = + - @, a tab or a carriage
return is a formula to Excel and LibreOffice (CSV injection), so it gets a leading quote; and
characters a spreadsheet cannot hold (NUL, vertical tab, ...) are left out, so that one odd
record can never make a whole export fail. Both are done by matching.csvformat.safe_cell, the
one function every CSV of Samenspel goes through."""

from __future__ import annotations

import csv
import io

import pandas as pd

from samenspel.matching.csvformat import FORMULA_START, safe_cell

__all__ = ["FORMULA_START", "safe_cell", "safe_frame", "to_csv_bytes", "to_excel_bytes"]


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    # Cell by cell into object columns: pandas would otherwise guess a column's type again,
    # and a count of 30 in a column with empty cells would be written as 30.0.
    cells = {name: pd.Series([safe_cell(v) for v in column], index=frame.index, dtype=object)
             for name, column in frame.items()}  # fmt: skip
    return pd.DataFrame(cells, columns=frame.columns) if len(frame) else frame


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    # Every text cell quoted: a bare carriage return inside a field must not split the row.
    return safe_frame(frame).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8")


def to_excel_bytes(frame: pd.DataFrame, sheet: str = "Samenspel") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(frame).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()
