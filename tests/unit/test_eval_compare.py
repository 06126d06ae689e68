"""The figures tests/eval/compare.py reports, on rankings small enough to check by hand."""

from __future__ import annotations

import math

import pytest

from samenspel.matching.types import NeedIn
from tests.eval.compare import metrics


def need(need_id: str) -> NeedIn:
    return NeedIn(id=need_id, kind="venue", title="Een zaal")


def test_a_perfect_ranking_scores_one_on_every_figure():
    grades = {("N1", "A"): "3", ("N1", "B"): "2"}
    m = metrics([need("N1")], {"N1": ["A", "B"]}, grades)
    assert (m.ndcg, m.hit1, m.recall, m.irrelevant) == (1.0, 1.0, 1.0, 0.0)


def test_ungraded_and_forbidden_suggestions_count_as_irrelevant():
    grades = {("N1", "A"): "3", ("N1", "X"): "x"}
    m = metrics([need("N1")], {"N1": ["X", "C", "A"]}, grades)
    assert m.hit1 == 0.0
    assert m.recall == 1.0
    assert m.irrelevant == pytest.approx(2 / 3)
    assert m.ndcg == pytest.approx((7 / math.log2(4)) / 7)


def test_a_need_without_any_good_offer_only_counts_what_it_was_shown():
    grades = {("N1", "A"): "3"}
    m = metrics([need("N1"), need("N2")], {"N1": ["A"], "N2": ["B", "C"]}, grades)
    assert m.ndcg == 1.0  # N2 has no ideal ranking, so it is not averaged in
    assert m.irrelevant == pytest.approx(2 / 3)
