"""Fit the engine's component weights on graded judgements, with cross-validation by need.

    python -m tests.eval.fit_weights [--dir tests/eval/train] [--folds 5] [--today 2026-12-01]

Only the training set is used (tests/eval/train); the held-out set is never read here, so the
figures of tests/eval/compare.py on it stay honest. For every need, the components of every
offer the hard filters keep are computed once by the engine itself; a weight vector then ranks
them exactly as scoring.combine would. The search is a plain coordinate search on the simplex
(each weight scaled up or down in turn, the rest renormalised, kept when mean nDCG@5 rises),
because nDCG is a step function that gradient methods cannot follow.

Fairness and load are policy, not relevance (small groups first, committed partners lower);
the judgements cannot say how much they should weigh, so they keep their share and only the
other components are fitted. Prints the held-out nDCG@5 of each fold for the current weights
and for weights fitted on the other folds, then the weights fitted on all of the set.
"""

from __future__ import annotations

import argparse
import math
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from samenspel.matching import scoring
from samenspel.matching.engine import Engine
from samenspel.matching.semantic import shared_semantic
from tests.eval.evaluate import gain, load

K = 5
HERE = Path(__file__).parent
FIXED = ("fairness", "load")
FITTED = tuple(c for c in scoring.COMPONENTS if c not in FIXED)
STEPS = (0.0, 0.5, 0.8, 1.25, 2.0)


@dataclass
class NeedTable:
    components: np.ndarray  # offers x FITTED
    no_shared_day: np.ndarray  # the factor scoring.combine applies
    gains: np.ndarray
    ideal_dcg: float


def tables(directory: Path, today: date, kind: str | None = None) -> list[NeedTable]:
    needs, offers, grades = load(directory)
    needs = [n for n in needs if kind is None or n.kind == kind]
    # No floors here: the weights rank what the floors let through, and floors move with them.
    engine = Engine(
        offers, today=today, semantic=shared_semantic(), min_score=0.0, min_relevance=0.0
    )
    found = []
    for need in needs:
        suggestions = engine.naive_top_k(need, len(offers))
        gains = np.array([gain(grades.get((need.id, s.offer_id))) for s in suggestions])
        ideal = sorted((gain(g) for (n, _), g in grades.items() if n == need.id), reverse=True)
        ideal_dcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal[:K]))
        if not suggestions or ideal_dcg == 0:
            continue
        matrix = np.array([[s.components[c] for c in FITTED] for s in suggestions])
        slots = np.array([s.components["slots"] for s in suggestions])
        factor = np.where(slots == 0.0, scoring.NO_SHARED_DAY_FACTOR, 1.0)
        found.append(NeedTable(matrix, factor, gains, ideal_dcg))
    return found


DISCOUNT = 1.0 / np.log2(np.arange(2, K + 2))


def mean_ndcg(weights: np.ndarray, needs: list[NeedTable]) -> float:
    total = 0.0
    for need in needs:
        scores = (need.components @ weights) * need.no_shared_day
        top = np.argsort(-scores, kind="stable")[:K]
        total += float(need.gains[top] @ DISCOUNT[: len(top)]) / need.ideal_dcg
    return total / len(needs)


def fit(needs: list[NeedTable], start: np.ndarray, mass: float, rounds: int = 6) -> np.ndarray:
    best = start.copy()
    best_score = mean_ndcg(best, needs)
    for _ in range(rounds):
        improved = False
        for i in range(len(best)):
            for step in STEPS:
                trial = best.copy()
                trial[i] = max(trial[i], 0.01) * step
                if trial.sum() == 0:
                    continue
                trial *= mass / trial.sum()
                score = mean_ndcg(trial, needs)
                if score > best_score + 1e-9:
                    best, best_score, improved = trial, score, True
        if not improved:
            break
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=HERE / "train")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 12, 1))
    parser.add_argument("--kind", help="fit on the needs of one kind only")
    args = parser.parse_args()
    needs = tables(args.dir, args.today, args.kind)
    mass = 1.0 - sum(scoring.WEIGHTS[c] for c in FIXED)
    current = np.array([scoring.WEIGHTS[c] for c in FITTED])
    order = list(range(len(needs)))
    random.Random(2026).shuffle(order)
    print(f"{len(needs)} needs with graded offers; {args.folds}-fold cross-validation by need")
    print(f"{'fold':>4} {'needs':>5} {'current':>8} {'fitted':>8}")
    kept, fitted_scores = [], []
    for fold in range(args.folds):
        test = [needs[i] for i in order[fold :: args.folds]]
        train = [needs[i] for i in order if i not in order[fold :: args.folds]]
        weights = fit(train, current, mass)
        kept.append(mean_ndcg(current, test))
        fitted_scores.append(mean_ndcg(weights, test))
        print(f"{fold + 1:4d} {len(test):5d} {kept[-1]:8.3f} {fitted_scores[-1]:8.3f}")
    print(f"mean held-out nDCG@5: current {np.mean(kept):.3f}, fitted {np.mean(fitted_scores):.3f}")
    final = fit(needs, current, mass)
    print("weights fitted on all of the set (fairness and load fixed):")
    for name, value in zip(FITTED, final, strict=True):
        print(f"    {name!r}: {value:.2f},")


if __name__ == "__main__":
    main()
