"""The `samenspel` command line, run as a user runs it (a subprocess)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from samenspel.paths import DATA_DIR
from tests.conftest import ROOT

EVAL = ROOT / "tests" / "eval"


def samenspel(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "samenspel.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_help_lists_the_subcommands():
    result = samenspel("--help")
    assert result.returncode == 0
    assert "suggest" in result.stdout and "explain" in result.stdout


def test_suggest_prints_one_entry_per_need_in_input_order_best_first():
    result = samenspel(
        "suggest",
        str(EVAL / "needs.csv"),
        str(EVAL / "offers.csv"),
        "--top",
        "3",
        "--today",
        "2026-11-25",
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    with (EVAL / "needs.csv").open(encoding="utf-8") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)]
    assert [entry["need_id"] for entry in payload] == ids
    for entry in payload:
        assert set(entry) == {"need_id", "suggestions"}
        scores = [s["score"] for s in entry["suggestions"]]
        assert scores == sorted(scores, reverse=True) and len(scores) <= 3
        for s in entry["suggestions"]:
            assert set(s) == {"offer_id", "score", "reasons"} and 1 <= len(s["reasons"]) <= 4


def test_suggest_as_csv_in_english():
    result = samenspel(
        "suggest",
        str(EVAL / "needs.csv"),
        str(EVAL / "offers.csv"),
        "--format",
        "csv",
        "--lang",
        "en",
        "--top",
        "1",
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.returncode == 0
    assert list(rows[0]) == ["need_id", "rank", "offer_id", "score", "tie", "reasons"]
    assert any("km away" in row["reasons"] for row in rows)


def test_explain_gives_components_or_the_reason_for_exclusion():
    result = samenspel(
        "explain",
        str(EVAL / "needs.csv"),
        str(EVAL / "offers.csv"),
        "E-N01",
        "E-O01",
        "--today",
        "2026-11-25",
    )
    payload = json.loads(result.stdout)
    assert payload["excluded"] is False and set(payload["components"]) >= {
        "concept",
        "distance",
        "slots",
    }
    with (EVAL / "grades.csv").open(encoding="utf-8") as handle:
        excluded_pair = next(r for r in csv.DictReader(handle) if r["grade"] == "x")
    result = samenspel(
        "explain",
        str(EVAL / "needs.csv"),
        str(EVAL / "offers.csv"),
        excluded_pair["need_id"],
        excluded_pair["offer_id"],
        "--today",
        "2026-11-25",
    )
    payload = json.loads(result.stdout)
    assert payload["excluded"] is True and payload["reason"]


@pytest.mark.parametrize(
    "content, expected",
    [
        ("id,kind,title,lat,lon\nn1,boat,x,52,5\n", "rij 2, kolom 'kind'"),
        ("id,kind,title,lat,lon\nn1,venue,x,52,\n", "rij 2, kolom 'lon'"),
        ("naam\nx\n", "kolommen ontbreken: id, kind, title"),
        (b"\xff\xfe\x00bad", "geen UTF-8"),
    ],
)
def test_a_bad_file_gives_row_column_and_reason_exit_2_and_no_traceback(
    tmp_path, content, expected
):
    bad = tmp_path / "needs.csv"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = samenspel("suggest", str(bad), str(EVAL / "offers.csv"))
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_missing_file_is_a_clear_message(tmp_path):
    result = samenspel("suggest", str(tmp_path / "nope.csv"), str(EVAL / "offers.csv"))
    assert result.returncode == 2 and "kan het bestand niet lezen" in result.stderr


def test_fund_plan_prints_lines_within_limits_and_the_reasons_for_the_rest():
    result = samenspel(
        "fund-plan",
        str(DATA_DIR / "demo" / "needs.csv"),
        "--need",
        "N002",
        "--today",
        "2026-11-25",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["need_id"] == "N002" and plan["covered"] + plan["missing"] == pytest.approx(
        plan["amount"]
    )
    assert plan["lines"] and all(line["amount"] > 0 and line["reasons"] for line in plan["lines"])
    assert any(e["code"] == "legal_form" for e in plan["excluded"])  # an informal group


def test_fund_plan_refuses_a_need_that_is_not_about_money():
    result = samenspel("fund-plan", str(DATA_DIR / "demo" / "needs.csv"), "--need", "N001")
    assert (
        result.returncode == 2
        and "geen vraag om geld" in result.stderr
        and "Traceback" not in result.stderr
    )


def test_bench_prints_its_figures_and_the_sample_matches_the_naive_reference():
    result = samenspel("bench", "--needs", "300", "--offers", "300", "--sample", "200")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for figure in ("top-5 for every need:", "peak RSS:", "one new need against all 300 offers: median",
                   "suggestions/s"):  # fmt: skip
        assert figure in out
    assert "optimised top-5 equals naive reference: yes" in out


def test_plan_gives_each_need_at_most_one_offer_within_capacity():
    result = samenspel(
        "plan", str(EVAL / "needs.csv"), str(EVAL / "offers.csv"), "--today", "2026-11-25"
    )
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    with (EVAL / "offers.csv").open(encoding="utf-8") as handle:
        offers = {row["id"]: row for row in csv.DictReader(handle)}
    with (EVAL / "needs.csv").open(encoding="utf-8") as handle:
        assert [p["need_id"] for p in plan] == [row["id"] for row in csv.DictReader(handle)]
    used: dict[str, int] = {}
    for entry in plan:
        if entry["offer_id"]:
            used[entry["offer_id"]] = used.get(entry["offer_id"], 0) + 1
    for offer_id, count in used.items():
        offer = offers[offer_id]
        if offer["kind"] == "venue" and not offer["when"]:
            assert count == 1
        elif offer["kind"] != "venue":
            assert count <= int(offer["capacity"] or 1)
    assert sum(1 for p in plan if p["offer_id"]) > len(plan) / 2


FORMULA_ID = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("command", ["suggest", "plan"])
def test_csv_output_turns_formula_ids_into_text(tmp_path, command):
    """A need id such as =cmd|' /C calc'!A0 must reach a spreadsheet as text, not a formula:
    the same leading quote as the exports give it."""
    needs, offers = tmp_path / "needs.csv", tmp_path / "offers.csv"
    needs.write_text(
        f'id,kind,title,lat,lon\n"{FORMULA_ID}",goods,stoelen,52.09,5.10\n', encoding="utf-8"
    )
    offers.write_text(
        "id,kind,title,lat,lon,capacity\n@SUM(A1),goods,stoelen,52.09,5.10,3\n", encoding="utf-8"
    )
    result = samenspel(command, str(needs), str(offers), "--format", "csv", "--today", "2026-11-25")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and rows[0]["need_id"] == "'" + FORMULA_ID
    assert rows[0]["offer_id"] == "'@SUM(A1)"
    cells = [cell for row in csv.reader(io.StringIO(result.stdout)) for cell in row]
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)


def test_suggest_reports_an_unquoted_carriage_return_by_row_and_column(tmp_path):
    needs = tmp_path / "needs.csv"
    needs.write_bytes(b"id,kind,title,lat,lon\nn1,goods,stoel\rtafel,52.09,5.1\n")
    result = samenspel("suggest", str(needs), str(EVAL / "offers.csv"))
    assert result.returncode == 2
    assert "rij 2, kolom 'title'" in result.stderr and "regeleinde" in result.stderr
    assert "Traceback" not in result.stderr


def test_matchmarkt_plans_talks_in_rounds_and_tables_and_compares_with_greedy():
    result = samenspel("matchmarkt", str(EVAL / "needs.csv"), str(EVAL / "offers.csv"),
                       "--rounds", "3", "--tables", "5", "--today", "2026-11-25")  # fmt: skip
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) == {"meetings", "unplanned", "plan", "greedy"}
    seats = [(m["round"], m["table"]) for m in payload["meetings"]]
    assert len(seats) == len(set(seats)) and 0 < len(seats) <= 15
    for m in payload["meetings"]:
        assert set(m) == {"round", "table", "need_id", "offer_id", "score", "reasons"}
        assert 1 <= m["round"] <= 3 and 1 <= m["table"] <= 5 and m["reasons"]
    plan, greedy = payload["plan"], payload["greedy"]
    assert plan["parties_reached"] >= greedy["parties_reached"]
    assert plan["parties"] == plan["parties_reached"] + len(payload["unplanned"])


def test_matchmarkt_refuses_zero_rounds_with_exit_2():
    result = samenspel("matchmarkt", str(EVAL / "needs.csv"), str(EVAL / "offers.csv"),
                       "--rounds", "0", "--tables", "5")  # fmt: skip
    assert result.returncode == 2 and "--rounds" in result.stderr
    assert "Traceback" not in result.stderr
