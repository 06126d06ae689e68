"""The meaning component: vectors computed once per text, stored, and used in the ranking."""

from __future__ import annotations

import hashlib
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samenspel.matching.engine import Engine
from samenspel.matching.reasons import render
from samenspel.matching.semantic import (
    Semantic,
    UniversalSentenceEncoder,
    load_embedder,
    shared_semantic,
    text_key,
)
from tests.unit.conftest import need, offer
from tests.unit.test_engine import pairs

TODAY = date(2026, 11, 25)


class CountingEmbedder:
    """A stand-in model: a vector from the text's hash, and a count of what it encoded."""

    def __init__(self, name: str = "counting"):
        self.name = name
        self.encoded: list[str] = []

    def encode(self, texts):
        self.encoded.extend(texts)
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
            vector = np.random.default_rng(seed).normal(size=16)
            rows.append(vector / np.linalg.norm(vector))
        return np.array(rows, dtype=np.float32)


class DictStore:
    def __init__(self):
        self.rows: dict[tuple[str, str], np.ndarray] = {}

    def load(self, model, keys):
        return {k: self.rows[(model, k)] for k in keys if (model, k) in self.rows}

    def save(self, model, vectors):
        self.rows.update({(model, k): v for k, v in vectors.items()})


def test_a_text_is_embedded_once_and_again_only_when_it_changes():
    model = CountingEmbedder()
    semantic = Semantic(model)
    first = semantic.vectors(["zaal met keuken", "hulp bij brieven", "zaal met keuken"])
    again = semantic.vectors(["zaal met keuken"])
    assert model.encoded == ["zaal met keuken", "hulp bij brieven"]
    assert np.array_equal(first[0], first[2]) and np.array_equal(first[0], again[0])
    semantic.vectors(["zaal met grote keuken"])
    assert model.encoded[-1] == "zaal met grote keuken"


def test_a_stored_vector_is_read_back_instead_of_encoded_in_another_process():
    store = DictStore()
    Semantic(CountingEmbedder(), store=store).vectors(["taalcafé op woensdag"])
    fresh_model = CountingEmbedder()  # a new process: empty memory, same database
    vector = Semantic(fresh_model, store=store).vectors(["taalcafé op woensdag"])
    assert fresh_model.encoded == []
    assert vector.shape == (1, 16)


def test_another_model_never_reuses_the_vectors_of_the_first():
    store = DictStore()
    Semantic(CountingEmbedder("a"), store=store).vectors(["buurtkeuken"])
    other = CountingEmbedder("b")
    Semantic(other, store=store).vectors(["buurtkeuken"])
    assert other.encoded == ["buurtkeuken"]
    assert text_key("a", "buurtkeuken") != text_key("b", "buurtkeuken")


def test_the_setting_chooses_the_model_or_switches_it_off():
    assert isinstance(load_embedder("use-multilingual-v3"), UniversalSentenceEncoder)
    assert load_embedder("none") is None and shared_semantic("none") is None
    plugged = load_embedder("tests.unit.test_semantic:CountingEmbedder")
    assert plugged.name == "counting"


@settings(max_examples=60, deadline=None)
@given(st.lists(pairs(), min_size=1, max_size=8), st.integers(1, 3))
def test_the_blocked_top_k_stays_exact_with_the_meaning_component(vocabulary, pair_list, k):
    offers = [offer(**{**o.__dict__, "id": f"o{i}"}) for i, (_, o) in enumerate(pair_list)]
    the_engine = Engine(
        offers, vocabulary=vocabulary, today=TODAY, semantic=Semantic(CountingEmbedder())
    )
    for i, (the_need, _) in enumerate(pair_list):
        the_need = need(**{**the_need.__dict__, "id": f"n{i}"})
        fast = [(s.offer_id, s.score) for s in the_engine.suggest_for_need(the_need, k)]
        slow = [(s.offer_id, s.score) for s in the_engine.naive_top_k(the_need, k)]
        assert fast == slow
        assert all(0 <= s.components["semantic"] <= 1 for s in the_engine.naive_top_k(the_need, k))


@pytest.fixture(scope="module")
def use():
    return shared_semantic("use-multilingual-v3")


def bookkeeping_need():
    return need(
        kind="expertise",
        title="Wie helpt ons met de boekhouding van de stichting?",
        description="Jaarrekening en begroting maken, wij snappen er niets van.",
    )


def test_the_model_knows_a_paraphrase_that_shares_no_word(use):
    """Words the vocabulary has no concept for: only meaning can tell these apart."""
    the_need = bookkeeping_need()
    finance = offer(
        id="finance",
        kind="expertise",
        title="Gepensioneerd accountant",
        description="Ik controleer financiële administraties van verenigingen, gratis.",
    )
    gardener = offer(
        id="garden",
        kind="expertise",
        title="Hovenier geeft tuinadvies",
        description="Snoeien, planten kiezen en moestuinbakken aanleggen.",
    )
    every = Engine([gardener, finance], today=TODAY, semantic=use, min_score=0, min_relevance=0)
    ranked = every.suggest_for_need(the_need)
    assert [s.offer_id for s in ranked] == ["finance", "garden"]
    assert ranked[0].components["semantic"] > ranked[1].components["semantic"]
    # With the usual floors the gardener is no suggestion at all: it is about something else.
    shown = Engine([gardener, finance], today=TODAY, semantic=use).suggest_for_need(the_need)
    assert [s.offer_id for s in shown] == ["finance"]


def test_without_a_model_the_component_is_unknown_for_every_offer():
    the_engine = Engine([offer(id="a"), offer(id="b", title="iets anders")], today=TODAY)
    assert {s.components["semantic"] for s in the_engine.suggest_for_need(need())} == {0.5}


def test_a_paraphrase_without_a_shared_word_says_so_in_its_reasons(use):
    the_need = bookkeeping_need()
    bookkeeper = offer(
        id="books",
        kind="expertise",
        title="Boekhouder voor vrijwilligersorganisaties",
        description="Wij helpen kleine stichtingen met hun jaarcijfers.",
    )
    (suggestion,) = Engine([bookkeeper], today=TODAY, semantic=use).suggest_for_need(the_need)
    said = [render(r, "nl") for r in suggestion.reasons]
    assert said[0] == "hun aanbod zegt in andere woorden wat jullie vragen"
    assert not any("beide werken aan" in line for line in said)  # no boilerplate after it
