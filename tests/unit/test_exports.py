"""Exports neutralise spreadsheet formulas (CSV injection)."""

import csv
import io

import openpyxl
import pandas as pd
import pytest

from samenspel.matching import csvformat
from samenspel.services.exports import safe_cell, to_csv_bytes, to_excel_bytes

PAYLOADS = [
    '=HYPERLINK("http://x")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tTAB",
    "\rCR",
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_payloads_start_with_a_quote(payload):
    assert safe_cell(payload) == "'" + payload


def test_ordinary_text_and_numbers_stay_as_they_are():
    assert safe_cell("Buurtkeuken De Pan") == "Buurtkeuken De Pan"
    assert safe_cell(-5) == -5 and safe_cell(None) is None


def test_csv_and_excel_exports_carry_no_live_formula():
    frame = pd.DataFrame({"title": PAYLOADS, "n": range(len(PAYLOADS))})
    rows = list(csv.DictReader(io.StringIO(to_csv_bytes(frame).decode("utf-8"), newline="")))
    assert [row["title"] for row in rows] == ["'" + p for p in PAYLOADS]
    sheet = openpyxl.load_workbook(io.BytesIO(to_excel_bytes(frame))).active
    values = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert all(isinstance(v, str) and v.startswith("'") for v in values)
    assert all(row[0].data_type != "f" for row in sheet.iter_rows(min_row=2))


def test_characters_excel_cannot_hold_are_left_out_instead_of_failing_the_export():
    typed = ["NUL\x00teken", "verticale\x0btab", "esc\x1b[31m", "del\x7f", "c1\x85"]
    frame = pd.DataFrame({"title": typed, "n": range(len(typed))})
    sheet = openpyxl.load_workbook(io.BytesIO(to_excel_bytes(frame))).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [
        "NULteken", "verticaletab", "esc[31m", "del", "c1",
    ]  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(to_csv_bytes(frame).decode("utf-8"), newline="")))
    assert [row["title"] for row in rows][:2] == ["NULteken", "verticaletab"]


def test_exports_and_the_command_line_share_one_safe_cell():

    assert safe_cell is csvformat.safe_cell
