"""The shared language: concepts that pair street words with system words (docs/design.md).

The vocabulary is data (data/vocabulary/concepts.csv and terms.csv), so brokers can extend it
without a programmer. Finding concepts in a text tolerates inflection and typos through
rapidfuzz, and Dutch compounds by looking for known terms at the start or end of a long word
("schuldhulpverlening" holds "schuld", "huiswerkhulp" holds "huiswerk").
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from samenspel.matching.text import normalise
from samenspel.paths import DATA_DIR

VOCABULARY_DIR = DATA_DIR / "vocabulary"
CONDITIONS = ("security", "inclusion", "cohesion", "empowerment")

# Typos and inflections: "huiswerkbegelijding" ~ "huiswerkbegeleiding" scores about 95,
# "koken" ~ "kok" only 75. Short words must match exactly: "bank" is not "band".
FUZZY_WORD_CUTOFF = 88
FUZZY_MIN_LENGTH = 6
# A known term inside a compound must be long enough to mean something on its own.
COMPOUND_MIN_PART = 4
COMPOUND_MIN_REST = 3
# Simple Dutch/English inflection endings tried before fuzzy matching.
SUFFIXES = ("en", "s", "e", "es", "n", "ing", "ers", "er", "je", "jes", "tje", "tjes")


@dataclass(frozen=True)
class Concept:
    key: str
    label_nl: str
    label_en: str
    conditions: frozenset[str]
    group: str = ""  # related concepts share a group ("koken" and "voedsel": eten)
    open: bool = False  # says who or how, not what: "buurtbudget", "meedoen"

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_nl


@dataclass
class Vocabulary:
    concepts: dict[str, Concept]
    # normalised term -> concept keys (a few words genuinely mean two things)
    terms: dict[str, tuple[str, ...]]
    _single: dict[str, tuple[str, ...]] = field(init=False, repr=False)
    _single_list: list[str] = field(init=False, repr=False)

    def __post_init__(self):
        self._single = {t: c for t, c in self.terms.items() if " " not in t}
        self._multi_by_first: dict[str, list[tuple[tuple[str, ...], str, tuple[str, ...]]]] = {}
        for term, concepts in self.terms.items():
            if " " in term:
                parts = tuple(term.split())
                self._multi_by_first.setdefault(parts[0], []).append((parts, term, concepts))
        for entries in self._multi_by_first.values():
            entries.sort(key=lambda entry: (-len(entry[0]), entry[1]))  # longest first
        self._single_list = [t for t in self._single if len(t) >= FUZZY_MIN_LENGTH]
        self._word_cache: dict[str, tuple[tuple[str, str], ...]] = {}

    @classmethod
    def from_dir(cls, directory: Path = VOCABULARY_DIR) -> Vocabulary:
        concepts: dict[str, Concept] = {}
        with (directory / "concepts.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                key = row["concept"].strip()
                conds = frozenset(
                    c.strip()
                    for c in row.get("conditions", "").split(";")
                    if c.strip() in CONDITIONS
                )
                concepts[key] = Concept(
                    key, row["label_nl"].strip(), row["label_en"].strip(), conds
                )
        terms: dict[str, list[str]] = {}
        with (directory / "terms.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                key, term = row["concept"].strip(), normalise(row["term"])
                if key in concepts and term:
                    terms.setdefault(term, [])
                    if key not in terms[term]:
                        terms[term].append(key)
        return cls(concepts, {t: tuple(c) for t, c in terms.items()})

    def _word_concepts(self, word: str) -> tuple[tuple[str, str], ...]:
        """(concept, matched term) pairs for one word; cached because words repeat a lot."""
        cached = self._word_cache.get(word)
        if cached is not None:
            return cached
        found: dict[str, str] = {}

        def add(term: str) -> None:
            for concept in self._single[term]:
                found.setdefault(concept, term)

        if word in self._single:
            add(word)
        else:
            for suffix in SUFFIXES:
                stem = word[: -len(suffix)]
                if word.endswith(suffix) and len(stem) >= 3 and stem in self._single:
                    add(stem)
                    break
        if not found and len(word) >= COMPOUND_MIN_PART + COMPOUND_MIN_REST:
            # Dutch compounds: the longest known head or tail ("huiswerk|hulp", "voedsel|bank").
            for cut in range(len(word) - COMPOUND_MIN_REST, COMPOUND_MIN_PART - 1, -1):
                if word[:cut] in self._single:
                    add(word[:cut])
                    break
            for cut in range(COMPOUND_MIN_REST, len(word) - COMPOUND_MIN_PART + 1):
                if word[cut:] in self._single:
                    add(word[cut:])
                    break
        if not found and len(word) >= FUZZY_MIN_LENGTH:
            best = process.extractOne(
                word,
                self._single_list,
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=FUZZY_WORD_CUTOFF,
            )
            if best:
                add(best[0])
        result = tuple(found.items())
        self._word_cache[word] = result
        return result

    def find(self, text: str | None) -> dict[str, str]:
        """Concepts in `text`, each with the words that carried it ("hulp met brieven")."""
        words = normalise(text).split()
        found: dict[str, str] = {}
        consumed = [False] * len(words)
        # Multi-word terms first (longest at each position), looked up by their first word.
        for start, word in enumerate(words):
            for parts, term, concepts in self._multi_by_first.get(word, ()):
                end = start + len(parts)
                if tuple(words[start:end]) == parts and not any(consumed[start:end]):
                    for concept in concepts:
                        found.setdefault(concept, term)
                    consumed[start:end] = [True] * len(parts)
                    break
        for word, used in zip(words, consumed, strict=True):
            if used:
                continue
            for concept, term in self._word_concepts(word):
                found.setdefault(concept, word if len(word) <= 30 else term)
        return found

    def conditions_of(self, concepts: Iterable[str]) -> frozenset[str]:
        conds: set[str] = set()
        for key in concepts:
            if key in self.concepts:
                conds |= self.concepts[key].conditions
        return frozenset(conds)

    def conditions_in(self, text: str | None) -> frozenset[str]:
        """The social-quality conditions a text is about, through its concepts."""
        return self.conditions_of(self.find(text))

    def idf(self, documents: list[Iterable[str]]) -> dict[str, float]:
        """Rare concepts say more than common ones ("formulieren" beats "armoede")."""
        counts: dict[str, int] = {}
        for doc in documents:
            for key in set(doc):
                counts[key] = counts.get(key, 0) + 1
        n = max(1, len(documents))
        return {key: math.log(1 + n / (1 + counts.get(key, 0))) for key in self.concepts}


@functools.cache
def default_vocabulary() -> Vocabulary:
    return Vocabulary.from_dir()
