"""What an offer rules out lowers exactly the needs that ask for it, and says so."""

from __future__ import annotations

import pytest

from samenspel.matching.clauses import asked_lemmas, clauses_of, first_clash
from samenspel.matching.engine import Engine
from samenspel.matching.reasons import render
from tests.unit.conftest import TODAY, need, offer


def clashes(offer_text: str, need_text: str, legal_form: str = "informal") -> bool:
    return first_clash(clauses_of(offer_text), asked_lemmas(need_text), legal_form) is not None


@pytest.mark.parametrize(
    ("offer_text", "need_text"),
    [
        ("Personeelskosten komen niet in aanmerking.", "Geld voor de personeelskosten van onze coördinator"),
        ("Wij vervoeren personen, geen goederen of pakketten.", "Chauffeurs voor voedselpakketten"),
        ("Geen feesten of bijeenkomsten.", "Zaal voor ons buurtfeest"),
        ("Geen structurele kosten zoals huur of salarissen.", "Bijdrage in de huur van de zaal"),
        ("Alleen voor stichtingen en verenigingen.", "Wij zijn een groep buren"),
    ],
)  # fmt: skip
def test_a_need_that_asks_what_the_offer_rules_out_clashes(offer_text, need_text):
    assert clashes(offer_text, need_text)


@pytest.mark.parametrize(
    ("offer_text", "need_text", "legal_form"),
    [
        # a negation that opens a door, not one that closes it
        ("Je hoeft geen stichting te zijn.", "Wij zijn geen stichting", "informal"),
        ("Geen kosten voor de zaal.", "Zaal voor onze kosteloze maaltijd", "informal"),
        # only a thing named in full: "structurele kosten" is not any cost
        ("Structurele kosten komen niet in aanmerking.", "Kosten voor de kerstlunch", "informal"),
        # the need itself says it does not need it
        ("Geen keuken aanwezig.", "Een ruimte voor de weggeefwinkel. Een keuken hoeft niet.", "informal"),
        ("Alleen voor stichtingen en verenigingen.", "Wij zijn een stichting", "foundation"),
        # who else "alleen voor" means is for meaning and place to weigh, not for a word rule
        ("Alleen voor projecten voor jongeren.", "Huiswerkhulp na school", "informal"),
    ],
)  # fmt: skip
def test_what_the_offer_does_not_rule_out_is_no_clash(offer_text, need_text, legal_form):
    assert not clashes(offer_text, need_text, legal_form)


def test_a_clash_lowers_the_offer_below_an_equal_one_and_quotes_its_sentence(vocabulary):
    the_need = need(kind="money", title="Geld voor de huur van ons buurthuis", amount_eur=2000)
    plain = offer(id="plain", kind="money", title="Buurtfonds", description="Voor buurtprojecten.")
    strict = offer(
        id="strict",
        kind="money",
        title="Buurtfonds",
        description="Voor buurtprojecten. Geen huur of salarissen.",
    )
    engine = Engine([strict, plain], vocabulary=vocabulary, today=TODAY, min_score=0.0)
    ranked = engine.suggest_for_need(the_need)
    assert [s.offer_id for s in ranked] == ["plain", "strict"]
    assert ranked[1].score < 0.8 * ranked[0].score
    assert (
        render(ranked[1].reasons[0], "nl") == "let op, hun aanbod zegt: 'Geen huur of salarissen'"
    )
    assert all(r.code != "offer_rules_out" for r in ranked[0].reasons)
