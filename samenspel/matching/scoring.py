"""Score components and their weights (docs/design.md, step 3).

Every component is in [0, 1] and is computed for one need against many offers at once (numpy
arrays), so the same function serves the fast engine and the naive reference. The weights live
here and nowhere else; they sum to 1, so the score is in [0, 1] too.
"""

from __future__ import annotations

import numpy as np

WEIGHTS: dict[str, float] = {
    "concept": 0.19,  # the same thing, in either world's words (the vocabulary)
    "semantic": 0.30,  # the same meaning, in any words (a sentence model, matching/semantic.py)
    "text": 0.05,  # fuzzy text similarity: names, typos, words no model knows
    "distance": 0.17,  # closer is better
    "slots": 0.14,  # available when they need it
    "fit": 0.04,  # capacity against people, money against the amount asked
    "conditions": 0.02,  # shared social-quality conditions
    "fairness": 0.04,  # small and new initiatives are not crowded out
    "load": 0.05,  # an offer already committed elsewhere ranks lower
}
COMPONENTS = tuple(WEIGHTS)
# Where one kind of help is weighed otherwise. Know-how travels: fitted on the expertise needs
# of tests/eval/train alone (5-fold CV by need: 0.861 -> 0.914), distance dropped out, so
# within the need's and the offer's own limits an expert across town is as good as one next door.
KIND_WEIGHTS: dict[str, dict[str, float]] = {
    "expertise": {**WEIGHTS, "concept": 0.32, "semantic": 0.41, "text": 0.04, "distance": 0.0,
                  "slots": 0.09, "fit": 0.03, "conditions": 0.02},
}  # fmt: skip

# Distance at which the distance component halves, per kind: people walk to a venue, but a
# fund or an expert can be across town.
HALF_DISTANCE_KM = {
    "venue": 3.0,
    "volunteers": 6.0,
    "goods": 3.0,
    "art": 3.0,
    "expertise": 6.0,
    "money": 10.0,
}
UNKNOWN = 0.5  # a component we cannot judge counts as half
RELATED_CREDIT = 0.5  # a related concept ("koken" for "voedsel") counts half
TITLE_WEIGHT = 2.0  # what a need says in its title is what it asks for most
# An offer open to any topic (a neighbourhood budget, a crowdfunding platform) is not a
# mismatch for a need it shares no topic with.
OPEN_OFFER_FLOOR = 0.4
# A local volunteer centre or matching platform fits every volunteer need in its area, whatever
# the need is about; a volunteer group that does exactly this still ranks above it.
INTERMEDIARY_FLOOR = 0.6
LOCAL_INTERMEDIARY_KM = 30.0  # a national platform is not "in the area" of anyone
# An offer that rules out what the need asks for ("personeelskosten komen niet in aanmerking")
# drops well below a fitting one, but stays visible: a rule can misread a sentence.
CLASH_FACTOR = 0.6
# A partner the need names by name is who they want: ahead of an equal one, not of everything.
NAMED_BONUS = 0.1
# The right partner on the wrong day: no shared day at all lowers the whole score.
NO_SHARED_DAY_FACTOR = 0.8
UNKNOWN_FIT = 0.7  # not knowing a capacity is less worrying than not knowing a distance
CONCEPT_RECALL_SHARE = 0.75  # how much of the need the offer covers weighs most
SAME_DAY_OTHER_PART = 0.25


# Cosines of unrelated sentences sit around 0.1, of texts about the same thing around 0.5 and
# above; the component stretches that band to [0, 1].
SEMANTIC_LOW = 0.1
SEMANTIC_HIGH = 0.7


def semantic_component(cosines: np.ndarray) -> np.ndarray:
    return np.clip((cosines - SEMANTIC_LOW) / (SEMANTIC_HIGH - SEMANTIC_LOW), 0.0, 1.0)


# Below this score a suggestion is more likely noise than help: the need gets "nog geen goede
# match" (and its broker sees a gap) rather than a poor partner. Chosen on the two tuning sets
# (tests/eval/train and the Rotterdam set): it hid 6% of the suggestions on the first, the share
# of irrelevant ones fell (0.588 -> 0.564 and 0.559 -> 0.487) and nDCG@5 stayed within 0.002.
# At 0.4 money needs lost their national funds, whose distance component is low.
MIN_SCORE = 0.35
# Without distance in its weights, expertise scores run about 0.08 lower for the same fit; 0.25
# kept every relevant expert on both tuning sets and cut the irrelevant ones by 2-9 points.
MIN_SCORE_BY_KIND = {"expertise": 0.25}


def min_score_for(kind: str) -> float:
    return MIN_SCORE_BY_KIND.get(kind, MIN_SCORE)


