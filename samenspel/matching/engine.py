"""Suggestions: for each need, the best offers of the same kind with a score, its components
and reasons anyone can follow (docs/design.md, "Matching engine"). Reasons are codes with
parameters (matching/reasons.py): the reader's language is chosen when they are shown.

Work grows with the candidate pairs, not with needs x offers: offers are grouped by kind and,
per kind, put in a KD-tree on the unit sphere, so a need only looks at offers that can reach it.
That blocking is exact (it never drops a pair the hard filters would keep), so the result equals
scoring every same-kind pair; `naive_top_k` does exactly that, as the reference for tests and
benchmarks.
"""

from __future__ import annotations

import copy
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process, utils
from scipy.spatial import cKDTree

from samenspel.matching import scoring
from samenspel.matching.clauses import asked_lemmas, clauses_of, first_clash
from samenspel.matching.filters import exclusion
from samenspel.matching.geo import chord_for_km, haversine_km, haversine_km_many, unit_vectors
from samenspel.matching.reasons import Reason
from samenspel.matching.semantic import Semantic
from samenspel.matching.slots import Slot, slot_mask
from samenspel.matching.types import (
    LEGAL_FORMS,
    LINKING_TYPES,
    Exclusion,
    NeedIn,
    NeedSuggestions,
    OfferIn,
    Suggestion,
)
from samenspel.matching.vocabulary import CONDITIONS, Vocabulary, default_vocabulary

# The concept that only says which kind of help it is adds nothing once kinds already match.
KIND_CONCEPTS = {
    "venue": "ruimte",
    "volunteers": "vrijwilligers",
    "money": "geld",
    "art": "kunst",
    "goods": "spullen",
    "expertise": "kennis",
}
SUGGEST_CHUNK = 2048  # needs whose text similarity is computed in one parallel call
PARALLEL_PAIRS = 20_000  # below this many pairs, starting threads costs more than it saves
BONDING_KM = 2.0  # another initiative this close is part of the own circle
MAX_REASONS = 3  # the few that explain this pair; more reads as boilerplate
# The meaning component from which "in other words, the same" is a fair thing to say (a
# cosine of 0.4: paraphrases, not just the same field).
SAME_MEANING = 0.5
CLAUSE_CHARS = 160  # an offer's own sentence in a reason, cut to what a line can show
# How a volunteer centre or platform describes itself when its partner type does not say so.
INTERMEDIARY_WORDS = re.compile(
    r"vrijwilligerscentrale|vrijwilligersvacature|vacaturebank|vrijwilligersplatform"
    r"|matchingsplatform|volunteer cent(?:re|er)|matching platform"
    r"|\b(?:vinden|werven|zoeken) (?:wij |we )?vrijwilligers voor (?:jullie|jouw|uw|je|alle|elk)"
    r"|\bvrijwilligers (?:vinden|werven) (?:voor|in|via)\b",
    re.IGNORECASE,
)


def is_local_intermediary(offer: OfferIn) -> bool:
    """A volunteer centre or matching platform with an area of its own."""
    if offer.kind != "volunteers" or offer.radius_km is None:
        return False
    if offer.radius_km > scoring.LOCAL_INTERMEDIARY_KM:
        return False
    return offer.partner_type == "intermediary" or bool(INTERMEDIARY_WORDS.search(offer.text))


def legal_form_bits(forms: Iterable[str]) -> int:
    return sum(1 << LEGAL_FORMS.index(f) for f in set(forms) if f in LEGAL_FORMS)


def _tristate(value: bool | None) -> int:
    return -1 if value is None else int(value)


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
    vector: np.ndarray | None  # the need's sentence vector; None without a semantic layer
    lemmas: frozenset[str]  # its words as lemmas, to meet what an offer rules out
    folded: str  # its text in lower case without accents, to find a partner it names


