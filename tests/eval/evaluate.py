"""Evaluate the engine on the graded set in this folder, against a plain baseline.

    python -m tests.eval.evaluate [--dir tests/eval] [--today 2026-11-25]

Prints nDCG@5, hit@1 and hard-filter violations for the engine and for the baseline
(rapidfuzz token_set_ratio within the same kind, with the same hard filters), in one run.
Gains are 2^grade - 1 for grades 1-3; hit@1 counts a need when its first suggestion is graded
2 or 3. Violations are checked here independently of the engine's own filter code.
"""

from __future__ import annotations

import argparse
import csv
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rapidfuzz import fuzz, utils

from samenspel.matching.csvformat import fatal, parse_needs, parse_offers
from samenspel.matching.engine import Engine
from samenspel.matching.filters import exclusion
from samenspel.matching.geo import haversine_km
from samenspel.matching.semantic import shared_semantic
from samenspel.matching.types import NeedIn, OfferIn

HERE = Path(__file__).parent
K = 5
EVAL_TODAY = date(2026, 11, 25)


@dataclass
class Scores:
    ndcg: float
    hit1: float
    violations: int


def load(directory: Path):
    needs, need_errors = parse_needs((directory / "needs.csv").read_bytes())
    offers, offer_errors = parse_offers((directory / "offers.csv").read_bytes())
    problems = fatal(need_errors) + fatal(offer_errors)
    if problems:
        raise SystemExit("evaluation set is invalid: " + "; ".join(map(str, problems)))
    grades: dict[tuple[str, str], str] = {}
    with (directory / "grades.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            grades[(row["need_id"], row["offer_id"])] = row["grade"].strip()
    return needs, offers, grades


def breaks_a_rule(need: NeedIn, offer: OfferIn, today: date) -> bool:
    """The hard rules of docs/design.md, written again here so a bug in the engine cannot hide."""
    if need.kind != offer.kind:
        return True
    if need.lat is not None and offer.lat is not None:
        km = haversine_km(need.lat, need.lon, offer.lat, offer.lon)
        if need.max_distance_km is not None and km > need.max_distance_km:
            return True
        if offer.radius_km is not None and km > offer.radius_km:
            return True
    if offer.eligible_legal_forms and need.legal_form not in offer.eligible_legal_forms:
        return True
    if (
        offer.kind == "money"
        and need.amount_eur
        and offer.amount_min_eur
        and need.amount_eur < offer.amount_min_eur
    ):
        return True
    if offer.kind == "venue" and need.people and offer.capacity and need.people > offer.capacity:
        return True
    return (offer.deadline is not None and offer.deadline < today) or (
        need.deadline is not None and need.deadline < today
    )


def gain(grade: str | None) -> float:
    return float(2 ** int(grade) - 1) if grade in {"1", "2", "3"} else 0.0


def score_rankings(rankings: dict[str, list[str]], needs, offers, grades, today) -> Scores:
    offer_by_id = {o.id: o for o in offers}
    ndcgs, hits, violations = [], [], 0
    for need in needs:
        ranked = rankings.get(need.id, [])[:K]
        ideal = sorted((gain(g) for (n, _), g in grades.items() if n == need.id), reverse=True)[:K]
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
        if idcg == 0:
            continue
        dcg = sum(gain(grades.get((need.id, o))) / math.log2(i + 2) for i, o in enumerate(ranked))
        ndcgs.append(dcg / idcg)
        hits.append(1.0 if ranked and grades.get((need.id, ranked[0])) in {"2", "3"} else 0.0)
        violations += sum(
            1
            for o in ranked
            if grades.get((need.id, o)) == "x" or breaks_a_rule(need, offer_by_id[o], today)
        )
    return Scores(sum(ndcgs) / len(ndcgs), sum(hits) / len(hits), violations)


def engine_rankings(needs, offers, today) -> dict[str, list[str]]:
    engine = Engine(offers, today=today, semantic=shared_semantic())
    return {n.id: [s.offer_id for s in engine.suggest_for_need(n, K)] for n in needs}


def eligible_offers(need: NeedIn, offers: list[OfferIn], today: date) -> list[OfferIn]:
    """The same-kind offers the engine's hard filters keep for this need, in file order."""
    kept = []
    for offer in offers:
        if offer.kind != need.kind:
            continue
        km = (
            None
            if need.lat is None or offer.lat is None
            else haversine_km(need.lat, need.lon, offer.lat, offer.lon)
        )
        if exclusion(need, offer, km, today) is None:
            kept.append(offer)
    return kept


def baseline_rankings(needs, offers, today) -> dict[str, list[str]]:
    rankings = {}
    for need in needs:
        scored = [
            (-fuzz.token_set_ratio(need.text, o.text, processor=utils.default_process), i, o.id)
            for i, o in enumerate(eligible_offers(need, offers, today))
        ]
        rankings[need.id] = [offer_id for *_, offer_id in sorted(scored)[:K]]
    return rankings


def evaluate(directory: Path = HERE, today: date = EVAL_TODAY) -> dict[str, Scores]:
    needs, offers, grades = load(directory)
    return {
        "engine": score_rankings(
            engine_rankings(needs, offers, today), needs, offers, grades, today
        ),
        "baseline": score_rankings(
            baseline_rankings(needs, offers, today), needs, offers, grades, today
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=HERE)
    parser.add_argument("--today", type=date.fromisoformat, default=EVAL_TODAY)
    args = parser.parse_args()
    results = evaluate(args.dir, args.today)
    print(f"{'':10} {'nDCG@5':>8} {'hit@1':>8} {'violations':>11}")
    for name, s in results.items():
        print(f"{name:10} {s.ndcg:8.3f} {s.hit1:8.3f} {s.violations:11d}")
    print(f"nDCG@5 gain over baseline: {results['engine'].ndcg - results['baseline'].ndcg:+.3f}")


if __name__ == "__main__":
    main()
