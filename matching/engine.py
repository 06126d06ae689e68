"""Suggestions: for each need, the best offers of the same kind with a score, its components
and reasons anyone can follow (design.md, "Matching engine").

Work grows with the candidate pairs, not with needs x offers: offers are grouped by kind and,
per kind, put in a KD-tree on the unit sphere, so a need only looks at offers that can reach it.
That blocking is exact (it never drops a pair the hard filters would keep), so the result equals
scoring every same-kind pair; `naive_top_k` does exactly that, as the reference for tests and
benchmarks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from rapidfuzz import fuzz, process, utils
from scipy.sparse import csr_matrix
from scipy.spatial import cKDTree

from matching import reasons as r
from matching import scoring
from matching.filters import exclusion
from matching.geo import chord_for_km, haversine_km, haversine_km_many, unit_vectors
from matching.slots import format_slot, slot_mask
from matching.types import (
    LINKING_TYPES,
    Exclusion,
    NeedIn,
    NeedSuggestions,
    OfferIn,
    Suggestion,
)
from matching.vocabulary import CONDITIONS, Vocabulary, default_vocabulary

# The concept that only says which kind of help it is adds nothing once kinds already match.
KIND_CONCEPTS = {
    "venue": "ruimte",
    "volunteers": "vrijwilligers",
    "money": "geld",
    "art": "kunst",
    "goods": "spullen",
    "expertise": "kennis",
}
BONDING_KM = 2.0  # another initiative this close is part of the own circle
MAX_REASONS = 4


def condition_bits(conditions: Iterable[str]) -> int:
    return sum(1 << CONDITIONS.index(c) for c in set(conditions) if c in CONDITIONS)


@dataclass
class _NeedFeatures:
    concepts: dict[str, str]
    weights: np.ndarray  # idf weight per concept column (x2 in the title), 0 where absent
    grouped: np.ndarray  # the same weights, only for concepts that have a related group
    group_weights: np.ndarray  # per group: the summed weights of the need's concepts in it
    present: np.ndarray  # 1 per concept column the need has
    condition_bits: int
    slot_mask: int
    text: str
    fairness: float


class _KindIndex:
    """Everything about the offers of one kind, as arrays, built once."""

    def __init__(self, offers: list[OfferIn], positions: list[int], engine: Engine):
        self.offers = offers
        self.positions = np.array(positions, dtype=np.int64)
        n = len(offers)
        self.lat = np.array([o.lat if o.lat is not None else np.nan for o in offers], dtype=float)
        self.lon = np.array([o.lon if o.lon is not None else np.nan for o in offers], dtype=float)
        located = ~np.isnan(self.lat) & ~np.isnan(self.lon)
        self.located_idx = np.flatnonzero(located)
        self.unlocated_idx = np.flatnonzero(~located)
        self.tree = (
            cKDTree(unit_vectors(self.lat[located], self.lon[located])) if located.any() else None
        )
        radii = [offers[i].radius_km for i in self.located_idx]
        self.max_radius = math.inf if (not radii or None in radii) else max(radii)
        self.capacity = np.array(
            [o.capacity if o.capacity is not None else np.nan for o in offers], dtype=float
        )
        self.amount_min = np.array(
            [np.nan if o.amount_min_eur is None else o.amount_min_eur for o in offers], dtype=float
        )
        self.amount_max = np.array(
            [np.nan if o.amount_max_eur is None else o.amount_max_eur for o in offers], dtype=float
        )
        self.loads = np.array([o.load for o in offers], dtype=float)
        self.slot_masks = np.array([slot_mask(o.slots) for o in offers], dtype=np.int64)
        self.concepts = [engine.concepts_of(o.text, o.kind) for o in offers]
        self.condition_bits = np.array(
            [condition_bits(engine.vocabulary.conditions_of(c)) for c in self.concepts],
            dtype=np.int64,
        )
        rows, cols = [], []
        for row, found in enumerate(self.concepts):
            for key in found:
                rows.append(row)
                cols.append(engine.column[key])
        self.matrix = csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(n, len(engine.column)), dtype=float
        )
        self.groups = (self.matrix @ engine.concept_group > 0).astype(float)
        self.open = np.array(
            [all(engine.vocabulary.concepts[key].open for key in found) for found in self.concepts]
        )
        idf_sums = self.matrix @ engine.idf
        self.idf_sums = np.where(idf_sums > 0, idf_sums, 1.0)
        self.texts = [utils.default_process(o.text) for o in offers]

    def candidates(self, need: NeedIn) -> tuple[np.ndarray, np.ndarray]:
        """Offer indices that may reach the need, with their distances (nan: unknown)."""
        n = len(self.offers)
        if need.lat is None or need.lon is None:
            return np.arange(n), np.full(n, np.nan)
        limit = min(
            need.max_distance_km if need.max_distance_km is not None else math.inf, self.max_radius
        )
        if self.tree is None:
            near = np.empty(0, dtype=np.int64)
        elif math.isinf(limit):
            near = self.located_idx
        else:
            point = unit_vectors(np.array([need.lat]), np.array([need.lon]))[0]
            # A hair wider than the limit: the exact check on haversine km follows in the filter.
            hits = self.tree.query_ball_point(point, chord_for_km(limit) * (1 + 1e-9) + 1e-12)
            near = self.located_idx[np.sort(np.array(hits, dtype=np.int64))]
        idx = np.concatenate([near, self.unlocated_idx])
        idx.sort()
        distances = np.full(len(idx), np.nan)
        located = ~np.isnan(self.lat[idx])
        if located.any():
            distances[located] = haversine_km_many(
                need.lat, need.lon, self.lat[idx][located], self.lon[idx][located]
            )
        return idx, distances


class Engine:
    """Suggestions for needs against one fixed set of offers."""

    def __init__(
        self,
        offers: Sequence[OfferIn],
        *,
        vocabulary: Vocabulary | None = None,
        today: date | None = None,
        lang: str = "nl",
    ):
        self.vocabulary = vocabulary or default_vocabulary()
        self.today = today or date.today()
        self.lang = r.lang_of(lang)
        self.offers = list(offers)
        self.column = {key: i for i, key in enumerate(self.vocabulary.concepts)}
        group_names = sorted({c.group for c in self.vocabulary.concepts.values() if c.group})
        self.group_column = {name: i for i, name in enumerate(group_names)}
        # concept x group incidence, to find related concepts with one matrix product
        self.concept_group = np.zeros((len(self.column), max(1, len(group_names))))
        for key, concept in self.vocabulary.concepts.items():
            if concept.group:
                self.concept_group[self.column[key], self.group_column[concept.group]] = 1.0
        offer_concepts = [self.concepts_of(o.text, o.kind) for o in self.offers]
        idf = self.vocabulary.idf(offer_concepts)
        self.idf = np.array([idf[key] for key in self.column], dtype=float)
        self.by_id = {o.id: o for o in self.offers}
        grouped: dict[str, tuple[list[OfferIn], list[int]]] = {}
        for position, offer in enumerate(self.offers):
            group = grouped.setdefault(offer.kind, ([], []))
            group[0].append(offer)
            group[1].append(position)
        self.kinds = {kind: _KindIndex(o, p, self) for kind, (o, p) in grouped.items()}

    def concepts_of(self, text: str, kind: str) -> dict[str, str]:
        found = self.vocabulary.find(text)
        found.pop(KIND_CONCEPTS.get(kind, ""), None)
        return found

    def _need_features(self, need: NeedIn) -> _NeedFeatures:
        concepts = self.concepts_of(need.text, need.kind)
        in_title = self.concepts_of(need.title, need.kind)
        present = np.zeros(len(self.column))
        emphasis = np.ones(len(self.column))
        for key in concepts:
            present[self.column[key]] = 1.0
            if key in in_title:
                emphasis[self.column[key]] = scoring.TITLE_WEIGHT
        weights = present * self.idf * emphasis
        has_group = self.concept_group.sum(axis=1) > 0
        grouped = np.where(has_group, weights, 0.0)
        return _NeedFeatures(
            concepts=concepts,
            weights=weights,
            grouped=grouped,
            group_weights=grouped @ self.concept_group,
            present=present,
            condition_bits=condition_bits(self.vocabulary.conditions_of(concepts)),
            slot_mask=slot_mask(need.slots),
            text=utils.default_process(need.text),
            fairness=scoring.fairness_component(need.legal_form, need.is_new),
        )

    def _score(
        self,
        need: NeedIn,
        features: _NeedFeatures,
        index: _KindIndex,
        idx: np.ndarray,
        distances: np.ndarray,
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        n = len(idx)
        if n == 0:
            return np.empty(0), {name: np.empty(0) for name in scoring.COMPONENTS}
        weight_sum = features.weights.sum()
        if weight_sum > 0:
            sub = index.matrix[idx]
            recall = (sub @ features.weights) / weight_sum
            precision = (sub @ (features.present * self.idf)) / index.idf_sums[idx]
            concept = (
                scoring.CONCEPT_RECALL_SHARE * recall
                + (1 - scoring.CONCEPT_RECALL_SHARE) * precision
            )
        else:
            concept = np.zeros(n)
        text = (
            process.cdist(
                [features.text],
                [index.texts[i] for i in idx],
                scorer=fuzz.token_set_ratio,
                processor=None,  # both sides were normalised with utils.default_process
                score_cutoff=0,
                dtype=np.float64,
            )[0]
            / 100.0
        )
        components = {
            "concept": np.clip(concept, 0.0, 1.0),
            "text": text,
            "distance": scoring.distance_component(distances, need.kind),
            "slots": scoring.slot_component(features.slot_mask, index.slot_masks[idx]),
            "fit": scoring.fit_component(
                need.kind,
                need.people,
                need.amount_eur,
                index.capacity[idx],
                index.amount_min[idx],
                index.amount_max[idx],
            ),
            "conditions": scoring.share_component(
                features.condition_bits, index.condition_bits[idx]
            ),
            "fairness": np.full(n, features.fairness),
            "load": scoring.load_component(index.loads[idx]),
        }
        return scoring.combine(components), components

    def _eligible(self, need: NeedIn, index: _KindIndex, idx: np.ndarray, distances: np.ndarray):
        keep = [
            i
            for i, (j, d) in enumerate(zip(idx, distances, strict=True))
            if exclusion(need, index.offers[j], None if np.isnan(d) else float(d), self.today)
            is None
        ]
        return idx[keep], distances[keep]

    def _top(self, need, features, index, idx, distances, top_k) -> list[Suggestion]:
        scores, components = self._score(need, features, index, idx, distances)
        # Best first; equal scores in input order, so the result is deterministic.
        order = np.lexsort((index.positions[idx], -np.round(scores, 12)))[:top_k]
        return [
            self._suggestion(
                need,
                features,
                index.offers[idx[k]],
                float(scores[k]),
                {name: float(values[k]) for name, values in components.items()},
                None if np.isnan(distances[k]) else float(distances[k]),
            )
            for k in order
        ]

    def suggest_for_need(self, need: NeedIn, top_k: int = 5) -> list[Suggestion]:
        index = self.kinds.get(need.kind)
        if index is None or top_k <= 0:
            return []
        idx, distances = index.candidates(need)
        idx, distances = self._eligible(need, index, idx, distances)
        return self._top(need, self._need_features(need), index, idx, distances, top_k)

    def suggest(self, needs: Iterable[NeedIn], top_k: int = 5) -> list[NeedSuggestions]:
        return [NeedSuggestions(n.id, self.suggest_for_need(n, top_k)) for n in needs]

    def naive_top_k(self, need: NeedIn, top_k: int = 5) -> list[Suggestion]:
        """Reference without blocking: every same-kind offer, the same filter and score."""
        index = self.kinds.get(need.kind)
        if index is None:
            return []
        idx = np.arange(len(index.offers))
        distances = np.array(
            [
                np.nan
                if need.lat is None or o.lat is None
                else haversine_km(need.lat, need.lon, o.lat, o.lon)
                for o in index.offers
            ]
        )
        idx, distances = self._eligible(need, index, idx, distances)
        return self._top(need, self._need_features(need), index, idx, distances, top_k)

    def explain(self, need: NeedIn, offer_id: str) -> Suggestion | Exclusion:
        """The components and reasons of one pair, or why it is excluded ("waarom niet?")."""
        offer = self.by_id[offer_id]
        distance = (
            None
            if need.lat is None or offer.lat is None
            else haversine_km(need.lat, need.lon, offer.lat, offer.lon)
        )
        excluded = exclusion(need, offer, distance, self.today, self.lang)
        if excluded:
            return excluded
        index = self.kinds[offer.kind]
        local = int(np.flatnonzero(np.array([o.id == offer_id for o in index.offers]))[0])
        idx = np.array([local])
        distances = np.array([np.nan if distance is None else distance])
        return self._top(need, self._need_features(need), index, idx, distances, 1)[0]

    def _suggestion(self, need, features, offer, score, components, distance) -> Suggestion:
        return Suggestion(
            need_id=need.id,
            offer_id=offer.id,
            score=round(score, 4),
            components={k: round(v, 4) for k, v in components.items()},
            reasons=self._reasons(need, features, offer, distance),
            tie=tie_of(offer, distance),
            distance_km=None if distance is None else round(distance, 2),
        )

    def _reasons(
        self, need: NeedIn, features: _NeedFeatures, offer: OfferIn, distance
    ) -> list[str]:
        lang = self.lang
        found: list[str] = []
        offer_concepts = self.concepts_of(offer.text, offer.kind)
        shared = sorted(
            set(features.concepts) & set(offer_concepts),
            key=lambda key: (-self.idf[self.column[key]], key),
        )
        if shared:
            need_word, offer_word = features.concepts[shared[0]], offer_concepts[shared[0]]
            if need_word == offer_word:
                found.append(r.say("same_words", lang, word=need_word))
            else:
                found.append(r.say("their_words", lang, need_word=need_word, offer_word=offer_word))
        else:
            related = self._related_pair(features.concepts, offer_concepts)
            if related:
                found.append(
                    r.say("related_words", lang, need_word=related[0], offer_word=related[1])
                )
        if distance is not None:
            found.append(
                r.say("around_corner", lang)
                if distance < 0.1
                else r.say("distance", lang, km=r.km(distance, lang))
            )
        found.extend(_time_and_size_reasons(need, offer, lang))
        shared_conditions = [
            c
            for c in CONDITIONS
            if features.condition_bits & (1 << CONDITIONS.index(c))
            and condition_bits(self.vocabulary.conditions_of(offer_concepts))
            & (1 << CONDITIONS.index(c))
        ]
        if shared_conditions:
            found.append(
                r.say("condition", lang, condition=r.CONDITION_WORDS[lang][shared_conditions[0]])
            )
        return found[:MAX_REASONS]

    def _related_pair(self, need_concepts: dict[str, str], offer_concepts: dict[str, str]):
        """The need's word and the offer's word of two different concepts in one group."""
        concepts = self.vocabulary.concepts
        for need_key in sorted(need_concepts, key=lambda k: -self.idf[self.column[k]]):
            group = concepts[need_key].group
            for offer_key in sorted(offer_concepts):
                if group and concepts[offer_key].group == group:
                    return need_concepts[need_key], offer_concepts[offer_key]
        return None


def _time_and_size_reasons(need: NeedIn, offer: OfferIn, lang: str) -> list[str]:
    found = []
    if need.slots and offer.slots:
        common = sorted(need.slots & offer.slots)
        if common:
            slot = format_slot(common[0], lang)
            found.append(
                r.say("slot", lang, slot=slot)
                if len(common) == 1
                else r.say("slot_more", lang, slot=slot, more=len(common) - 1)
            )
        else:
            found.append(
                r.say(
                    "slot_miss",
                    lang,
                    theirs=", ".join(format_slot(s, lang) for s in sorted(offer.slots)[:2]),
                    yours=", ".join(format_slot(s, lang) for s in sorted(need.slots)[:2]),
                )
            )
    elif offer.slots and not need.slots:
        found.append(r.say("slot", lang, slot=format_slot(sorted(offer.slots)[0], lang)))
    if need.kind == "venue" and need.people and offer.capacity:
        found.append(r.say("venue_fit", lang, capacity=offer.capacity, people=need.people))
    elif need.kind == "volunteers" and need.people and offer.capacity:
        key = "volunteer_fit" if offer.capacity >= need.people else "volunteer_short"
        found.append(r.say(key, lang, capacity=offer.capacity, people=need.people))
    elif need.kind == "money" and need.amount_eur and offer.amount_max_eur:
        if offer.amount_max_eur >= need.amount_eur:
            found.append(
                r.say(
                    "money_fit",
                    lang,
                    low=r.euro(offer.amount_min_eur or 0, lang),
                    high=r.euro(offer.amount_max_eur, lang),
                    amount=r.euro(need.amount_eur, lang),
                )
            )
        else:
            found.append(
                r.say(
                    "money_part",
                    lang,
                    high=r.euro(offer.amount_max_eur, lang),
                    amount=r.euro(need.amount_eur, lang),
                )
            )
    return found


def tie_of(offer: OfferIn, distance: float | None) -> str:
    """Bonding within the own circle, bridging beyond it, linking to an institution."""
    if offer.partner_type in LINKING_TYPES:
        return "linking"
    if offer.partner_type == "initiative" and distance is not None and distance <= BONDING_KM:
        return "bonding"
    return "bridging"