class _KindIndex:
    """Everything about the offers of one kind, as arrays, built once."""

    def __init__(
        self,
        offers: list[OfferIn],
        positions: list[int],
        concepts: list[dict[str, str]],
        engine: Engine,
        vectors: np.ndarray | None,
    ):
        self.offers = offers
        self.vectors = vectors
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
        self.concepts = concepts
        self.condition_bits = np.array(
            [condition_bits(engine.vocabulary.conditions_of(c)) for c in self.concepts],
            dtype=np.int64,
        )
        # Dense: about a hundred concepts, so 50,000 offers take 40 MB and rows index fast.
        self.matrix = np.zeros((n, len(engine.column)))
        for row, found in enumerate(self.concepts):
            for key in found:
                self.matrix[row, engine.column[key]] = 1.0
        self.groups = (self.matrix @ engine.concept_group > 0).astype(float)
        self.open = np.array(
            [all(engine.vocabulary.concepts[key].open for key in found) for found in self.concepts]
        )
        self.intermediary = np.array([is_local_intermediary(o) for o in offers], dtype=bool)
        self.clauses = [clauses_of(o.title) + clauses_of(o.description) for o in offers]
        self.names = _NameIndex([o.partner for o in offers])
        self.row_of = {o.id: row for row, o in enumerate(offers)}
        self.has_clauses = np.array([bool(c) for c in self.clauses], dtype=bool)
        idf_sums = self.matrix @ engine.idf
        self.idf_sums = np.where(idf_sums > 0, idf_sums, 1.0)
        self.texts = [utils.default_process(o.text) for o in offers]
        # The hard filters as arrays (matching/filters.py stays the one place for reasons).
        self.radius = np.array([math.inf if o.radius_km is None else o.radius_km for o in offers])
        self.deadline = np.array(
            [math.inf if o.deadline is None else o.deadline.toordinal() for o in offers]
        )
        self.partner = np.array([o.partner for o in offers], dtype=object)
        self.forms = np.array(
            [legal_form_bits(o.eligible_legal_forms) for o in offers], dtype=np.int64
        )
        self.kitchen = np.array([_tristate(o.has_kitchen) for o in offers], dtype=np.int8)
        self.step_free = np.array([_tristate(o.step_free) for o in offers], dtype=np.int8)

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
        semantic: Semantic | None = None,
        min_score: float | None = None,
        min_relevance: float = scoring.MIN_RELEVANCE,
    ):
        """`semantic` adds what texts mean (matching/semantic.py); without it that component
        is unknown (a constant) and only words, place, time and size rank."""
        self.vocabulary = vocabulary or default_vocabulary()
        self.semantic = semantic
        self.min_score = min_score  # None: each kind's own (scoring.min_score_for)
        self.min_relevance = min_relevance
        self.today = today or date.today()
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
        self.today_ordinal = self.today.toordinal()
        self.idf = np.array([idf[key] for key in self.column], dtype=float)
        self.by_id = {o.id: o for o in self.offers}
        grouped: dict[str, tuple[list[OfferIn], list[int], list[dict[str, str]]]] = {}
        for position, offer in enumerate(self.offers):
            group = grouped.setdefault(offer.kind, ([], [], []))
            group[0].append(offer)
            group[1].append(position)
            group[2].append(offer_concepts[position])
        vectors = semantic.vectors([o.text for o in self.offers]) if semantic and offers else None
        self.kinds = {
            kind: _KindIndex(o, p, c, self, None if vectors is None else vectors[p])
            for kind, (o, p, c) in grouped.items()
        }

    def using(self, semantic: Semantic | None) -> Engine:
        """This engine, reading the needs' vectors through `semantic` (the same model with
        another store): an engine kept between units of work must not keep using the store of
        the one it was built in."""
        twin = copy.copy(self)
        twin.semantic = semantic
        return twin

    def _need_vectors(self, needs: list[NeedIn]) -> list[np.ndarray | None]:
        if self.semantic is None or not needs:
            return [None] * len(needs)
        return list(self.semantic.vectors([n.text for n in needs]))

    def concepts_of(self, text: str, kind: str) -> dict[str, str]:
        found = self.vocabulary.find(text)
        found.pop(KIND_CONCEPTS.get(kind, ""), None)
        return found

    def _need_features(self, need: NeedIn, vector: np.ndarray | None) -> _NeedFeatures:
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
            vector=vector,
            lemmas=asked_lemmas(f"{need.title}. {need.description}"),
            folded=_name_words(need.text),
        )

    def _components(
        self,
        need: NeedIn,
        features: _NeedFeatures,
        index: _KindIndex,
        idx: np.ndarray,
        distances: np.ndarray,
    ) -> dict[str, np.ndarray]:
        """Every score component of one need against offers `idx`, except the fuzzy text
        similarity (the costly one; see _top for why it comes last)."""
        n = len(idx)
        weight_sum = features.weights.sum()
        if weight_sum > 0 and n:
            sub = index.matrix[idx]
            exact = sub @ features.weights
            # A related concept in the offer (same group, other concept) counts partly.
            related = index.groups[idx] @ features.group_weights - sub @ features.grouped
            recall = (exact + scoring.RELATED_CREDIT * np.maximum(related, 0.0)) / weight_sum
            precision = (sub @ (features.present * self.idf)) / index.idf_sums[idx]
            concept = (
                scoring.CONCEPT_RECALL_SHARE * recall
                + (1 - scoring.CONCEPT_RECALL_SHARE) * precision
            )
        else:
            concept = np.zeros(n)
        concept = np.where(index.open[idx], np.maximum(concept, scoring.OPEN_OFFER_FLOOR), concept)
        if features.vector is None or index.vectors is None:
            semantic = np.full(n, scoring.UNKNOWN)
        else:
            semantic = scoring.semantic_component(index.vectors[idx] @ features.vector)
        clash = np.zeros(n)
        for k in np.flatnonzero(index.has_clauses[idx]):
            if first_clash(index.clauses[idx[k]], features.lemmas, need.legal_form):
                clash[k] = 1.0
        intermediary = index.intermediary[idx]
        concept = np.where(intermediary, np.maximum(concept, scoring.INTERMEDIARY_FLOOR), concept)
        semantic = np.where(
            intermediary, np.maximum(semantic, scoring.INTERMEDIARY_FLOOR), semantic
        )
        return {
            "concept": np.clip(concept, 0.0, 1.0),
            "semantic": semantic,
            "distance": scoring.distance_component(distances, need.kind),
            "slots": scoring.slot_component(features.slot_mask, index.slot_masks[idx]),
            "fit": scoring.fit_component(
                need.kind, need.people, need.amount_eur,
                index.capacity[idx], index.amount_min[idx], index.amount_max[idx],
            ),
            "conditions": scoring.share_component(features.condition_bits, index.condition_bits[idx]),
            "fairness": np.full(n, features.fairness),
            "load": scoring.load_component(index.loads[idx]),
            "clash": clash,  # not a weighted component: a factor (scoring.combine)
            "named": np.isin(idx, index.names.named_rows(features.folded)).astype(float),  # a bonus
        }  # fmt: skip

    def _eligible(self, need: NeedIn, index: _KindIndex, idx: np.ndarray, distances: np.ndarray):
        """The hard filters of matching/filters.py, on arrays (a test holds both equal)."""
        if need.deadline is not None and need.deadline < self.today:
            return idx[:0], distances[:0]
        known = ~np.isnan(distances)
        far = np.where(known, distances, 0.0)
        keep = index.deadline[idx] >= self.today_ordinal
        if need.initiative:
            keep &= index.partner[idx] != need.initiative
        if need.max_distance_km is not None:
            keep &= far <= need.max_distance_km
        keep &= far <= index.radius[idx]
        forms = index.forms[idx]
        keep &= (forms == 0) | ((forms & legal_form_bits([need.legal_form])) != 0)
        if need.kind == "money" and need.amount_eur is not None:
            keep &= ~(index.amount_min[idx] > need.amount_eur)  # unknown minimum: nan, kept
        if need.kind == "venue":
            if need.people is not None:
                keep &= ~(index.capacity[idx] < need.people)
            if need.needs_kitchen:
                keep &= index.kitchen[idx] != 0
            if need.needs_step_free:
                keep &= index.step_free[idx] != 0
        return idx[keep], distances[keep]

    def _candidates_worth_text(
        self, components: dict[str, np.ndarray], top_k: int, kind: str
    ) -> np.ndarray:
        """Which candidates can still reach the top k. Text similarity is in [0, 1], so the
        score with text 0 is a floor and with text 1 a ceiling; a candidate whose ceiling is
        below the k-th best floor cannot make it, and its text is never computed. Exact."""
        n = len(components["concept"])
        if n <= top_k:
            return np.ones(n, dtype=bool)
        floor = scoring.combine({**components, "text": np.zeros(n)}, kind)
        ceiling = scoring.combine({**components, "text": np.ones(n)}, kind)
        kth_floor = np.partition(floor, n - top_k)[n - top_k]
        return ceiling >= kth_floor - 1e-9

    def _prepare(self, need: NeedIn, vector, top_k: int, *, blocked: bool = True):
        """Candidates of one need with all components but text, pruned for the top k."""
        index = self.kinds.get(need.kind)
        if index is None or top_k <= 0:
            return None
        if blocked:
            idx, distances = index.candidates(need)
        else:  # the naive reference: every offer of the kind
            idx = np.arange(len(index.offers))
            distances = np.array([
                np.nan if need.lat is None or o.lat is None else haversine_km(need.lat, need.lon, o.lat, o.lon)
                for o in index.offers
            ])  # fmt: skip
        idx, distances = self._eligible(need, index, idx, distances)
        features = self._need_features(need, vector)
        components = self._components(need, features, index, idx, distances)
        # An offer about something else is no suggestion, however near: like a hard filter,
        # this comes before pruning, so the top k stays exact.
        if need.kind in scoring.RELEVANCE_KINDS:
            relevant = scoring.relevance(components) >= self.min_relevance
            idx, distances = idx[relevant], distances[relevant]
            components = {name: values[relevant] for name, values in components.items()}
        if blocked:
            keep = self._candidates_worth_text(components, top_k, need.kind)
            idx, distances = idx[keep], distances[keep]
            components = {name: values[keep] for name, values in components.items()}
        return need, index, idx, distances, features, components

    def _min_score(self, need: NeedIn) -> float:
        return scoring.min_score_for(need.kind) if self.min_score is None else self.min_score

    def _finish(self, prepared, text: np.ndarray, top_k: int, min_score: float) -> list[Suggestion]:
        need, index, idx, distances, features, components = prepared
        components = {**components, "text": text}
        scores = scoring.combine(components, need.kind)
        # Best first; equal scores in input order, so the result is deterministic. A score
        # below the minimum is no suggestion: cutting the ranked list keeps the top k exact.
        order = np.lexsort((index.positions[idx], -np.round(scores, 12)))[:top_k]
        order = order[scores[order] >= min_score]
        return [
            self._suggestion(
                need, features, index.offers[idx[k]], index.concepts[idx[k]], float(scores[k]),
                {name: float(components[name][k]) for name in scoring.COMPONENTS},
                None if np.isnan(distances[k]) else float(distances[k]),
            )
            for k in order
        ]  # fmt: skip

    def _run(
        self, needs: list[NeedIn], top_k: int, *, blocked: bool = True
    ) -> list[NeedSuggestions]:
        """Top-k for many needs; the text similarity of all their remaining candidates is
        computed in one call, on every core when there is enough of it."""
        prepared = [
            self._prepare(need, vector, top_k, blocked=blocked)
            for need, vector in zip(needs, self._need_vectors(needs), strict=True)
        ]
        left, right = [], []
        for item in prepared:
            if item is not None:
                _, index, idx, _, features, _ = item
                left.extend([features.text] * len(idx))
                right.extend(index.texts[i] for i in idx)
        similarity = text_similarity(left, right, workers=-1 if len(left) > PARALLEL_PAIRS else 1)
        results, offset = [], 0
        for need, item in zip(needs, prepared, strict=True):
            if item is None:
                results.append(NeedSuggestions(need.id))
                continue
            count = len(item[2])
            results.append(
                NeedSuggestions(
                    need.id,
                    self._finish(
                        item, similarity[offset : offset + count], top_k, self._min_score(need)
                    ),
                )
            )
            offset += count
        return results

    def suggest_for_need(self, need: NeedIn, top_k: int = 5) -> list[Suggestion]:
        return self._run([need], top_k)[0].suggestions

    def suggest(self, needs: Iterable[NeedIn], top_k: int = 5) -> list[NeedSuggestions]:
        needs = list(needs)
        results: list[NeedSuggestions] = []
        for start in range(0, len(needs), SUGGEST_CHUNK):
            results.extend(self._run(needs[start : start + SUGGEST_CHUNK], top_k))
        return results

    def naive_top_k(self, need: NeedIn, top_k: int = 5) -> list[Suggestion]:
        """Reference without blocking or pruning: every same-kind offer, the same filter and
        score (tests and the benchmark compare the fast path with this)."""
        return self._run([need], top_k, blocked=False)[0].suggestions

    def explain(self, need: NeedIn, offer_id: str) -> Suggestion | Exclusion:
        """The components and reasons of one pair, or why it is excluded ("waarom niet?")."""
        offer = self.by_id[offer_id]
        distance = (
            None
            if need.lat is None or offer.lat is None
            else haversine_km(need.lat, need.lon, offer.lat, offer.lon)
        )
        excluded = exclusion(need, offer, distance, self.today)
        if excluded:
            return excluded
        index = self.kinds[offer.kind]
        local = next(i for i, o in enumerate(index.offers) if o.id == offer_id)
        idx = np.array([local])
        distances = np.array([np.nan if distance is None else distance])
        features = self._need_features(need, self._need_vectors([need])[0])
        components = self._components(need, features, index, idx, distances)
        text = text_similarity([features.text], [index.texts[local]], workers=1)
        # "Waarom niet?" shows the pair even when it is below the minimum score or relevance:
        # that is the why.
        prepared = (need, index, idx, distances, features, components)
        return self._finish(prepared, text, 1, min_score=0.0)[0]

    def _suggestion(
        self, need, features, offer, offer_concepts, score, components, distance
    ) -> Suggestion:
        return Suggestion(
            need_id=need.id,
            offer_id=offer.id,
            score=round(score, 4),
            components={k: round(v, 4) for k, v in components.items()},
            reasons=self._reasons(
                need, features, offer, offer_concepts, distance, components["semantic"]
            ),
            tie=tie_of(offer, distance),
            distance_km=None if distance is None else round(distance, 2),
        )

    def _reasons(
        self,
        need: NeedIn,
        features: _NeedFeatures,
        offer: OfferIn,
        offer_concepts: dict[str, str],
        distance,
        meaning: float,
    ) -> list[Reason]:
        found: list[Reason] = []
        index = self.kinds[offer.kind]
        row = index.row_of[offer.id]
        ruled_out = first_clash(index.clauses[row], features.lemmas, need.legal_form)
        if ruled_out:
            found.append(Reason("offer_rules_out", {"clause": ruled_out.text[:CLAUSE_CHARS]}))
        if index.names.is_named(features.folded, row):
            found.append(Reason("named_partner", {"partner": offer.partner}))
        if need.kind == "volunteers" and index.intermediary[row]:
            found.append(Reason("intermediary"))
        shared = sorted(
            set(features.concepts) & set(offer_concepts),
            key=lambda key: (-self.idf[self.column[key]], key),
        )
        if shared:
            need_word, offer_word = features.concepts[shared[0]], offer_concepts[shared[0]]
            if _same_word(need_word, offer_word):  # "taalcafe" and "taalcafés": one word
                found.append(Reason("same_words", {"word": need_word}))
            else:
                found.append(
                    Reason("their_words", {"need_word": need_word, "offer_word": offer_word})
                )
        else:
            related = self._related_pair(features.concepts, offer_concepts)
            if related:
                found.append(
                    Reason("related_words", {"need_word": related[0], "offer_word": related[1]})
                )
            elif features.vector is not None and meaning >= SAME_MEANING:
                found.append(Reason("same_meaning"))
        says_what = bool(found)  # a reason about what is asked and given, before place and time
        if distance is not None:
            found.append(
                Reason("around_corner")
                if distance < 0.1
                # As it is written (one decimal): stored reasons keep no more than they show.
                else Reason("distance", {"km": round(distance, 1)})
            )
        found.extend(_time_and_size_reasons(need, offer))
        shared_bits = features.condition_bits & condition_bits(
            self.vocabulary.conditions_of(offer_concepts)
        )
        shared_conditions = [c for i, c in enumerate(CONDITIONS) if shared_bits & (1 << i)]
        # "Beide werken aan basis op orde" fits half the city: said only when nothing about
        # the need itself explains the pair, or it reads as boilerplate on every suggestion.
        if shared_conditions and not says_what:
            found.append(Reason("condition", {"condition": shared_conditions[0]}))
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


