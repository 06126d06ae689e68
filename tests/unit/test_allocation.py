"""The recommended plan (matching.allocation) against a brute-force optimum on small cases."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

import samenspel.matching.allocation as allocation
from samenspel.matching.allocation import UNMATCHED_COST, allocate, plan_cost
from samenspel.matching.types import Suggestion
from tests.unit.conftest import need, offer

SLOTS = [(1, 2), (3, 2), (5, 0)]  # di avond, do avond, za ochtend


def suggestion(need_id: str, offer_id: str, score: float) -> Suggestion:
    return Suggestion(need_id, offer_id, score, components={}, reasons=[], tie="bonding")


@st.composite
def cases(draw):
    """A few needs and offers (venues with or without slots, volunteers with a capacity) and
    suggestions with any score between 0 and 1."""
    offers = []
    for i in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            slots = draw(st.sets(st.sampled_from(SLOTS), max_size=2))
            offers.append(offer(id=f"o{i}", kind="venue", slots=frozenset(slots)))
        else:
            offers.append(offer(id=f"o{i}", kind="volunteers", capacity=draw(st.integers(1, 2))))
    needs = [
        need(id=f"n{i}", slots=frozenset(draw(st.sets(st.sampled_from(SLOTS), max_size=2))))
        for i in range(draw(st.integers(1, 4)))
    ]
    suggestions = [
        suggestion(n.id, o.id, draw(st.floats(0, 1)))
        for n in needs
        for o in offers
        if draw(st.booleans())
    ]
    return needs, offers, suggestions


def bookable_slots(the_need, the_offer):
    """Written out again, not imported: a venue with slots is booked in a slot both share (any
    of its slots when they share none or the need names none); anything else as a whole."""
    if the_offer.kind != "venue" or not the_offer.slots:
        return [None]
    shared = the_need.slots & the_offer.slots
    return sorted(shared or the_offer.slots)


def cost(plan, n_needs: int) -> int:
    """What the plan should minimise, written out: per arc the score it misses, in whole
    ten-thousandths, and UNMATCHED_COST for every need left without an offer."""
    return sum(round((1 - a.score) * 10_000) for a in plan) + UNMATCHED_COST * (n_needs - len(plan))


def room(the_offer) -> int:
    return 1 if the_offer.kind == "venue" else the_offer.capacity


def brute_force_cost(needs, offers, suggestions) -> int:
    """Try every way to give each need one of its suggestions (in any bookable slot) or nothing."""
    by_id = {o.id: o for o in offers}
    choices = []
    for the_need in needs:
        options = [None]
        for s in suggestions:
            if s.need_id == the_need.id:
                the_offer = by_id[s.offer_id]
                options += [(s, slot) for slot in bookable_slots(the_need, the_offer)]
        choices.append(options)
    costs = []  # the plan with no match at all is always among them
    for combination in itertools.product(*choices):
        chosen = [c for c in combination if c is not None]
        used: dict[tuple, int] = {}
        for s, slot in chosen:
            used[(s.offer_id, slot)] = used.get((s.offer_id, slot), 0) + 1
        if any(count > room(by_id[offer_id]) for (offer_id, _), count in used.items()):
            continue
        plan = [allocation.Assignment(s.need_id, s.offer_id, s.score, slot) for s, slot in chosen]
        costs.append(cost(plan, len(needs)))
    return min(costs)


def assert_is_a_valid_plan(plan, needs, offers, suggestions):
    by_id = {o.id: o for o in offers}
    need_by_id = {n.id: n for n in needs}
    suggested = {(s.need_id, s.offer_id) for s in suggestions}
    assert len({a.need_id for a in plan}) == len(plan)  # each need at most one offer
    used: dict[tuple, int] = {}
    for a in plan:
        assert (a.need_id, a.offer_id) in suggested
        assert a.slot in bookable_slots(need_by_id[a.need_id], by_id[a.offer_id])
        used[(a.offer_id, a.slot)] = used.get((a.offer_id, a.slot), 0) + 1
    for (offer_id, _), count in used.items():
        assert count <= room(by_id[offer_id])  # a venue slot is never booked twice


@settings(max_examples=150, deadline=None)
@given(cases())
def test_the_plan_is_as_good_as_the_best_of_all_plans(case):
    needs, offers, suggestions = case
    plan = allocate(needs, offers, suggestions)
    assert_is_a_valid_plan(plan, needs, offers, suggestions)
    assert cost(plan, len(needs)) == brute_force_cost(needs, offers, suggestions)
    assert plan_cost(plan, len(needs)) == cost(plan, len(needs))


def test_two_needs_share_a_venue_only_in_different_slots():
    hall = offer(id="hall", kind="venue", slots=frozenset(SLOTS[:2]))
    needs = [need(id="a", slots=frozenset(SLOTS[:1])), need(id="b", slots=frozenset(SLOTS[:1]))]
    plan = allocate(needs, [hall], [suggestion("a", "hall", 0.9), suggestion("b", "hall", 0.8)])
    # Both want Tuesday evening: the better one gets it. The venue's other slot is not offered
    # to the second need, because it named a slot the venue has.
    assert [(a.need_id, a.slot) for a in plan] == [("a", SLOTS[0])]


def test_volunteers_serve_as_many_needs_as_their_capacity_the_best_first():
    group = offer(id="group", kind="volunteers", capacity=2)
    needs = [need(id=name, kind="volunteers") for name in "abc"]
    scores = {"a": 0.5, "b": 0.9, "c": 0.7}
    plan = allocate(needs, [group], [suggestion(n, "group", s) for n, s in scores.items()])
    assert [a.need_id for a in plan] == ["b", "c"]


def test_matching_one_more_need_beats_a_higher_score():
    # a could take x (0.9) alone, but then b gets nothing: a takes y and b takes x.
    x = offer(id="x", kind="volunteers", capacity=1)
    y = offer(id="y", kind="volunteers", capacity=1)
    needs = [need(id="a", kind="volunteers"), need(id="b", kind="volunteers")]
    plan = allocate(
        needs,
        [x, y],
        [suggestion("a", "x", 0.9), suggestion("a", "y", 0.2), suggestion("b", "x", 0.3)],
    )
    assert [(a.need_id, a.offer_id) for a in plan] == [("a", "y"), ("b", "x")]
    assert plan_cost(plan, 2) < plan_cost([allocation.Assignment("a", "x", 0.9)], 2)
    assert UNMATCHED_COST > allocation.SCORE_SCALE


def test_no_suggestions_and_unknown_ids_give_an_empty_plan():
    assert allocate([need(id="a")], [offer(id="o")], []) == []
    assert allocate([need(id="a")], [offer(id="o")], [suggestion("zz", "o", 0.5)]) == []


def test_a_fractional_answer_from_the_simplex_is_solved_again_with_integrality(monkeypatch):
    # The network LP always has whole vertices; this forces the safety net to prove it works.
    calls = []

    def fractional(objective, **_):
        calls.append(len(objective))
        return SimpleNamespace(status=0, success=True, x=[0.5] * len(objective), message="")

    monkeypatch.setattr(allocation, "linprog", fractional)
    group = offer(id="group", kind="volunteers", capacity=1)
    needs = [need(id="a", kind="volunteers"), need(id="b", kind="volunteers")]
    plan = allocate(needs, [group], [suggestion("a", "group", 0.4), suggestion("b", "group", 0.6)])
    assert calls == [2]
    assert [(a.need_id, a.offer_id) for a in plan] == [("b", "group")]
