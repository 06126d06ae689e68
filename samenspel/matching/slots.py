"""Weekly availability slots: day x part of day, parsed from Dutch and English words.

"di avond; za ochtend", "dinsdagavond", "tue evening", "za" (the whole Saturday) and
"avond" (every evening) are all understood. A slot is a (day, part) pair with day 0 = Monday
and part 0/1/2 = morning/afternoon/evening.
"""

from __future__ import annotations

import re

from samenspel.matching.text import normalise

Slot = tuple[int, int]

DAY_WORDS: dict[str, int] = {}
for _day, _words in enumerate(
    [
        ("ma", "maa", "maan", "maandag", "mo", "mon", "monday"),
        ("di", "din", "dins", "dinsdag", "tu", "tue", "tues", "tuesday"),
        ("wo", "woe", "woens", "woensdag", "we", "wed", "wednesday"),
        ("do", "don", "dond", "donderdag", "th", "thu", "thur", "thurs", "thursday"),
        ("vr", "vri", "vrij", "vrijdag", "fr", "fri", "friday"),
        ("za", "zat", "zaterdag", "sa", "sat", "saturday"),
        ("zo", "zon", "zondag", "su", "sun", "sunday"),
    ]
):
    for _word in _words:
        DAY_WORDS[_word] = _day

PART_WORDS: dict[str, int] = {
    "ochtend": 0,
    "ochtends": 0,
    "morgen": 0,
    "morning": 0,
    "mornings": 0,
    "am": 0,
    "och": 0,
    "middag": 1,
    "middags": 1,
    "afternoon": 1,
    "afternoons": 1,
    "pm": 1,
    "mid": 1,
    "avond": 2,
    "avonds": 2,
    "evening": 2,
    "evenings": 2,
    "night": 2,
    "av": 2,
    "eve": 2,
}
GROUP_WORDS: dict[str, tuple[int, ...]] = {
    "weekend": (5, 6),
    "weekends": (5, 6),
    "doordeweeks": (0, 1, 2, 3, 4),
    "werkdagen": (0, 1, 2, 3, 4),
    "weekdays": (0, 1, 2, 3, 4),
    "dagelijks": tuple(range(7)),
    "daily": tuple(range(7)),
    "elke": (),
    "every": (),
}
ALL_PARTS = (0, 1, 2)
_FILLER = {"op", "s", "on", "in", "the", "de", "het", "en", "and", "van", "tot"}

DAY_NAMES = {
    "nl": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
PART_NAMES = {"nl": ["ochtend", "middag", "avond"], "en": ["morning", "afternoon", "evening"]}
SHORT_DAYS = ["ma", "di", "wo", "do", "vr", "za", "zo"]


class SlotError(ValueError):
    """A `when` value that is not a day and/or part of the day."""


def _split_compound(word: str) -> list[str]:
    """ "dinsdagavond" -> ["dinsdag", "avond"]; "diavond" -> ["di", "avond"]."""
    for part in sorted(PART_WORDS, key=len, reverse=True):
        head = word[: -len(part)]
        if len(part) >= 4 and word.endswith(part) and head in DAY_WORDS | GROUP_WORDS:
            return [head, part]
    return [word]


def parse_slots(text: str | None) -> frozenset[Slot]:
    """Parse a `when` cell. Empty means "no constraint" and gives an empty set."""
    slots: set[Slot] = set()
    for chunk in re.split(r"[;,/]|\ben\b|\band\b", text or ""):
        words: list[str] = []
        for word in normalise(chunk).split():
            words.extend(_split_compound(word))
        words = [w for w in words if w not in _FILLER]
        if not words:
            continue
        days: list[int] = []
        parts: list[int] = []
        for word in words:
            if word in DAY_WORDS:
                days.append(DAY_WORDS[word])
            elif word in GROUP_WORDS:
                days.extend(GROUP_WORDS[word])
            elif word in PART_WORDS:
                parts.append(PART_WORDS[word])
            else:
                raise SlotError(word)
        for day in days or range(7):
            for part in parts or ALL_PARTS:
                slots.add((day, part))
    return frozenset(slots)


def format_slot(slot: Slot, lang: str = "nl") -> str:
    day, part = slot
    if lang == "nl":
        return f"{DAY_NAMES['nl'][day]}{PART_NAMES['nl'][part]}"
    return f"{DAY_NAMES['en'][day]} {PART_NAMES['en'][part]}"


def slots_to_text(slots: frozenset[Slot]) -> str:
    """The canonical exchange-format spelling: "di avond; za ochtend"."""
    return "; ".join(f"{SHORT_DAYS[d]} {PART_NAMES['nl'][p]}" for d, p in sorted(slots))


def slot_mask(slots: frozenset[Slot]) -> int:
    """21 bits, one per (day, part), for vectorised overlap counting."""
    mask = 0
    for day, part in slots:
        mask |= 1 << (day * 3 + part)
    return mask
