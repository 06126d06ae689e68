"""A recommended plan: which offer goes to which need, respecting capacities, maximising the
total score (design.md, matching step 5).

Min-cost flow (OR-Tools; pitfalls.md: 0.1 s where networkx took 28 s). Each need sends one unit
to an offer it was suggested, or to an "unmatched" arc that costs more than any real arc could
save, so the plan matches as many needs as capacity allows and, among those plans, picks the
highest total score. A venue with weekly slots is split into one node per slot: one slot hosts
one initiative at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ortools.graph.python import min_cost_flow

from matching.types import NeedIn, OfferIn, Suggestion

SCORE_SCALE = 10_000  # costs are integers: a score of 0.8731 costs 1_269


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


def allocate(
    needs: Sequence[NeedIn],
    offers: Sequence[OfferIn],
    suggestions: Iterable[Suggestion],
) -> list[Assignment]:
    need_by_id = {n.id: n for n in needs}
    offer_by_id = {o.id: o for o in offers}
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, 1
    nodes: dict[object, int] = {}

    def node(key) -> int:
        if key not in nodes:
            nodes[key] = len(nodes) + 2
        return nodes[key]

    arcs: list[tuple[int, Suggestion, tuple[int, int] | None]] = []
    pairs = [s for s in suggestions if s.need_id in need_by_id and s.offer_id in offer_by_id]
    max_cost = SCORE_SCALE + 1
    for need_id in need_by_id:
        flow.add_arc_with_capacity_and_unit_cost(source, node(("need", need_id)), 1, 0)
        # Unmatched costs more than any arc: matching one more need always wins.
        flow.add_arc_with_capacity_and_unit_cost(node(("need", need_id)), sink, 1, max_cost * 2)
    for suggestion in pairs:
        need, offer = need_by_id[suggestion.need_id], offer_by_id[suggestion.offer_id]
        cost = int(round((1.0 - suggestion.score) * SCORE_SCALE))
        for slot in _slots_for(need, offer):
            target = node(("offer", offer.id, slot))
            arc = flow.add_arc_with_capacity_and_unit_cost(node(("need", need.id)), target, 1, cost)
            arcs.append((arc, suggestion, slot))
    for key, node_id in nodes.items():
        if key[0] == "offer":
            capacity = allocation_capacity(offer_by_id[key[1]])
            flow.add_arc_with_capacity_and_unit_cost(node_id, sink, capacity, 0)
    flow.set_node_supply(source, len(need_by_id))
    flow.set_node_supply(sink, -len(need_by_id))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow did not solve: status {status}")
    plan = [
        Assignment(s.need_id, s.offer_id, s.score, slot)
        for arc, s, slot in arcs
        if flow.flow(arc) > 0
    ]
    return sorted(plan, key=lambda a: (a.need_id, a.offer_id))


def _slots_for(need: NeedIn, offer: OfferIn) -> list[tuple[int, int] | None]:
    """A venue with slots is booked per slot; anything else as a whole (None)."""
    if offer.kind != "venue" or not offer.slots:
        return [None]
    shared = sorted(need.slots & offer.slots) if need.slots else sorted(offer.slots)
    return shared or sorted(offer.slots)