# Words that do not make a name one's own: "Stichting De Schakel" is named by "De Schakel".
_NAME_FILLER = frozenset(
    "stichting vereniging de het een van en voor in op bv b.v. the of and foundation".split()
)
_WORDS = re.compile(r"\w+")


@lru_cache(maxsize=100_000)  # partner names and texts recur across every engine the app builds
def _name_words(text: str) -> str:
    """ "Huis van de Wijk Noord" -> " huis wijk noord ": how names and needs are compared."""
    words = [w for w in _WORDS.findall(_folded(text)) if w not in _NAME_FILLER]
    return f" {' '.join(words)} "


class _NameIndex:
    """Which partners a need names. A partner is named when its whole name (without filler
    such as "Stichting") stands in the need's text; to stay fast, only partners whose rarest
    word is in the need are checked."""

    def __init__(self, partners: list[str]):
        self.phrases: list[str] = []
        by_key: dict[str, list[int]] = {}
        words_of = [_name_words(p).split() for p in partners]
        frequency: dict[str, int] = {}
        for words in words_of:
            for word in set(words):
                frequency[word] = frequency.get(word, 0) + 1
        for row, words in enumerate(words_of):
            phrase = " ".join(words)
            self.phrases.append(f" {phrase} " if len(phrase) >= 4 else "")
            if self.phrases[-1]:
                rarest = min(words, key=lambda w: (frequency[w], w))
                by_key.setdefault(rarest, []).append(row)
        self.by_key = by_key

    def named_rows(self, folded_text: str) -> np.ndarray:
        """The rows of the partners this text names (`_name_words` form)."""
        rows = [
            row
            for word in set(folded_text.split())
            for row in self.by_key.get(word, ())
            if self.phrases[row] in folded_text
        ]
        return np.array(sorted(rows), dtype=np.int64)

    def is_named(self, folded_text: str, row: int) -> bool:
        return bool(self.phrases[row]) and self.phrases[row] in folded_text


