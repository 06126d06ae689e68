"""docs/exchange-format.md describes the format the code reads: every column of every kind of
file, in the file's order, with the version it came in, and example rows that import."""

from __future__ import annotations

import re

import pytest

from samenspel.matching.csvformat import parse_records
from samenspel.matching.fields import FORMAT_VERSION, KINDS_OF_FILE, VERSION_COLUMN
from samenspel.matching.funds import parse_catalogue
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "exchange-format.md").read_text(encoding="utf-8")


def section(kind: str) -> str:
    """The part of the page under the heading `## ... (`kind`)`, up to the next heading."""
    match = re.search(rf"^## [^\n]*\(`{kind}`\)\n(.*?)(?=^## )", DOC, re.S | re.M)
    assert match, f"no section for {kind}"
    return match.group(1)


@pytest.mark.parametrize("kind", list(KINDS_OF_FILE))
def test_every_column_is_described_in_order_with_its_version(kind):
    rows = re.findall(r"^\| `([a-z_]+)` \|.*\| (\d+) \|$", section(kind), re.M)
    fields = {field.column: field for field in KINDS_OF_FILE[kind].fields}
    assert [column for column, _ in rows] == list(KINDS_OF_FILE[kind].file_columns)
    for column, since in rows:
        expected = FORMAT_VERSION if column == VERSION_COLUMN else fields[column].since
        assert int(since) == expected, column


@pytest.mark.parametrize("kind", list(KINDS_OF_FILE))
def test_the_example_rows_are_a_good_file_of_every_column(kind):
    (example,) = re.findall(r"```csv\n(.*?)```", section(kind), re.S)
    assert example.splitlines()[0].split(",") == list(KINDS_OF_FILE[kind].file_columns)
    if kind == "funds":
        records, errors = parse_catalogue(example)
    else:
        parsed = parse_records(example, KINDS_OF_FILE[kind])
        records, errors = parsed.records, parsed.errors
    assert errors == [] and len(records) == len(example.splitlines()) - 1


def test_the_version_table_names_every_version():
    versions = re.findall(r"^\| (\d+) \|", DOC, re.M)
    assert versions == [str(v) for v in range(1, FORMAT_VERSION + 1)]
    added = {(kind.name, f.column) for kind in KINDS_OF_FILE.values() for f in kind.fields
             if f.since == FORMAT_VERSION}  # fmt: skip
    latest = re.search(rf"^\| {FORMAT_VERSION} \|(.*)$", DOC, re.M).group(1)
    assert all(f"`{column}`" in latest for _, column in added)
