"""A recommended plan: which offer goes to which need, respecting capacities, maximising the
total score (docs/design.md, step 5).

A min-cost flow, solved as a linear programme with scipy's HiGHS: one variable per
(need, offer) arc, at most one arc per need, at most `capacity` arcs per offer node. A venue
with weekly slots is split into one node per slot: one slot hosts one initiative at a time. An
unmatched need costs more than any arc (UNMATCHED_COST), so a need whose suggested offer still
has room is always matched, and otherwise the plan with the highest total score wins
(`plan_cost` is exactly what is minimised). The constraint matrix is the incidence matrix of a
bipartite graph, so every vertex of the LP is whole and the simplex answer is a real plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_array

from samenspel.matching.types import NeedIn, OfferIn, Suggestion

SCORE_SCALE = 10_000  # costs are integers: a score of 0.8731 costs 1_269
# An unmatched need costs more than any arc (at most SCORE_SCALE): matching it always pays.
UNMATCHED_COST = 2 * (SCORE_SCALE + 1)


@dataclass(frozen=True)
class Assignment:
    need_id: str
    offer_id: str
    score: float
    slot: tuple[int, int] | None = None


def allocation_capacity(offer: OfferIn) -> int:
    """How many needs one offer node can serve: a venue (or one slot of it) hosts one
    initiative at a time; other offers serve `capacity` needs, one when it is not given."""
    if offer.kind == "venue":
        return 1
    return offer.capacity or 1


def arc_cost(score: float) -> int:
    """The whole-number cost of one arc: what the plan loses by not having a perfect match."""
    return int(round((1.0 - score) * SCORE_SCALE))


def plan_cost(plan: Sequence[Assignment], n_needs: int) -> int:
    """What the plan minimises: the arcs' costs plus UNMATCHED_COST for every need left out."""
    return sum(arc_cost(a.score) for a in plan) + UNMATCHED_COST * (n_needs - len(plan))


def allocate(
    needs: Sequence[NeedIn],
    offers: Sequence[OfferIn],
    suggestions: Iterable[Suggestion],
) -> list[Assignment]:
    need_by_id = {n.id: n for n in needs}
    offer_by_id = {o.id: o for o in offers}
    need_row = {need_id: row for row, need_id in enumerate(need_by_id)}
    offer_rows: dict[tuple[str, tuple[int, int] | None], int] = {}
    capacities: list[int] = []

    arcs: list[tuple[Suggestion, tuple[int, int] | None]] = []
    rows: list[int] = []  # per arc, twice: its need's row and its offer node's row
    costs: list[int] = []
    for suggestion in suggestions:
        need = need_by_id.get(suggestion.need_id)
        offer = offer_by_id.get(suggestion.offer_id)
        if need is None or offer is None:
            continue
        cost = arc_cost(suggestion.score)
        for slot in _slots_for(need, offer):
            key = (offer.id, slot)
            if key not in offer_rows:
                offer_rows[key] = len(need_by_id) + len(offer_rows)
                capacities.append(allocation_capacity(offer))
            arcs.append((suggestion, slot))
            rows += [need_row[need.id], offer_rows[key]]
            costs.append(cost)
    if not arcs:
        return []

    # Choosing an arc saves UNMATCHED_COST and pays its own cost (plan_cost, minus the constant
    # UNMATCHED_COST * len(needs)), so no separate "unmatched" variables are needed.
    objective = np.asarray(costs, dtype=float) - UNMATCHED_COST
    # 32-bit indices: scipy 1.13's milp refuses a sparse matrix with 64-bit ones.
    columns = np.repeat(np.arange(len(arcs), dtype=np.int32), 2)
    matrix = csr_array(
        (np.ones(len(rows)), (np.asarray(rows, dtype=np.int32), columns)),
        shape=(len(need_by_id) + len(offer_rows), len(arcs)),
    )
    upper = np.concatenate([np.ones(len(need_by_id)), np.asarray(capacities, dtype=float)])
    # Dual simplex ends on a vertex, and every vertex of this network LP is whole: fast, and
    # exact. Should rounding ever leave a fractional answer, milp with integrality decides.
    result = linprog(objective, A_ub=matrix, b_ub=upper, bounds=(0, 1), method="highs-ds")
    if result.status != 0 or not _whole(result.x):
        result = milp(
            objective,
            integrality=np.ones(len(arcs)),
            bounds=Bounds(0, 1),
            constraints=LinearConstraint(matrix, -np.inf, upper),
            # The default relative gap (1e-4) would accept a plan slightly worse than the best.
            options={"mip_rel_gap": 0.0},
        )
    if not result.success or result.x is None:
        raise RuntimeError(f"allocation did not solve: {result.message}")
    chosen = result.x > 0.5
    plan = [
        Assignment(suggestion.need_id, suggestion.offer_id, suggestion.score, slot)
        for (suggestion, slot), taken in zip(arcs, chosen, strict=True)
        if taken
    ]
    return sorted(plan, key=lambda a: (a.need_id, a.offer_id))


def _whole(x: np.ndarray | None) -> bool:
    return x is not None and bool(np.all(np.abs(x - np.round(x)) <= 1e-6))


def _slots_for(need: NeedIn, offer: OfferIn) -> list[tuple[int, int] | None]:
    """A venue with slots is booked per slot; anything else as a whole (None)."""
    if offer.kind != "venue" or not offer.slots:
        return [None]
    shared = sorted(need.slots & offer.slots) if need.slots else sorted(offer.slots)
    return shared or sorted(offer.slots)