# A near offer on the right day can pass that score while it is about something else (a tax
# helper for a beekeeping question): where what is asked is specific (people for a task, goods,
# art, know-how) it also needs some relevance, from the vocabulary or the sentence model. 0.1
# is a cosine of 0.16, about what unrelated sentences reach. A room or money serves many
# purposes in few words, so there capacity, kitchen, amount and a fund's own rules decide: on
# the tuning sets a floor there cost venue and money 0.04-0.05 nDCG@5 and removed no
# irrelevant suggestion; on the other kinds it cut them by 1-7 points at the same nDCG@5.
MIN_RELEVANCE = 0.1
RELEVANCE_KINDS = frozenset({"volunteers", "goods", "art", "expertise"})


def relevance(components: dict[str, np.ndarray]) -> np.ndarray:
    """How much an offer is about what the need asks, whatever its place or time."""
    return np.maximum(components["concept"], components["semantic"])


def distance_component(distances: np.ndarray, kind: str) -> np.ndarray:
    half = HALF_DISTANCE_KM.get(kind, 3.0)
    decay = np.power(0.5, np.nan_to_num(distances, nan=0.0) / half)
    return np.where(np.isnan(distances), UNKNOWN, decay)


def _day_mask(mask: np.ndarray | int) -> np.ndarray:
    """Fold a 21-bit (day, part) mask to 7 day bits."""
    mask = np.asarray(mask, dtype=np.int64)
    days = np.zeros_like(mask)
    for day in range(7):
        days |= (((mask >> (day * 3)) & 0b111) != 0).astype(np.int64) << day
    return days


def slot_component(need_mask: int, offer_masks: np.ndarray) -> np.ndarray:
    """Shared day parts as a share of the need's. Times that one side did not give are not a
    perfect fit but unknown: they count as half, below a real shared evening."""
    if need_mask == 0:
        return np.full(len(offer_masks), UNKNOWN)
    wanted = int(need_mask).bit_count()
    shared = np.bitwise_count(offer_masks & need_mask).astype(float) / wanted
    same_day = (_day_mask(offer_masks) & int(_day_mask(need_mask))) != 0
    partial = np.where(same_day, SAME_DAY_OTHER_PART, 0.0)
    return np.where(offer_masks == 0, UNKNOWN, np.where(shared > 0, shared, partial))


def fit_component(
    kind: str,
    people: int | None,
    amount: float | None,
    capacity: np.ndarray,
    amount_min: np.ndarray,
    amount_max: np.ndarray,
) -> np.ndarray:
    n = len(capacity)
    if kind == "venue":
        if people is None:
            return np.full(n, UNKNOWN_FIT)
        # A snug room is best; a hall for 200 is a poor fit for 10 people.
        roomy = np.maximum(0.3, np.minimum(1.0, 2.0 * people / np.where(capacity > 0, capacity, 1)))
        return np.where(np.isnan(capacity), UNKNOWN_FIT, np.where(capacity >= people, roomy, 0.0))
    if kind == "volunteers":
        if people is None:
            return np.full(n, UNKNOWN_FIT)
        return np.where(np.isnan(capacity), UNKNOWN_FIT, np.minimum(1.0, capacity / people))
    if kind == "money":
        if amount is None:
            return np.full(n, UNKNOWN_FIT)
        covered = np.minimum(1.0, np.maximum(0.1, amount_max / amount))
        return np.where(np.isnan(amount_max), UNKNOWN_FIT, covered)
    return np.ones(n)


def share_component(need_bits: int, offer_bits: np.ndarray) -> np.ndarray:
    """Shared social-quality conditions, as a share of the need's own."""
    if need_bits == 0:
        return np.full(len(offer_bits), UNKNOWN)
    return np.bitwise_count(offer_bits & need_bits).astype(float) / int(need_bits).bit_count()


def fairness_component(legal_form: str, is_new: bool) -> float:
    # "Kneuterigheid verdient een standbeeld": informal and new groups first.
    if is_new or legal_form == "informal":
        return 1.0
    if legal_form in ("association", "foundation"):
        return 0.6
    return 0.3


def load_component(loads: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + loads)


def weights_for(kind: str) -> dict[str, float]:
    return KIND_WEIGHTS.get(kind, WEIGHTS)


def combine(components: dict[str, np.ndarray], kind: str = "") -> np.ndarray:
    weights = weights_for(kind)
    total = sum(weights[name] * components[name] for name in COMPONENTS)
    total = np.where(components["slots"] == 0.0, total * NO_SHARED_DAY_FACTOR, total)
    if "clash" in components:  # 1 where the offer rules out what the need names
        total = np.where(components["clash"] > 0, total * CLASH_FACTOR, total)
    if "named" in components:  # 1 where the need names this partner ("we spraken De Schakel")
        total = total + NAMED_BONUS * components["named"]
    return np.clip(total, 0.0, 1.0)
