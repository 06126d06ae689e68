"""The engine on the graded evaluation set (tests/eval): quality targets of the engine issue."""

from tests.eval.evaluate import evaluate


def test_engine_meets_the_quality_targets_and_beats_the_baseline():
    results = evaluate()
    engine, baseline = results["engine"], results["baseline"]
    assert engine.violations == 0
    assert engine.ndcg >= 0.92
    assert engine.hit1 >= 0.90
    assert engine.ndcg - baseline.ndcg >= 0.10
