"""How many people a text speaks of ("we zijn met 30 buren", "twaalf vrijwilligers", "for
20 people"): a suggestion for an empty number field, never a value stored unasked."""

from __future__ import annotations

import re

from samenspel.matching.text import normalise

NUMBER_WORDS = {
    "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9,
    "tien": 10, "elf": 11, "twaalf": 12, "vijftien": 15, "twintig": 20, "dertig": 30,
    "veertig": 40, "vijftig": 50, "honderd": 100,
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100,
}  # fmt: skip
PEOPLE_WORDS = (
    "mensen", "personen", "deelnemers", "bezoekers", "vrijwilligers", "buren", "bewoners",
    "kinderen", "jongeren", "ouderen", "gasten", "koks", "helpers", "man", "pers",
    "people", "persons", "participants", "visitors", "volunteers", "guests", "children",
)  # fmt: skip
# A number, at most one word between (e.g. "enthousiaste"), then a word for people.
_HEADCOUNT = re.compile(
    r"\b(\d{1,4}|"
    + "|".join(NUMBER_WORDS)
    + r")(?:\s+[a-z]+)?\s+(?:"
    + "|".join(PEOPLE_WORDS)
    + r")\b"
)


def headcount(*texts: str | None) -> int | None:
    """The first number of people in the texts, or None. "Rond de 40 mensen" -> 40."""
    for text in texts:
        match = _HEADCOUNT.search(normalise(text))
        if match:
            word = match[1]
            count = int(word) if word.isdigit() else NUMBER_WORDS[word]
            if 0 < count <= 5000:
                return count
    return None
