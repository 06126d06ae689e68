"""The plan of talks for a matchmarkt: its rules hold on random events, it beats the greedy
plan, and the broker's locked talks stay."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samenspel.matching.matchmarkt import (
    Candidate,
    Event,
    Fixed,
    Meeting,
    Plan,
    PlanError,
    check_plan,
    greedy_plan,
    pair_key,
    plan_talks,
)


def cand(seeker: str, giver: str, score: float, n: str = "") -> Candidate:
    return Candidate(n or f"n-{seeker}-{giver}", f"o-{giver}", seeker, giver, score)


@st.composite
def events(draw):
    seekers = [f"S{i}" for i in range(draw(st.integers(1, 6)))]
    givers = [f"G{i}" for i in range(draw(st.integers(1, 6)))]
    parties = seekers + givers
    pairs = draw(
        st.lists(st.tuples(st.sampled_from(seekers), st.sampled_from(givers)), max_size=25)
    )
    candidates = [
        cand(s, g, draw(st.floats(0.35, 1.0)), n=f"n{i}") for i, (s, g) in enumerate(pairs)
    ]
    keys = sorted({c.parties for c in candidates}, key=sorted)
    requested = draw(st.sets(st.sampled_from(keys), max_size=3)) if keys else set()
    declined = draw(st.sets(st.sampled_from(keys), max_size=2)) if keys else set()
    rounds, tables = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    fixed = []
    if candidates and draw(st.booleans()):  # one locked talk, in a valid seat
        c = candidates[0]
        if c.parties not in declined:
            fixed.append(Fixed(c, draw(st.integers(1, rounds)), draw(st.integers(1, tables))))
    event = Event(rounds, tables, tuple(parties), frozenset(requested), frozenset(declined),
                  tuple(fixed))  # fmt: skip
    return candidates, event


def levels(plan):
    return (plan.requested, plan.reached, round(plan.value, 3))


@settings(max_examples=150, deadline=None)
@given(events())
def test_the_plan_and_the_greedy_plan_keep_every_rule(data):
    candidates, event = data
    plan = plan_talks(candidates, event)
    greedy = greedy_plan(candidates, event)
    assert check_plan(plan, event, candidates) == []
    assert check_plan(greedy, event, candidates) == []
    # Asked-for talks first, then parties reached, then value: never worse than greedy.
    assert levels(plan) >= levels(greedy)


@settings(max_examples=50, deadline=None)
@given(events())
def test_the_plan_is_deterministic(data):
    candidates, event = data
    first = plan_talks(candidates, event)
    assert plan_talks(list(reversed(candidates)), event).meetings == first.meetings


def test_everyone_gets_a_talk_before_anyone_gets_a_fourth():
    # One popular partner that every initiative wants most; a small initiative whose only
    # fitting partner is the popular one.
    candidates = [cand(f"S{i}", "Big", 0.95 - i / 100) for i in range(4)]
    candidates += [cand("S0", f"G{j}", 0.9) for j in range(4)]
    candidates += [cand("Small", "Big", 0.4)]
    event = Event(5, 3, ("S0", "S1", "S2", "S3", "Small", "Big", "G0", "G1", "G2", "G3"))
    plan = plan_talks(candidates, event)
    met = {p for m in plan.meetings for p in m.candidate.parties}
    assert "Small" in met
    assert plan.reached == len(event.parties)
    assert check_plan(plan, event, candidates) == []


def test_a_fourth_talk_while_someone_has_none_breaks_the_rule():
    candidates = [cand("S0", f"G{j}", 0.9) for j in range(4)] + [cand("S1", "G0", 0.5)]
    event = Event(4, 1, ("S0", "S1", "G0", "G1", "G2", "G3"))
    four = Plan([Meeting(r + 1, 1, candidates[r]) for r in range(4)], list(event.parties), "hand")
    assert four.unplanned == ["S1"]
    assert any("fourth talk while S1" in rule for rule in check_plan(four, event, candidates))
    plan = plan_talks(candidates, event)
    assert "S1" not in plan.unplanned and check_plan(plan, event, candidates) == []


def test_asked_for_talks_come_first_and_declined_pairs_never_meet():
    candidates = [cand("S0", "G0", 0.9), cand("S0", "G1", 0.4), cand("S1", "G0", 0.8)]
    event = Event(1, 1, ("S0", "S1", "G0", "G1"), requested=frozenset({pair_key("S0", "G1")}),
                  declined=frozenset({pair_key("S1", "G0")}))  # fmt: skip
    plan = plan_talks(candidates, event)
    assert [(m.candidate.seeker, m.candidate.giver) for m in plan.meetings] == [("S0", "G1")]
    assert plan.meetings[0].requested


def test_locked_talks_stay_and_bad_locks_are_refused_in_dutch():
    a, b = cand("S0", "G0", 0.5), cand("S1", "G1", 0.9)
    event = Event(2, 2, ("S0", "S1", "G0", "G1"), fixed=(Fixed(a, 2, 2),))
    plan = plan_talks([a, b], event)
    locked = [m for m in plan.meetings if m.locked]
    assert [(m.round, m.table, m.candidate) for m in locked] == [(2, 2, a)]
    with pytest.raises(PlanError, match="tafel 1 in ronde 1"):
        plan_talks([a, b], Event(2, 2, event.parties, fixed=(Fixed(a, 1, 1), Fixed(b, 1, 1))))
    with pytest.raises(PlanError, match="bestaat niet"):
        plan_talks([a], Event(2, 2, event.parties, fixed=(Fixed(a, 3, 1),)))


def test_two_parties_meet_once_on_their_best_pair_and_nobody_meets_itself():
    candidates = [cand("S0", "G0", 0.5, "n1"), cand("S0", "G0", 0.8, "n2"), cand("X", "X", 1.0)]
    plan = plan_talks(candidates, Event(3, 2, ("S0", "G0", "X")))
    assert [m.candidate.need_id for m in plan.meetings] == ["n2"]
    assert plan.unplanned == ["X"]


def test_the_plan_beats_greedy_on_a_generated_matchmarkt():
    from samenspel.matching.matchmarkt_bench import generated_event

    candidates, event = generated_event(40, 4, 10, seed=7)
    plan, greedy = plan_talks(candidates, event), greedy_plan(candidates, event)
    assert plan.method == "milp"
    assert plan.reached >= greedy.reached and plan.value > greedy.value
    assert check_plan(plan, event, candidates) == []


def test_a_light_evening_fills_its_first_rounds_and_locked_rounds_stay():
    one = [cand("A", "X", 0.8)]
    plan = plan_talks(one, Event(rounds=6, tables=3, parties=("A", "X")))
    assert [(m.round, m.table) for m in plan.meetings] == [(1, 1)]
    # A talk locked in round 1 keeps it; the planner's own rounds follow from round 2 on, with no
    # empty round between (whole rounds move: every rule still holds).
    locked = Fixed(cand("B", "Y", 0.5), round=1, table=2)
    pool = [cand("A", "X", 0.8), cand("A", "Y", 0.7), cand("B", "X", 0.6)]
    event = Event(rounds=6, tables=3, parties=("A", "B", "X", "Y"), fixed=(locked,))
    plan = plan_talks([*pool, locked.candidate], event)
    assert check_plan(plan, event, [*pool, locked.candidate]) == []
    used = sorted({m.round for m in plan.meetings})
    assert used == list(range(1, len(used) + 1)) and len(used) < 6
    assert (1, 2) in {(m.round, m.table) for m in plan.meetings if m.locked}
