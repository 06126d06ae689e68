"""The command line with payloads as ids and texts: JSON parses, CSV holds no live formula,
exit codes are 0 (or 2 for input the user can fix) and no traceback is ever printed."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from samenspel import cli
from samenspel.matching.csvformat import NEED_COLUMNS, OFFER_COLUMNS
from tests.conftest import ROOT
from tests.security.payloads import PAYLOADS, live_formula, short, summary
from tests.security.test_transfer import ident

# The engine reads at most this much of a text column; longer rows are refused by row.
FITS = [p for p in PAYLOADS if len(p.text) <= 200]


def write_files(folder: Path) -> tuple[Path, Path]:
    """Needs and offers with a payload in every text column; all of one kind, close together,
    so that every need gets suggestions that carry the payloads into the output."""
    needs, offers = folder / "needs.csv", folder / "offers.csv"
    for path, columns, side in ((needs, NEED_COLUMNS, "initiative"),
                                (offers, OFFER_COLUMNS, "partner")):  # fmt: skip
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(columns), restval="")
        writer.writeheader()
        for number, payload in enumerate(FITS):
            writer.writerow({"id": ident(number, payload.text), side: payload.text, "kind": "goods",
                             "title": f"stoelen {payload.text}", "description": payload.text,
                             "themes": f"buurt; {payload.text}", "place": payload.text,
                             "lat": "52.09", "lon": "5.10"})  # fmt: skip
        path.write_text(buffer.getvalue(), encoding="utf-8")
    return needs, offers


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    return write_files(tmp_path_factory.mktemp("cli"))


def run(capsys, *args: str) -> tuple[int, str, str]:
    """The command in this process (fast enough to try every payload)."""
    try:
        code = cli.main(list(args))
    except SystemExit as exc:  # argparse refusing the arguments: its own message, exit 2
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def live_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row if live_formula(cell)]


def test_suggest_and_plan_in_json_and_csv(files, capsys):
    needs, offers = files
    problems, live, outputs = [], [], 0
    for command in ("suggest", "plan"):
        for form in ("json", "csv"):
            code, out, err = run(capsys, command, str(needs), str(offers), "--format", form)
            outputs += 1
            if code != 0 or "Traceback" in err:
                problems.append(f"{command} --format {form}: exit {code}: {err[:300]}")
                continue
            if form == "json":
                payload = json.loads(out)  # raises, and fails the test, if it is not JSON
                ids = [entry["need_id"] for entry in payload]
                if ids != [ident(n, p.text).strip() for n, p in enumerate(FITS)]:
                    problems.append(f"{command} json: the need ids did not come back as typed")
            else:
                live += live_cells(out)
    summary("cli suggest/plan", payloads=len(FITS), outputs=outputs, problems=len(problems),
            live_formulas=len(live))  # fmt: skip
    assert problems == []
    assert live == [], [short(cell) for cell in live[:10]]


def test_explain_with_payloads_as_ids(files, capsys):
    needs, offers = files
    problems, tried = [], 0
    for number, payload in enumerate(FITS):
        if "\x00" in payload.text:
            continue  # no program can receive a NUL in its arguments
        known = ident(number, payload.text).strip()
        for need_id, offer_id, expected in ((known, known, 0), (payload.text, known, 2),
                                            (known, payload.text, 2)):  # fmt: skip
            tried += 1
            # "--": an id such as "-1+1" is an id, not an option (as a user would write it)
            code, out, err = run(
                capsys, "explain", str(needs), str(offers), "--", need_id, offer_id
            )
            if code != expected or "Traceback" in err:
                problems.append(
                    f"explain {short(need_id)} {short(offer_id)}: exit {code} {err[:200]}"
                )
            elif code == 0:
                answer = json.loads(out)
                if (answer["need_id"], answer["offer_id"]) != (need_id, offer_id):
                    problems.append(f"explain {payload}: ids changed in the answer")
            elif payload.text not in err and payload.text.strip() not in err:
                problems.append(f"explain {payload}: the message does not name the id")
    summary("cli explain", payloads=len(FITS), tried=tried, problems=len(problems))
    assert problems == [], problems[:5]


def test_a_real_process_prints_payloads_without_a_traceback(files):
    """Once as a user runs it: the real stdout encoding, the real exit code."""
    needs, offers = files
    result = subprocess.run(
        [sys.executable, "-m", "samenspel.cli", "suggest", str(needs), str(offers), "--format", "csv"],
        capture_output=True, cwd=ROOT, check=False,
    )  # fmt: skip
    summary("cli process", exit_code=result.returncode, stderr_bytes=len(result.stderr))
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr[-500:]
    assert live_cells(result.stdout.decode("utf-8")) == []
