"""A small vocabulary made here, so engine tests do not move when data/vocabulary grows."""

from __future__ import annotations

from datetime import date

import pytest

from samenspel.matching.text import normalise
from samenspel.matching.types import NeedIn, OfferIn
from samenspel.matching.vocabulary import Concept, Vocabulary

TODAY = date(2026, 11, 25)

CONCEPTS = {
    "formulieren": (
        "hulp met formulieren",
        "help with forms",
        {"security", "inclusion"},
        [
            "hulp met brieven",
            "brieven",
            "formulierenbrigade",
            "administratieve ondersteuning",
            "paperwork",
        ],
    ),
    "eten": (
        "samen eten",
        "eating together",
        {"cohesion", "security"},
        ["samen eten", "koken", "buurtkeuken", "aanschuifmaaltijd", "maaltijd", "keuken"],
    ),
    "huiswerk": (
        "huiswerkhulp",
        "homework help",
        {"empowerment"},
        ["huiswerk", "huiswerkbegeleiding", "homework"],
    ),
    "ruimte": ("ruimte", "venue", set(), ["ruimte", "zaal", "accommodatie", "plek"]),
    "taal": ("taal", "language", {"inclusion"}, ["taalcafe", "nt2", "nederlands leren"]),
}


@pytest.fixture(scope="session")
def vocabulary() -> Vocabulary:
    concepts = {k: Concept(k, nl, en, frozenset(c)) for k, (nl, en, c, _) in CONCEPTS.items()}
    terms = {normalise(term): (k,) for k, (*_, words) in CONCEPTS.items() for term in words}
    return Vocabulary(concepts, terms)


def need(**fields) -> NeedIn:
    base = dict(
        id="n1",
        kind="venue",
        title="plek om samen te koken",
        lat=52.09,
        lon=5.10,
        legal_form="informal",
    )
    return NeedIn(**{**base, **fields})


def offer(**fields) -> OfferIn:
    base = dict(
        id="o1", kind="venue", title="zaal met keuken", lat=52.095, lon=5.105, partner_type="venue"
    )
    return OfferIn(**{**base, **fields})
