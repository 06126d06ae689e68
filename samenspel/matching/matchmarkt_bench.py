"""`samenspel matchmarkt-bench`: the plan of talks for a generated matchmarkt, timed, next to
the greedy plan (docs/matchmarkt.md). Half the parties are initiatives with two needs each,
half are partners with two offers each, all in a few nearby towns, as at a real matchmarkt;
the engine suggests without the meaning component (the planner is what is measured)."""

from __future__ import annotations

import time
from datetime import date

from samenspel.matching.engine import Engine
from samenspel.matching.matchmarkt import (
    Event,
    candidates_from,
    candidates_per_need,
    check_plan,
    greedy_plan,
    party_of_need,
    party_of_offer,
    plan_talks,
)
from samenspel.matching.synthetic import as_dataclasses, generate

POSTS_PER_PARTY = 2


def generated_event(parties: int, rounds: int, tables: int, *, seed: int = 2026):
    """(candidates, event) for a generated matchmarkt of `parties` parties."""
    seekers = parties // 2
    givers = parties - seekers
    need_rows, offer_rows = generate(seekers * POSTS_PER_PARTY, givers * POSTS_PER_PARTY,
                                     seed=seed, cities=3)  # fmt: skip
    for i, row in enumerate(need_rows):
        row["initiative"] = f"Initiatief {i % seekers}"
    for i, row in enumerate(offer_rows):
        row["partner"] = f"Partner {i % givers}"
    needs, offers = as_dataclasses(need_rows, offer_rows)
    engine = Engine(offers, today=date(2026, 11, 25))
    names = {party_of_need(n) for n in needs} | {party_of_offer(o) for o in offers}
    event = Event(rounds=rounds, tables=tables, parties=tuple(sorted(names)))
    return candidates_from(needs, engine, candidates_per_need(rounds)), event


def run(parties: int, rounds: int, tables: int, *, seed: int = 2026) -> list[str]:
    wall = time.perf_counter()
    candidates, event = generated_event(parties, rounds, tables, seed=seed)
    suggest_s = time.perf_counter() - wall
    wall, cpu = time.perf_counter(), time.process_time()
    plan = plan_talks(candidates, event)
    plan_wall, plan_cpu = time.perf_counter() - wall, time.process_time() - cpu
    greedy = greedy_plan(candidates, event)
    broken = check_plan(plan, event, candidates) + check_plan(greedy, event, candidates)

    lines = [
        f"matchmarkt: {len(event.parties)} parties, {rounds} rounds, {tables} tables, "
        f"{len(candidates)} candidate talks (data and engine {suggest_s:.1f} s)",
        f"plan ready in {plan_wall:.1f} s wall, {plan_cpu:.1f} CPU-s (target: under 30 s)",
    ]
    for label, result in (("plan  ", plan), ("greedy", greedy)):
        s = result.summary()
        lines.append(
            f"{label}: {s['meetings']} talks, {s['parties_reached']} of {s['parties']} parties "
            f"reached, total value {s['total_value']:.1f}, method {s['method']}"
            + ("" if s["optimal"] else " (stopped at the time limit)")
        )
    lines.append("rules broken: " + ("; ".join(broken) if broken else "none"))
    return lines
