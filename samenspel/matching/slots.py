"""Weekly availability slots: day x part of day, parsed from Dutch and English words.

"di avond; za ochtend", "dinsdagavond", "tue evening", "za" (the whole Saturday), "avond"
(every evening), "di en do avond", "ma t/m vr ochtend" and clock times ("di 18:00-21:00")
are all understood. A slot is a (day, part) pair with day 0 = Monday
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
_FILLER = {"op", "s", "on", "in", "the", "de", "het", "van", "tot", "om", "at", "uur", "from"}

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


# Clock times: "18:00-21:00", "18.00 - 21.00 uur", "van 9 tot 12", "om 19u", "14h".
_TIME = r"(\d{1,2})(?:[:.](\d{2}))?\s*(?:uur|u|h)?"
_TIME_RANGE = re.compile(rf"\b{_TIME}\s*(?:-|–|tot|to|till|until)\s*{_TIME}(?!\d)")
_TIME_ONE = re.compile(rf"\b{_TIME}(?![\d:.])")
# A part of the day is its hours: morning 6-12, afternoon 12-18, evening 18-24.
PART_HOURS = ((6, 12), (12, 18), (18, 24))
# Day ranges: "ma t/m vr", "ma tm vr", "ma - vr", "maandag tot en met vrijdag".
_DAY_RANGE = re.compile(r"\b([a-z]+)\s*(?:t/m|tm|-|–|tot en met|through|to)\s*([a-z]+)\b")
_CONNECTORS = {"en", "and", "&"}


def _hour(hours: str, minutes: str | None) -> float:
    hour = int(hours) + int(minutes or 0) / 60
    if hour > 24 or int(minutes or 0) >= 60:
        raise SlotError(f"{hours}:{minutes}")
    return hour


def _parts_of(start: float, end: float) -> list[int]:
    """The parts of the day a clock range overlaps by more than a quarter of an hour."""
    if end <= start:  # "22:00-01:00": into the night, still the evening
        end = 24
    return [part for part, (low, high) in enumerate(PART_HOURS)
            if min(end, high) - max(start, low) > 0.25]  # fmt: skip


def _clock_words(chunk: str) -> str:
    """Clock times in a chunk replaced by the parts of the day they cover ("18:00-21:00" ->
    " avond "); a time before 6 in the morning is refused (nobody means the night)."""

    def parts(start: float, end: float) -> str:
        found = _parts_of(start, end)
        if not found:
            raise SlotError(f"{start:g}-{end:g}")
        return " " + " ".join(PART_NAMES["nl"][part] for part in found) + " "

    def one_range(match: re.Match) -> str:
        return parts(_hour(match[1], match[2]), _hour(match[3], match[4]))

    def one_time(match: re.Match) -> str:
        hour = _hour(match[1], match[2])
        return parts(hour, hour + 1)

    return _TIME_ONE.sub(one_time, _TIME_RANGE.sub(one_range, chunk))


def _day_ranges(chunk: str) -> str:
    """ "ma t/m vr" -> "ma di wo do vr" (only when both ends are days)."""

    def expand(match: re.Match) -> str:
        first, last = DAY_WORDS.get(match[1]), DAY_WORDS.get(match[2])
        if first is None or last is None:
            return match[0]
        days = range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
        return " ".join(SHORT_DAYS[day] for day in days)

    return _DAY_RANGE.sub(expand, chunk)


def parse_slots(text: str | None) -> frozenset[Slot]:
    """Parse a `when` cell. Empty means "no constraint" and gives an empty set.

    Within a chunk (between ; or /) the words form groups of days with their parts of the
    day: "di en do avond" is Tuesday and Thursday evening, "di ochtend en do avond" two
    slots, "za ochtend en middag" two parts of one day, "'s avonds op dinsdag" one. A group
    ends where a new day follows its days and parts, or follows "en" after its parts."""
    slots: set[Slot] = set()
    # A comma joins like "en": "ma, wo en vr middag" is three afternoons.
    lowered = (text or "").lower().replace("'s ", " ").replace(",", " en ")
    for chunk in re.split(r";|/(?<!t/)(?!m\b)", _day_ranges(lowered)):
        words: list[str] = []
        for word in normalise(_clock_words(chunk)).split():
            words.extend(_split_compound(word))
        groups: list[tuple[list[int], list[int]]] = [([], [])]
        after_and = False  # "en" after parts: a day that follows starts a new group
        for word in words:
            days, parts = groups[-1]
            if word in _CONNECTORS:
                after_and = bool(parts)
                continue
            if word in _FILLER:
                continue
            if word in DAY_WORDS or word in GROUP_WORDS:
                if parts and (days or after_and):
                    groups.append(([], []))
                    days, parts = groups[-1]
                days.extend(GROUP_WORDS.get(word, (DAY_WORDS.get(word),)))
            elif word in PART_WORDS:
                parts.append(PART_WORDS[word])
            else:
                raise SlotError(word)
            after_and = False
        for days, parts in groups:
            if not days and not parts:
                continue
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
