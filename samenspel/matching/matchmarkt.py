"""The plan of talks for a matchmarkt: 1:1 talks per round and table (docs/matchmarkt.md).

Parties are organisations: the initiative behind a need and the partner behind an offer. A
candidate is one scored (need, offer) pair between two different parties; the planner keeps the
best candidate per pair of parties, because two parties meet at most once.

The rules every plan keeps (`check_plan` states them, the property tests hold them):
- a party sits at most one table per round, a table holds at most one talk per round;
- two parties meet at most once; a declined pair never meets;
- talks the broker locked stay where they are;
- nobody gets a fourth talk while a party that could have had a talk has none
  ("kneuterigheid verdient een standbeeld": the small ones first).

What the plan maximises, in this order: asked-for talks, parties reached, total expected value
(the sum of the talks' scores). Each level is one mixed-integer programme solved by scipy's
HiGHS; the next level keeps what the previous one reached. `greedy_plan` is the baseline it is
compared with: best score first, earliest free round.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from samenspel.matching.types import NeedIn, OfferIn, Reason

if TYPE_CHECKING:
    from samenspel.matching.engine import Engine

# Without the rule above a party can get as many talks as there are rounds; with it, three
# until everybody who can be reached is reached.
TALKS_BEFORE_EVERYONE = 3
SCORE_SCALE = 1000  # the value level works in whole numbers: a score of 0.873 is worth 873
# Per level: the best plan found within this time is used (a plan is always there: the
# greedy one is a feasible answer to every level, and the solver's answer is never worse).
TIME_LIMIT_S = 8.0


class PlanError(ValueError):
    """Locked talks that break a rule: the message says which, in Dutch."""


def pair_key(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


@dataclass(frozen=True)
class Candidate:
    need_id: str
    offer_id: str
    seeker: str  # the initiative behind the need
    giver: str  # the partner behind the offer
    score: float
    reasons: tuple[Reason, ...] = ()

    @property
    def parties(self) -> frozenset[str]:
        return pair_key(self.seeker, self.giver)


@dataclass(frozen=True)
class Fixed:
    """A talk the broker placed by hand: it stays at this round and table."""

    candidate: Candidate
    round: int
    table: int


@dataclass(frozen=True)
class Meeting:
    round: int
    table: int
    candidate: Candidate
    requested: bool = False
    locked: bool = False


@dataclass
class Plan:
    meetings: list[Meeting]
    parties: list[str]  # every registered party
    method: str  # "milp" or "greedy"
    optimal: bool = True  # False when a level stopped at its time limit
    unplanned: list[str] = field(init=False)

    def __post_init__(self):
        met = {p for m in self.meetings for p in m.candidate.parties}
        self.unplanned = sorted(p for p in self.parties if p not in met)

    @property
    def value(self) -> float:
        return round(sum(m.candidate.score for m in self.meetings), 4)

    @property
    def reached(self) -> int:
        return len(self.parties) - len(self.unplanned)

    @property
    def requested(self) -> int:
        return sum(m.requested for m in self.meetings)

    def summary(self) -> dict:
        return {
            "method": self.method,
            "meetings": len(self.meetings),
            "requested_met": self.requested,
            "parties_reached": self.reached,
            "parties": len(self.parties),
            "total_value": self.value,
            "optimal": self.optimal,
        }


@dataclass(frozen=True)
class Event:
    """What the planner needs to know about the day."""

    rounds: int
    tables: int
    parties: tuple[str, ...]
    requested: frozenset[frozenset[str]] = frozenset()
    declined: frozenset[frozenset[str]] = frozenset()
    fixed: tuple[Fixed, ...] = ()


def best_per_pair(candidates: Iterable[Candidate], event: Event) -> list[Candidate]:
    """One candidate per pair of registered parties (the best), without self-talks and
    declined pairs, in a stable order."""
    registered = set(event.parties)
    best: dict[frozenset[str], Candidate] = {}
    for c in candidates:
        if c.seeker == c.giver or c.seeker not in registered or c.giver not in registered:
            continue
        if c.parties in event.declined:
            continue
        current = best.get(c.parties)
        if current is None or _rank(c) < _rank(current):
            best[c.parties] = c
    return sorted(best.values(), key=_rank)


def _rank(c: Candidate):
    return (-c.score, c.need_id, c.offer_id)


def plan_talks(candidates: Iterable[Candidate], event: Event) -> Plan:
    """The best plan: asked-for talks first, then parties reached, then expected value."""
    _check_fixed(event)
    pool = best_per_pair(candidates, event)
    fixed_pairs = {f.candidate.parties for f in event.fixed}
    free = [c for c in pool if c.parties not in fixed_pairs]
    greedy = _greedy(pool, event)
    if not free or event.rounds < 1 or event.tables < 1:
        return greedy
    solved = _solve(free, event)
    if solved is None:
        return greedy
    chosen, optimal = solved
    plan = _with_tables(chosen, event, "milp", optimal)
    # A level that stopped at its time limit may, in theory, end below the greedy plan.
    if _levels(plan) < _levels(greedy):
        return greedy
    return plan


def _levels(plan: Plan) -> tuple:
    return (plan.requested, plan.reached, round(plan.value * SCORE_SCALE))


def greedy_plan(candidates: Iterable[Candidate], event: Event) -> Plan:
    """Best score first (asked-for talks before the rest), each in the earliest round where
    both parties and a table are free; at most three talks a party until every party that can
    be reached has a talk."""
    _check_fixed(event)
    return _greedy(best_per_pair(candidates, event), event)


def _greedy(pool: list[Candidate], event: Event) -> Plan:
    fixed_pairs = {f.candidate.parties for f in event.fixed}
    order = sorted(
        (c for c in pool if c.parties not in fixed_pairs),
        key=lambda c: (c.parties not in event.requested, *_rank(c)),
    )
    busy: set[tuple[str, int]] = set()
    per_round = defaultdict(int)
    talks = defaultdict(int)
    chosen: list[tuple[Candidate, int]] = []
    for f in event.fixed:
        _take(f.candidate, f.round, busy, per_round, talks)
    reachable = _reachable(pool, event)

    def place(c: Candidate, cap: int | None) -> bool:
        if cap is not None and any(talks[p] >= cap for p in c.parties):
            return False
        for r in range(1, event.rounds + 1):
            if per_round[r] < event.tables and all((p, r) not in busy for p in c.parties):
                _take(c, r, busy, per_round, talks)
                chosen.append((c, r))
                return True
        return False

    rest = [c for c in order if not place(c, TALKS_BEFORE_EVERYONE)]
    if all(talks[p] > 0 for p in reachable):
        for c in rest:
            place(c, None)
    return _with_tables(chosen, event, "greedy", True)


def _take(c: Candidate, r: int, busy, per_round, talks) -> None:
    for p in c.parties:
        busy.add((p, r))
        talks[p] += 1
    per_round[r] += 1


def _reachable(pool: Sequence[Candidate], event: Event) -> set[str]:
    """Parties with at least one possible talk (fixed ones included)."""
    parties = {p for c in pool for p in c.parties}
    parties |= {p for f in event.fixed for p in f.candidate.parties}
    return parties


def _check_fixed(event: Event) -> None:
    seats: set[tuple[int, int]] = set()
    busy: set[tuple[str, int]] = set()
    pairs: set[frozenset[str]] = set()
    for f in event.fixed:
        if not (1 <= f.round <= event.rounds and 1 <= f.table <= event.tables):
            raise PlanError(f"Ronde {f.round}, tafel {f.table} bestaat niet op deze dag.")
        if (f.round, f.table) in seats:
            raise PlanError(f"Aan tafel {f.table} in ronde {f.round} zitten al twee anderen.")
        for p in f.candidate.parties:
            if (p, f.round) in busy:
                raise PlanError(f"{p} heeft in ronde {f.round} al een gesprek.")
            busy.add((p, f.round))
        if f.candidate.parties in pairs:
            raise PlanError("Deze twee hebben al een vast gesprek.")
        seats.add((f.round, f.table))
        pairs.add(f.candidate.parties)


def _solve(free: list[Candidate], event: Event) -> tuple[list[tuple[Candidate, int]], bool] | None:
    """Two levels: (asked-for talks, parties reached), then value with the first kept."""
    rounds = event.rounds
    fixed_busy = {(p, f.round) for f in event.fixed for p in f.candidate.parties}
    fixed_per_round = defaultdict(int)
    fixed_talks = defaultdict(int)
    for f in event.fixed:
        fixed_per_round[f.round] += 1
        for p in f.candidate.parties:
            fixed_talks[p] += 1

    # One binary x[c, r] per candidate and round where both parties are free.
    columns: list[tuple[int, int]] = [
        (i, r)
        for i, c in enumerate(free)
        for r in range(1, rounds + 1)
        if all((p, r) not in fixed_busy for p in c.parties)
    ]
    if not columns:
        return None
    parties = sorted(_reachable(free, event))
    party_index = {p: k for k, p in enumerate(parties)}
    n_x = len(columns)
    n_y = len(parties)  # y[p]: party p has at least one talk
    z = n_x + n_y  # z: everyone reachable has a talk (then a fourth talk is allowed)
    n = z + 1

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lower: list[float] = []
    upper: list[float] = []

    def constraint(entries: Iterable[tuple[int, float]], lo: float, hi: float) -> None:
        row = len(lower)
        for col, val in entries:
            rows.append(row)
            cols.append(col)
            vals.append(val)
        lower.append(lo)
        upper.append(hi)

    by_candidate = defaultdict(list)
    by_party_round = defaultdict(list)
    by_round = defaultdict(list)
    by_party = defaultdict(list)
    for j, (i, r) in enumerate(columns):
        by_candidate[i].append(j)
        by_round[r].append(j)
        for p in free[i].parties:
            by_party_round[(p, r)].append(j)
            by_party[p].append(j)

    for js in by_candidate.values():  # a pair meets at most once
        constraint(((j, 1.0) for j in js), 0, 1)
    for js in by_party_round.values():  # one table per party per round
        constraint(((j, 1.0) for j in js), 0, 1)
    for r, js in by_round.items():  # one talk per table per round
        constraint(((j, 1.0) for j in js), 0, event.tables - fixed_per_round[r])
    for p, k in party_index.items():
        y = n_x + k
        talks = by_party.get(p, [])
        # y[p] <= fixed talks + planned talks
        constraint([(y, 1.0)] + [(j, -1.0) for j in talks], -np.inf, fixed_talks[p])
        # a fourth talk only when everyone reachable has one: talks <= 3 + (R - 3) * z
        if rounds > TALKS_BEFORE_EVERYONE:
            constraint(
                [(j, 1.0) for j in talks] + [(z, -(rounds - TALKS_BEFORE_EVERYONE))],
                -np.inf,
                TALKS_BEFORE_EVERYONE - fixed_talks[p],
            )
        constraint([(z, 1.0), (y, -1.0)], -np.inf, 0)  # z <= y[p]

    matrix = csr_array(
        (np.asarray(vals), (np.asarray(rows, dtype=np.int32), np.asarray(cols, dtype=np.int32))),
        shape=(len(lower), n),
    )
    base = LinearConstraint(matrix, np.asarray(lower), np.asarray(upper))
    integrality = np.ones(n)
    bounds = Bounds(np.zeros(n), np.ones(n))

    # Level 1: an asked-for talk outweighs every party reached.
    weight_requested = n_y + 1
    first = np.zeros(n)
    for j, (i, _) in enumerate(columns):
        if free[i].parties in event.requested:
            first[j] = weight_requested
    first[n_x : n_x + n_y] = 1.0
    one = _milp(-first, base, integrality, bounds)
    if one is None:
        return None
    optimal = one.status == 0
    reached_level = float(np.round(first @ np.round(one.x)))

    # Level 2: the most value, keeping level 1.
    second = np.zeros(n)
    for j, (i, _) in enumerate(columns):
        second[j] = round(free[i].score * SCORE_SCALE)
    keep = LinearConstraint(csr_array(first.reshape(1, -1)), reached_level - 0.5, np.inf)
    two = _milp(-second, [base, keep], integrality, bounds)
    result = two if two is not None else one
    optimal = optimal and two is not None and two.status == 0
    x = np.round(result.x[:n_x]).astype(bool)
    chosen = [(free[columns[j][0]], columns[j][1]) for j in np.flatnonzero(x)]
    return chosen, optimal


def _milp(objective, constraints, integrality, bounds):
    result = milp(
        objective,
        integrality=integrality,
        bounds=bounds,
        constraints=constraints,
        options={"time_limit": TIME_LIMIT_S, "mip_rel_gap": 0.0},
    )
    # status 1: the time limit was reached; x is then the best plan found, when there is one.
    if result.x is None or result.status not in (0, 1):
        return None
    return result


def _with_tables(chosen: list[tuple[Candidate, int]], event: Event, method: str, optimal: bool):
    """Locked talks keep their table; the others take the lowest free table of their round.
    Rounds without a locked talk are renumbered fullest first, so a light evening fills its
    first rounds and people can leave early, not sit out the start (moving whole rounds keeps
    every rule)."""
    chosen = _fullest_rounds_first(chosen, event)
    meetings = [
        Meeting(f.round, f.table, f.candidate, f.candidate.parties in event.requested, True)
        for f in event.fixed
    ]
    taken = {(m.round, m.table) for m in meetings}
    for c, r in sorted(chosen, key=lambda cr: (cr[1], _rank(cr[0]))):
        table = next(t for t in range(1, event.tables + 1) if (r, t) not in taken)
        taken.add((r, table))
        meetings.append(Meeting(r, table, c, c.parties in event.requested))
    meetings.sort(key=lambda m: (m.round, m.table))
    return Plan(meetings, sorted(set(event.parties)), method, optimal)


def _fullest_rounds_first(
    chosen: list[tuple[Candidate, int]], event: Event
) -> list[tuple[Candidate, int]]:
    pinned = {f.round for f in event.fixed}
    size = Counter(r for _, r in chosen if r not in pinned)
    free_numbers = [r for r in range(1, event.rounds + 1) if r not in pinned]
    order = sorted(free_numbers, key=lambda r: (-size[r], r))
    renumber = dict(zip(order, free_numbers, strict=True))
    return [(c, renumber.get(r, r)) for c, r in chosen]


def check_plan(plan: Plan, event: Event, candidates: Iterable[Candidate]) -> list[str]:
    """Every rule the plan breaks, in plain words; empty when it keeps them all."""
    broken: list[str] = []
    seats: set[tuple[int, int]] = set()
    busy: set[tuple[str, int]] = set()
    pairs: set[frozenset[str]] = set()
    talks = defaultdict(int)
    for m in plan.meetings:
        c = m.candidate
        if not (1 <= m.round <= event.rounds and 1 <= m.table <= event.tables):
            broken.append(f"round {m.round} table {m.table} does not exist")
        if (m.round, m.table) in seats:
            broken.append(f"table {m.table} twice in round {m.round}")
        seats.add((m.round, m.table))
        for p in c.parties:
            if (p, m.round) in busy:
                broken.append(f"{p} twice in round {m.round}")
            busy.add((p, m.round))
            talks[p] += 1
        if c.parties in pairs:
            broken.append(f"{sorted(c.parties)} meet twice")
        pairs.add(c.parties)
        if c.parties in event.declined:
            broken.append(f"{sorted(c.parties)} declined and still meet")
        if c.seeker == c.giver:
            broken.append(f"{c.seeker} meets itself")
    for f in event.fixed:
        if not any(
            m.round == f.round and m.table == f.table and m.candidate == f.candidate
            for m in plan.meetings
        ):
            broken.append(f"locked talk at round {f.round} table {f.table} moved")
    if any(n > TALKS_BEFORE_EVERYONE for n in talks.values()):
        reachable = _reachable(best_per_pair(candidates, event), event)
        left_out = [p for p in plan.unplanned if p in reachable]
        if left_out:
            broken.append(f"a fourth talk while {left_out[0]} has none")
    return broken


def party_of_need(need: NeedIn) -> str:
    return need.initiative.strip() or f"need {need.id}"


def party_of_offer(offer: OfferIn) -> str:
    return offer.partner.strip() or f"offer {offer.id}"


def candidates_from(needs: Sequence[NeedIn], engine: Engine, top_k: int) -> list[Candidate]:
    """The engine's best `top_k` offers per need, as candidate talks between their parties."""
    by_id = {n.id: n for n in needs}
    return [
        Candidate(
            need_id=s.need_id,
            offer_id=s.offer_id,
            seeker=party_of_need(by_id[s.need_id]),
            giver=party_of_offer(engine.by_id[s.offer_id]),
            score=s.score,
            reasons=tuple(s.reasons),
        )
        for result in engine.suggest(list(needs), top_k=top_k)
        for s in result.suggestions
    ]


def candidates_per_need(rounds: int) -> int:
    """How many suggestions per need the planner considers: enough for every round to have
    a choice when the best partners are busy."""
    return max(10, 3 * rounds)
