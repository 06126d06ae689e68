"""The national benchmark behind `samenspel bench`: synthetic data with a fixed seed, the
engine on all of it, one new need against all offers, and the naive reference on a sample.
Prints figures; it asserts nothing (this machine is shared, so times are noisy)."""

from __future__ import annotations

import random
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from samenspel.matching.engine import Engine
from samenspel.matching.semantic import Semantic
from samenspel.matching.synthetic import as_dataclasses, generate


@dataclass
class BenchResult:
    needs: int
    offers: int
    prepare_s: float
    model: str
    embedded: int
    embed_s: float
    index_s: float
    suggest_s: float
    suggestions: int
    peak_rss_mb: float
    single_need_ms_median: float
    sample: int
    sample_equal: bool
    sample_fast_s: float
    sample_naive_s: float

    def lines(self) -> list[str]:
        rate = self.needs / self.suggest_s if self.suggest_s else float("inf")
        return [
            f"data: {self.needs:,} needs x {self.offers:,} offers (seeded, clustered in Dutch cities)",
            f"generate and parse: {self.prepare_s:.1f} s",
            f"sentence vectors ({self.model}): {self.embedded:,} texts in {self.embed_s:.1f} s, "
            f"{self.embedded / max(self.embed_s, 1e-9):,.0f} texts/s (once per text: the app "
            "stores them when a need or offer is written, so the runs below read them cached)",
            f"index offers: {self.index_s:.1f} s",
            f"top-5 for every need: {self.suggest_s:.1f} s wall, {self.suggestions:,} suggestions, "
            f"{rate:,.0f} needs/s, {self.suggestions / self.suggest_s:,.0f} suggestions/s",
            f"total wall (generate, index, suggest; vectors cached): {self.prepare_s + self.index_s + self.suggest_s:.1f} s",
            f"peak RSS: {self.peak_rss_mb:,.0f} MB",
            f"one new need against all {self.offers:,} offers: median {self.single_need_ms_median:.1f} ms"
            " (its text embedded fresh)",
            f"sample {self.sample:,} x {self.sample:,}: optimised top-5 equals naive reference: "
            f"{'yes' if self.sample_equal else 'NO'}; naive {self.sample_naive_s:.2f} s vs optimised "
            f"{self.sample_fast_s:.2f} s = {self.sample_naive_s / max(self.sample_fast_s, 1e-9):.1f}x",
        ]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def run(needs: int, offers: int, *, sample: int = 2000, seed: int = 2026, today: date = date(2026, 11, 25),
        top_k: int = 5, semantic: Semantic | None = None,
        progress: Callable[[str], None] = lambda _: None) -> BenchResult:  # fmt: skip
    started = time.perf_counter()
    progress("generating")
    need_rows, offer_rows = generate(needs, offers, seed=seed)
    all_needs, all_offers = as_dataclasses(need_rows, offer_rows)
    prepared = time.perf_counter()
    texts = [n.text for n in all_needs] + [o.text for o in all_offers]
    if semantic is not None:
        progress(f"embedding {len(texts):,} texts")
        semantic.vectors(texts)
    embedded = time.perf_counter()
    progress("indexing")
    engine = Engine(all_offers, today=today, semantic=semantic)
    indexed = time.perf_counter()
    progress("suggesting")
    results = engine.suggest(all_needs, top_k)
    suggested = time.perf_counter()
    peak = _peak_rss_mb()

    progress("single needs")
    rng = random.Random(seed)
    timings = []
    for need in rng.sample(all_needs, min(50, len(all_needs))):
        need = replace(need, description=need.description + " (nieuw)")  # a text not yet embedded
        began = time.perf_counter()
        engine.suggest_for_need(need, top_k)
        timings.append((time.perf_counter() - began) * 1000)

    progress("naive reference")
    sample_needs, sample_offers = all_needs[:sample], all_offers[:sample]
    small = Engine(sample_offers, today=today, semantic=semantic)
    began = time.perf_counter()
    fast = small.suggest(sample_needs, top_k)
    fast_s = time.perf_counter() - began
    began = time.perf_counter()
    naive = [small.naive_top_k(need, top_k) for need in sample_needs]
    naive_s = time.perf_counter() - began
    equal = all(
        [(s.offer_id, s.score) for s in f.suggestions] == [(s.offer_id, s.score) for s in n]
        for f, n in zip(fast, naive, strict=True)
    )
    return BenchResult(
        needs=len(all_needs), offers=len(all_offers), prepare_s=prepared - started,
        model="none" if semantic is None else semantic.embedder.name,
        embedded=len(texts) if semantic else 0, embed_s=embedded - prepared, index_s=indexed - embedded,
        suggest_s=suggested - indexed, suggestions=sum(len(r.suggestions) for r in results), peak_rss_mb=peak,
        single_need_ms_median=statistics.median(timings), sample=min(sample, len(all_needs)),
        sample_equal=equal, sample_fast_s=fast_s, sample_naive_s=naive_s,
    )  # fmt: skip
