"""What an offer rules out, in its own words: "Personeelskosten komen niet in aanmerking",
"geen feesten of bijeenkomsten", "alleen voor stichtingen en verenigingen".

Such a sentence shares words with exactly the needs it excludes, so word and meaning
similarity would rank those needs *higher*. Here it is read the other way round: an offer's
description is cut into sentences, a sentence that excludes (`not`) or limits (`only`) is cut
into the things it names, and a need clashes with it when it names one of them too (every
content word of it, compared as lemmas from simplemma, so "feesten" meets "feest") or, for
`only`, when it is not one of the legal forms allowed. A clash lowers the pair and says why;
it does not remove it, because a sentence read by rule can be read wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import simplemma

# "komen niet in aanmerking", "is uitgesloten", "niet voor", "geen", "not for", "no"
_NOT = re.compile(
    r"\b(?:komt|komen|kom)\s+niet\s+in\s+aanmerking\b|\bniet\s+in\s+aanmerking\b"
    r"|\b(?:is|zijn)\s+uitgesloten\b|\buitgezonderd\b|\bniet\s+(?:bedoeld\s+)?voor\b"
    r"|\bgeen\b|\bnot\s+(?:for|eligible)\b|\bexcluded\b|\bno\b",
    re.IGNORECASE,
)
# The negations that follow what they rule out: "personeelskosten komen niet in aanmerking".
_NAMED_BEFORE = ("aanmerking", "uitgesloten", "uitgezonderd", "excluded")
_ONLY = re.compile(r"\b(?:alleen|uitsluitend|enkel)\s+voor\b|\bonly\s+for\b", re.IGNORECASE)
# "je hoeft geen stichting te zijn", "no need to": a negation that opens a door
_PERMISSIVE = re.compile(
    r"\b(?:hoeft|hoeven|hoef|hoeft\s+u|hoef\s+je)\b[^.;!?]*\bgeen\b|\bno\s+need\b"
    r"|\bgeen\s+(?:probleem|bezwaar|kosten|vergoeding|voorwaarden|drempel)\b"
    r"|\bno\s+(?:cost|charge|fee|problem)\b",
    re.IGNORECASE,
)
_SENTENCES = re.compile(r"[.;!?\n]+|\s[-–]\s")
# Items of a list: "feesten, bijeenkomsten of recepties", "zoals huur en salarissen"
_ITEMS = re.compile(r",|\b(?:of|en|and|or|zoals|such\s+as|bijvoorbeeld|e\.g\.)\b", re.IGNORECASE)
# Past a preposition a clause says where or when, not what: "geen eten | in de lokalen"
_TAIL = re.compile(
    r"\b(?:in|op|bij|tijdens|na|voor|aan|van|met|door|at|during|after|on|from|with)\b.*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)

# Words that say how or whether, not what: they never decide a clash.
_FILLER = frozenset(
    """
    aanwezig aanmerking alleen beschikbaar bedoeld bijdrage bijdragen de den der des deze dit die
    doen dat een elk elke enkel er geen gegeven geleverd geschonken geven hebben het hier hoe ik
    is je jij jullie kan kunnen leveren liever mag mogelijk mogen niet nooit ons onze ook te
    toegestaan uitgesloten uitgezonderd uitsluitend vragen verstrekt wat we wij wordt worden zich
    zijn zo zonder u uw
    a an any are be can for given is no not of our the their they this we you your
    """.split()
)
LEGAL_FORM_WORDS = {
    "stichting": "foundation",
    "vereniging": "association",
    "bedrijf": "company",
    "onderneming": "company",
    "foundation": "foundation",
    "association": "association",
    "company": "company",
}


@dataclass(frozen=True)
class Clause:
    text: str  # the sentence as the offer wrote it, for the reason
    mode: str  # "not": it rules these things out; "only": it is only for these legal forms
    items: tuple[frozenset[str], ...]  # for "not": the things it names, each as lemmas
    legal_forms: frozenset[str]  # for "only"


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    word = word.casefold()
    return simplemma.lemmatize(word, lang=("nl", "en"))


def lemmas(text: str) -> frozenset[str]:
    return frozenset(lemma(w) for w in _WORD.findall(text) if len(w) >= 3)


# A need's own "een keuken hoeft niet", "geen kinderen", "we don't need a kitchen": what it
# says it does not ask for cannot clash with what an offer rules out.
_NOT_ASKED = re.compile(
    r"\b(?:hoeft|hoeven|hoef)\s+(?:niet|geen)\b|\bniet\s+(?:nodig|nodig\s+hebben)\b|\bgeen\b"
    r"|\bno\s+need\b|\bnot\s+needed\b|\b(?:do|does)\s*n[o']t\s+need\b|\bno\b",
    re.IGNORECASE,
)


def asked_lemmas(text: str) -> frozenset[str]:
    """The lemmas of what a need asks for: its sentences, except those that say what it does
    not need."""
    kept = [s for s in _SENTENCES.split(text) if not _NOT_ASKED.search(s)]
    return lemmas(" ".join(kept))


def _items(rest: str) -> tuple[frozenset[str], ...]:
    found = []
    for part in _ITEMS.split(rest):
        part = _TAIL.sub("", part)
        words = [w for w in _WORD.findall(part) if len(w) >= 3 and w.casefold() not in _FILLER]
        if words:
            found.append(frozenset(lemma(w) for w in words))
    return tuple(found)


@lru_cache(maxsize=100_000)
def clauses_of(text: str) -> tuple[Clause, ...]:
    """The sentences of an offer that rule something out or limit who it is for. Cached: the
    app builds an engine per post, and an offer's text rarely changes between two of them."""
    found = []
    for sentence in _SENTENCES.split(text):
        sentence = sentence.strip()
        if not sentence or _PERMISSIVE.search(sentence):
            continue
        only = _ONLY.search(sentence)
        if only:
            # Only the legal forms it names are checked: who else "alleen voor jongeren" or
            # "alleen voor Tilburg-Noord" means is for meaning and place to weigh.
            named = lemmas(sentence[only.end() :])
            forms = frozenset(LEGAL_FORM_WORDS[w] for w in named if w in LEGAL_FORM_WORDS)
            if forms:
                found.append(Clause(sentence, "only", (), forms))
            continue
        negation = _NOT.search(sentence)
        if negation:
            # "Personeelskosten komen niet in aanmerking": the things stand before the words;
            # "geen feesten", "niet voor kinderen": after them.
            before, after = sentence[: negation.start()], sentence[negation.end() :]
            names_before = any(w in negation.group(0).lower() for w in _NAMED_BEFORE)
            items = _items(before) if names_before else (_items(after) or _items(before))
            if items:
                found.append(Clause(sentence, "not", items, frozenset()))
    return tuple(found)


def _names(need_lemmas: frozenset[str], item: frozenset[str]) -> bool:
    """Whether the need names this item: each of its words, or a compound ending in it
    ("personeelskosten" names "kosten" only together with the other words of the item)."""
    return all(
        word in need_lemmas or any(n.endswith(word) and len(word) >= 5 for n in need_lemmas)
        for word in item
    )


def clash(clause: Clause, need_lemmas: frozenset[str], legal_form: str) -> bool:
    if clause.mode == "not":
        return any(_names(need_lemmas, item) for item in clause.items)
    return legal_form not in clause.legal_forms


def first_clash(
    clauses: tuple[Clause, ...], need_lemmas: frozenset[str], legal_form: str
) -> Clause | None:
    return next((c for c in clauses if clash(c, need_lemmas, legal_form)), None)
