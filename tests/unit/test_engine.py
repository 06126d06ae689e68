"""The engine: hard filters with reasons, scores with components, reasons in plain words."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samenspel.matching import scoring
from samenspel.matching.allocation import allocate
from samenspel.matching.engine import Engine
from samenspel.matching.reasons import render, render_all
from samenspel.matching.slots import parse_slots
from samenspel.matching.types import Exclusion, Suggestion
from tests.unit.conftest import TODAY, need, offer


def engine(offers, vocabulary) -> Engine:
    return Engine(offers, vocabulary=vocabulary, today=TODAY)


def said(suggestion: Suggestion, lang: str = "nl") -> list[str]:
    return render_all(suggestion.reasons, lang)


def test_street_words_meet_system_words(vocabulary):
    letters = need(id="n", kind="expertise", title="hulp met brieven van de gemeente")
    brigade = offer(
        id="brigade", kind="expertise", title="formulierenbrigade", partner_type="welfare"
    )
    bakery = offer(
        id="bakery", kind="expertise", title="advies over ondernemen", partner_type="business"
    )
    (best, other) = engine([bakery, brigade], vocabulary).suggest_for_need(letters)
    assert best.offer_id == "brigade" and other.offer_id == "bakery"
    assert best.components["concept"] > other.components["concept"]
    assert "jullie 'hulp met brieven' is hun 'formulierenbrigade'" in said(best)
    assert best.tie == "linking"


@pytest.mark.parametrize(
    "need_fields, offer_fields, code, words",
    [
        (dict(max_distance_km=1), dict(lat=52.2), "need_distance", "te ver weg"),
        (dict(), dict(lat=52.2, radius_km=3), "offer_radius", "buiten hun werkgebied"),
        (
            dict(legal_form="informal"),
            dict(eligible_legal_forms=frozenset({"foundation"})),
            "legal_form",
            "alleen voor stichting",
        ),
        (
            dict(kind="money", amount_eur=200),
            dict(kind="money", amount_min_eur=500),
            "amount_min",
            "vanaf EUR 500",
        ),
        (dict(people=45), dict(capacity=20), "too_small", "ruimte voor 20, jullie zijn met 45"),
        (dict(), dict(deadline=date(2025, 3, 1)), "offer_expired", "liep af op 01-03-2025"),
        (dict(deadline=date(2026, 1, 1)), dict(), "need_expired", "liep af"),
        (dict(kind="art"), dict(kind="venue"), "kind", "ander soort hulp"),
    ],
)
def test_each_hard_filter_excludes_with_its_reason(
    vocabulary, need_fields, offer_fields, code, words
):
    the_need, the_offer = need(**need_fields), offer(**offer_fields)
    result = engine([the_offer], vocabulary).explain(the_need, the_offer.id)
    assert isinstance(result, Exclusion)
    assert result.code == code and words in render(result.reason, "nl")
    assert engine([the_offer], vocabulary).suggest_for_need(the_need) == []


def test_a_money_need_above_the_maximum_is_still_suggested_as_a_partial_cover(vocabulary):
    ask = need(kind="money", title="geld voor de buurtkeuken", amount_eur=2000)
    small = offer(
        kind="money", title="bijdrage buurtkeuken", amount_min_eur=100, amount_max_eur=500
    )
    (suggestion,) = engine([small], vocabulary).suggest_for_need(ask)
    assert suggestion.components["fit"] == pytest.approx(0.25)
    assert any("dekt EUR 500 van de EUR 2.000" in r for r in said(suggestion))


def test_the_right_partner_on_the_wrong_day_ranks_below_the_right_day(vocabulary):
    tuesday = need(slots=parse_slots("di avond"))
    saturday_hall = offer(id="sat", slots=parse_slots("za ochtend"))
    tuesday_hall = offer(id="tue", slots=parse_slots("di avond"), lat=52.097)
    ranked = engine([saturday_hall, tuesday_hall], vocabulary).suggest_for_need(tuesday)
    assert [s.offer_id for s in ranked] == ["tue", "sat"]
    assert "dinsdagavond beschikbaar" in said(ranked[0])
    assert any(r.startswith("let op: zij kunnen zaterdagochtend") for r in said(ranked[1]))


def test_unknown_times_rank_below_a_shared_time_and_above_no_shared_day(vocabulary):
    tuesday = need(slots=parse_slots("di avond"))
    halls = [
        offer(id="sat", slots=parse_slots("za ochtend")),
        offer(id="unknown"),
        offer(id="tue", slots=parse_slots("di avond")),
    ]
    ranked = engine(halls, vocabulary).suggest_for_need(tuesday)
    assert [s.offer_id for s in ranked] == ["tue", "unknown", "sat"]
    assert ranked[1].components["slots"] == 0.5


def test_a_need_without_times_gets_no_time_reason(vocabulary):
    anytime = need(people=20)
    hall = offer(slots=parse_slots("za ochtend"), capacity=30)
    (suggestion,) = engine([hall], vocabulary).suggest_for_need(anytime)
    assert not any(r.code.startswith("slot") for r in suggestion.reasons)
    assert not any("zaterdag" in line for line in said(suggestion))


def test_a_suggestion_gives_at_most_three_reasons(vocabulary):
    full = need(slots=parse_slots("di avond"), people=20)
    hall = offer(slots=parse_slots("di avond"), capacity=30)
    (suggestion,) = engine([hall], vocabulary).suggest_for_need(full)
    assert 1 <= len(suggestion.reasons) <= 3


def test_one_suggestion_is_written_in_the_language_of_each_reader(vocabulary):
    (suggestion,) = engine([offer(capacity=40)], vocabulary).suggest_for_need(need(people=30))
    nl, en = said(suggestion, "nl"), said(suggestion, "en")
    assert "ruimte voor 40, jullie zijn met 30" in nl
    assert "room for 40, you are 30" in en
    assert any(r.endswith("km verderop") for r in nl)
    assert any(r.endswith("km away") for r in en)
    assert 1 <= len(suggestion.reasons) <= 4 and len(nl) == len(en)


def test_ties_are_bonding_bridging_or_linking(vocabulary):
    near_initiative = offer(id="a", partner_type="initiative")
    business = offer(id="b", partner_type="business")
    housing = offer(id="c", partner_type="housing")
    ties = {
        s.offer_id: s.tie
        for s in engine([near_initiative, business, housing], vocabulary).suggest_for_need(need())
    }
    assert ties == {"a": "bonding", "b": "bridging", "c": "linking"}


def test_an_offer_of_the_initiative_itself_is_never_suggested(vocabulary):
    own = offer(partner="De Pan")
    assert engine([own], vocabulary).suggest_for_need(need(initiative="De Pan")) == []


def test_a_committed_offer_ranks_below_a_free_one(vocabulary):
    busy, free = offer(id="busy", load=3), offer(id="free")
    ranked = engine([busy, free], vocabulary).suggest_for_need(need())
    assert [s.offer_id for s in ranked] == ["free", "busy"]


def volunteer_need():
    return need(
        kind="volunteers",
        title="Mensen die meehelpen bij de kledingbeurs",
        description="Sorteren en ophangen op zaterdag.",
    )


def volunteer_offer(id, title, description="", **fields):
    base = dict(kind="volunteers", partner_type="volunteers", radius_km=10)
    return offer(id=id, title=title, description=description, **{**base, **fields})


def test_a_local_volunteer_centre_fits_every_volunteer_need_with_its_reason(vocabulary):
    centre = volunteer_offer("centre", "Steunpunt vrijwilligers", partner_type="intermediary")
    gardeners = volunteer_offer("garden", "Wij snoeien bomen", "Een vaste ploeg tuinmannen.")
    ranked = engine([gardeners, centre], vocabulary).suggest_for_need(volunteer_need())
    assert [s.offer_id for s in ranked] == ["centre", "garden"]
    assert render(ranked[0].reasons[0], "nl") == (
        "zij zoeken vrijwilligers voor elk initiatief in hun buurt"
    )


def test_a_centre_is_known_by_its_words_when_its_type_does_not_say_so(vocabulary):
    centre = volunteer_offer("centre", "Vrijwilligerscentrale Noord", "Wij helpen met werven.")
    national = volunteer_offer(
        "national", "Vrijwilligerscentrale Nederland", "Plaats je vacature.", radius_km=300
    )
    gardeners = volunteer_offer("garden", "Wij snoeien bomen", "Een vaste ploeg tuinmannen.")
    ranked = engine([gardeners, national, centre], vocabulary).suggest_for_need(volunteer_need())
    by_id = {s.offer_id: s for s in ranked}
    assert ranked[0].offer_id == "centre"
    # A national platform is nobody's neighbourhood: no floor, no reason.
    assert by_id["national"].components["concept"] < by_id["centre"].components["concept"]
    assert all(r.code != "intermediary" for r in by_id["national"].reasons)


def test_a_partner_the_need_names_comes_first_and_the_reason_says_so(vocabulary):
    the_need = need(
        title="Ruimte voor ons kookcafé",
        description="We spraken al met Huis van de Wijk De Schakel, daar zou het kunnen.",
    )
    schakel = offer(id="schakel", partner="Stichting Huis van de Wijk De Schakel")
    other = offer(id="other", partner="Buurthuis Het Anker")
    ranked = engine([other, schakel], vocabulary).suggest_for_need(the_need)
    assert [s.offer_id for s in ranked] == ["schakel", "other"]
    assert render(ranked[0].reasons[0], "nl") == (
        "jullie noemen Stichting Huis van de Wijk De Schakel zelf in je vraag"
    )
    assert all(r.code != "named_partner" for r in ranked[1].reasons)


def test_a_place_in_a_partners_name_is_not_naming_that_partner(vocabulary):
    the_need = need(description="Wij wonen in Osdorp en zoeken een keuken.")
    library = offer(id="library", partner="Bibliotheek Osdorp")
    (suggestion,) = engine([library], vocabulary).suggest_for_need(the_need)
    assert all(r.code != "named_partner" for r in suggestion.reasons)


@pytest.mark.parametrize("kind", ["", *scoring.KIND_WEIGHTS])
def test_every_set_of_weights_is_non_negative_and_sums_to_one(kind):
    weights = scoring.weights_for(kind)
    assert set(weights) == set(scoring.COMPONENTS)
    assert min(weights.values()) >= 0 and abs(sum(weights.values()) - 1) < 1e-9


# --- properties --------------------------------------------------------------------------

coordinates = st.tuples(st.floats(52.0, 52.2), st.floats(5.0, 5.2))
kinds = st.sampled_from(["venue", "volunteers", "money"])


@st.composite
def pairs(draw):
    kind = draw(kinds)
    lat, lon = draw(coordinates)
    olat, olon = draw(coordinates)
    the_need = need(
        kind=kind,
        lat=lat,
        lon=lon,
        people=draw(st.none() | st.integers(1, 80)),
        amount_eur=draw(st.none() | st.floats(10, 20000)),
        max_distance_km=draw(st.none() | st.floats(0.5, 30)),
        slots=draw(st.sampled_from([frozenset(), parse_slots("di avond"), parse_slots("za")])),
        legal_form=draw(st.sampled_from(["informal", "foundation"])),
        title=draw(st.sampled_from(["plek om samen te koken", "hulp met brieven", "huiswerk"])),
        description=draw(st.sampled_from(["", "We kennen De Schakel al.", "Geen kinderen."])),
    )
    the_offer = offer(
        partner=draw(st.sampled_from(["", "Stichting De Schakel", "Buurthuis Het Anker"])),
        description=draw(
            st.sampled_from(["", "Geen kinderen of feesten.", "Alleen voor stichtingen."])
        ),
        kind=kind,
        lat=olat,
        lon=olon,
        capacity=draw(st.none() | st.integers(1, 80)),
        amount_min_eur=draw(st.none() | st.floats(0, 1000)),
        radius_km=draw(st.none() | st.floats(0.5, 30)),
        slots=draw(
            st.sampled_from([frozenset(), parse_slots("di avond"), parse_slots("ma ochtend")])
        ),
        eligible_legal_forms=draw(st.sampled_from([frozenset(), frozenset({"foundation"})])),
        load=draw(st.integers(0, 3)),
        title=draw(
            st.sampled_from(["zaal met keuken", "formulierenbrigade", "huiswerkbegeleiding"])
        ),
    )
    return the_need, the_offer


@settings(max_examples=150, deadline=None)
@given(pairs())
def test_scores_are_in_unit_interval_and_deterministic(vocabulary, pair):
    the_need, the_offer = pair
    first = engine([the_offer], vocabulary).explain(the_need, the_offer.id)
    second = engine([the_offer], vocabulary).explain(the_need, the_offer.id)
    assert first == second
    if isinstance(first, Suggestion):
        assert 0.0 <= first.score <= 1.0
        assert all(0.0 <= v <= 1.0 for v in first.components.values())


@settings(max_examples=150, deadline=None)
@given(pairs(), st.floats(0.001, 0.05))
def test_a_farther_offer_never_scores_higher_all_else_equal(vocabulary, pair, shift):
    the_need, near = pair
    far = offer(
        **{
            **near.__dict__,
            "id": "far",
            "lat": near.lat + shift if near.lat >= the_need.lat else near.lat - shift,
        }
    )
    near_result = engine([near], vocabulary).explain(the_need, near.id)
    far_result = engine([far], vocabulary).explain(the_need, "far")
    if isinstance(near_result, Suggestion) and isinstance(far_result, Suggestion):
        assert far_result.score <= near_result.score


@settings(max_examples=100, deadline=None)
@given(st.lists(pairs(), min_size=1, max_size=6))
def test_an_excluded_pair_is_never_suggested(vocabulary, pair_list):
    offers = [offer(**{**o.__dict__, "id": f"o{i}"}) for i, (_, o) in enumerate(pair_list)]
    the_engine = engine(offers, vocabulary)
    for i, (the_need, _) in enumerate(pair_list):
        the_need = need(**{**the_need.__dict__, "id": f"n{i}"})
        suggested = {s.offer_id for s in the_engine.suggest_for_need(the_need, top_k=10)}
        for o in offers:
            if isinstance(the_engine.explain(the_need, o.id), Exclusion):
                assert o.id not in suggested


@settings(max_examples=100, deadline=None)
@given(st.lists(pairs(), min_size=1, max_size=8), st.integers(1, 3))
def test_the_blocked_top_k_equals_scoring_every_pair(vocabulary, pair_list, k):
    offers = [offer(**{**o.__dict__, "id": f"o{i}"}) for i, (_, o) in enumerate(pair_list)]
    the_engine = engine(offers, vocabulary)
    for i, (the_need, _) in enumerate(pair_list):
        the_need = need(**{**the_need.__dict__, "id": f"n{i}"})
        fast = [(s.offer_id, s.score) for s in the_engine.suggest_for_need(the_need, k)]
        slow = [(s.offer_id, s.score) for s in the_engine.naive_top_k(the_need, k)]
        assert fast == slow


# --- allocation ----------------------------------------------------------------------------


def test_allocation_respects_capacity_and_maximises_total_score(vocabulary):
    needs = [need(id="a", people=10), need(id="b", people=10)]
    hall = offer(id="hall", capacity=40)
    room = offer(id="room", capacity=12, lat=52.15)
    the_engine = engine([hall, room], vocabulary)
    suggestions = [s for n in needs for s in the_engine.suggest_for_need(n)]
    plan = allocate(needs, [hall, room], suggestions)
    assert sorted(a.offer_id for a in plan) == ["hall", "room"]  # one need per venue


def test_allocation_books_a_venue_slot_once(vocabulary):
    slots = parse_slots("di avond; za ochtend")
    needs = [
        need(id="a", slots=parse_slots("di avond")),
        need(id="b", slots=parse_slots("di avond")),
        need(id="c", slots=parse_slots("za ochtend")),
    ]
    hall = offer(id="hall", slots=slots)
    the_engine = engine([hall], vocabulary)
    plan = allocate(needs, [hall], [s for n in needs for s in the_engine.suggest_for_need(n)])
    assert sorted((a.need_id, a.slot) for a in plan)[-1] == ("c", (5, 0))
    assert len(plan) == 2 and len({a.slot for a in plan}) == 2


@settings(max_examples=60, deadline=None)
@given(st.lists(pairs(), min_size=1, max_size=8), st.integers(1, 3))
def test_allocation_never_exceeds_capacity_and_leaves_no_need_with_a_free_offer(
    vocabulary, pair_list, cap
):
    offers = [
        offer(
            **{
                **o.__dict__,
                "id": f"o{i}",
                "kind": "volunteers",
                "capacity": cap,
                "slots": frozenset(),
            }
        )
        for i, (_, o) in enumerate(pair_list)
    ]
    needs = [
        need(**{**n.__dict__, "id": f"n{i}", "kind": "volunteers"})
        for i, (n, _) in enumerate(pair_list)
    ]
    the_engine = engine(offers, vocabulary)
    suggestions = [s for n in needs for s in the_engine.suggest_for_need(n, top_k=10)]
    plan = allocate(needs, offers, suggestions)
    used: dict[str, int] = {}
    for a in plan:
        used[a.offer_id] = used.get(a.offer_id, 0) + 1
    assert all(count <= cap for count in used.values())
    assert len({a.need_id for a in plan}) == len(plan)
    matched = {a.need_id for a in plan}
    for s in suggestions:
        if s.need_id not in matched:
            assert used.get(s.offer_id, 0) == cap  # its feasible offer is full


@settings(max_examples=200, deadline=None)
@given(
    st.lists(pairs(), min_size=1, max_size=8),
    st.sampled_from([None, date(2024, 1, 1), date(2027, 6, 1)]),
)
def test_the_vectorised_filter_agrees_with_the_one_that_gives_reasons(
    vocabulary, pair_list, offer_deadline
):
    from samenspel.matching.filters import exclusion
    from samenspel.matching.geo import haversine_km

    offers = [offer(**{**o.__dict__, "id": f"o{i}", "deadline": offer_deadline if i % 2 else None,
                       "has_kitchen": (None, True, False)[i % 3], "partner": "De Pan" if i == 3 else ""})
              for i, (_, o) in enumerate(pair_list)]  # fmt: skip
    the_engine = engine(offers, vocabulary)
    for the_need, _ in pair_list:
        the_need = need(**{**the_need.__dict__, "needs_kitchen": True, "initiative": "De Pan"})
        index = the_engine.kinds.get(the_need.kind)
        if index is None:
            continue
        idx, distances = index.candidates(the_need)
        kept, _ = the_engine._eligible(the_need, index, idx, distances)
        expected = [
            j for j in range(len(index.offers))
            if exclusion(the_need, index.offers[j],
                         haversine_km(the_need.lat, the_need.lon, index.offers[j].lat, index.offers[j].lon),
                         TODAY) is None
        ]  # fmt: skip
        assert sorted(kept.tolist()) == expected


def test_a_reason_does_not_repeat_the_same_word_in_another_spelling(vocabulary):
    cafe = need(id="n", kind="expertise", title="vrijwilliger voor ons taalcafe")
    hosts = offer(id="o", kind="expertise", title="wij draaien taalcafés")
    (best,) = engine([hosts], vocabulary).suggest_for_need(cafe)
    words = said(best)
    assert not any(" is hun " in reason for reason in words), words
    assert any(reason.startswith("jullie noemen allebei") for reason in words), words