def _same_word(a: str, b: str) -> bool:
    """The same word as far as a reader can tell: case, accents and a plural ending aside.
    A reason "your 'taalcafe' is their 'taalcafes'" only repeats the obvious."""
    a, b = _folded(a), _folded(b)
    short, long = sorted((a, b), key=len)
    return short == long or (
        long.startswith(short) and long[len(short) :] in _PLURAL_ENDINGS and len(short) >= 3
    )


_PLURAL_ENDINGS = ("s", "es", "en", "n", "'s")


def _folded(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold().strip())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _slot_data(slot: Slot) -> list[int]:
    return [slot[0], slot[1]]  # a JSON list: the stored form of a (day, part) slot


def _time_and_size_reasons(need: NeedIn, offer: OfferIn) -> list[Reason]:
    found = []
    if need.slots and offer.slots:
        common = sorted(need.slots & offer.slots)
        if common:
            slot = _slot_data(common[0])
            found.append(
                Reason("slot", {"slot": slot})
                if len(common) == 1
                else Reason("slot_more", {"slot": slot, "more": len(common) - 1})
            )
        else:
            found.append(
                Reason(
                    "slot_miss",
                    {
                        "theirs": [_slot_data(s) for s in sorted(offer.slots)[:2]],
                        "yours": [_slot_data(s) for s in sorted(need.slots)[:2]],
                    },
                )
            )
    if need.kind == "venue" and need.people and offer.capacity:
        found.append(Reason("venue_fit", {"capacity": offer.capacity, "people": need.people}))
    elif need.kind == "volunteers" and need.people and offer.capacity:
        code = "volunteer_fit" if offer.capacity >= need.people else "volunteer_short"
        found.append(Reason(code, {"capacity": offer.capacity, "people": need.people}))
    elif need.kind == "money" and need.amount_eur and offer.amount_max_eur:
        if offer.amount_max_eur >= need.amount_eur:
            found.append(
                Reason(
                    "money_fit",
                    {
                        "low": offer.amount_min_eur or 0,
                        "high": offer.amount_max_eur,
                        "amount": need.amount_eur,
                    },
                )
            )
        else:
            found.append(
                Reason("money_part", {"high": offer.amount_max_eur, "amount": need.amount_eur})
            )
    return found


def text_similarity(left: list[str], right: list[str], *, workers: int) -> np.ndarray:
    """Fuzzy similarity in [0, 1] of each pair (left[i], right[i]); both sides are already
    normalised with rapidfuzz's utils.default_process."""
    if not left:
        return np.empty(0)
    scores = process.cpdist(
        left, right, scorer=fuzz.token_set_ratio, processor=None, score_cutoff=0, dtype=np.float64,
        workers=workers,
    )  # fmt: skip
    return scores / 100.0


def tie_of(offer: OfferIn, distance: float | None) -> str:
    """Bonding within the own circle, bridging beyond it, linking to an institution."""
    if offer.partner_type in LINKING_TYPES:
        return "linking"
    if offer.partner_type == "initiative" and distance is not None and distance <= BONDING_KM:
        return "bonding"
    return "bridging"
