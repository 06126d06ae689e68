"""Sentences the engine shows to people, in Dutch (default, B1) and English.

Kept as templates here because the engine is pure: it cannot reach the app's gettext layer,
and the command line needs the same words.
"""

from __future__ import annotations

from datetime import date

from matching.text import format_number

TEMPLATES: dict[str, dict[str, str]] = {
    "nl": {
        "same_words": "jullie noemen allebei '{word}'",
        "their_words": "jullie '{need_word}' is hun '{offer_word}'",
        "related_words": "jullie '{need_word}' past bij hun '{offer_word}'",
        "around_corner": "om de hoek (minder dan 100 meter)",
        "distance": "{km} km verderop",
        "slot": "{slot} beschikbaar",
        "slot_more": "{slot} beschikbaar (en nog {more} dagdelen)",
        "slot_miss": "let op: zij kunnen {theirs}, jullie vragen {yours}",
        "venue_fit": "ruimte voor {capacity}, jullie zijn met {people}",
        "volunteer_fit": "{capacity} vrijwilligers, jullie zoeken er {people}",
        "volunteer_short": "{capacity} vrijwilligers, minder dan de {people} die jullie zoeken",
        "money_fit": "geeft EUR {low} tot {high}; jullie vragen EUR {amount}",
        "money_part": "dekt EUR {high} van de EUR {amount}: zoek de rest erbij",
        "condition": "beide werken aan {condition}",
        "x_kind": "ander soort hulp: zij bieden {offer_kind}, jullie vragen {need_kind}",
        "x_need_distance": "te ver weg: {km} km, jullie willen hoogstens {max} km",
        "x_offer_radius": "buiten hun werkgebied: {km} km, zij komen tot {max} km",
        "x_legal_form": "alleen voor {forms}; jullie zijn een {form}",
        "x_amount_min": "jullie vragen EUR {amount}, zij geven pas vanaf EUR {min}",
        "x_too_small": "te klein: ruimte voor {capacity}, jullie zijn met {people}",
        "x_offer_expired": "dit aanbod liep af op {date}",
        "x_need_expired": "jullie vraag liep af op {date}",
        "x_no_kitchen": "jullie zoeken een keuken; deze ruimte heeft er geen",
        "x_not_step_free": "jullie zoeken een drempelvrije ruimte; deze is het niet",
        "x_same_organisation": "dit aanbod is van jullie eigen organisatie",
    },
    "en": {
        "same_words": "you both mention '{word}'",
        "their_words": "your '{need_word}' is their '{offer_word}'",
        "related_words": "your '{need_word}' fits their '{offer_word}'",
        "around_corner": "around the corner (under 100 metres)",
        "distance": "{km} km away",
        "slot": "available {slot}",
        "slot_more": "available {slot} (and {more} more parts of the week)",
        "slot_miss": "note: they can do {theirs}, you asked for {yours}",
        "venue_fit": "room for {capacity}, you are {people}",
        "volunteer_fit": "{capacity} volunteers, you are looking for {people}",
        "volunteer_short": "{capacity} volunteers, fewer than the {people} you are looking for",
        "money_fit": "gives EUR {low} to {high}; you ask EUR {amount}",
        "money_part": "covers EUR {high} of the EUR {amount}: find the rest elsewhere",
        "condition": "both work on {condition}",
        "x_kind": "a different kind of help: they offer {offer_kind}, you ask for {need_kind}",
        "x_need_distance": "too far: {km} km, you want at most {max} km",
        "x_offer_radius": "outside their area: {km} km, they cover up to {max} km",
        "x_legal_form": "only for {forms}; you are an {form}",
        "x_amount_min": "you ask EUR {amount}, they give from EUR {min}",
        "x_too_small": "too small: room for {capacity}, you are {people}",
        "x_offer_expired": "this offer ended on {date}",
        "x_need_expired": "your request ended on {date}",
        "x_no_kitchen": "you need a kitchen; this venue has none",
        "x_not_step_free": "you need a step-free venue; this one is not",
        "x_same_organisation": "this offer is from your own organisation",
    },
}

CONDITION_WORDS = {
    "nl": {
        "security": "basis op orde",
        "inclusion": "toegang",
        "cohesion": "verbindingen",
        "empowerment": "ontwikkeling",
    },
    "en": {
        "security": "the basics in order",
        "inclusion": "access",
        "cohesion": "connections",
        "empowerment": "development",
    },
}
KIND_WORDS = {
    "nl": {
        "venue": "ruimte",
        "volunteers": "vrijwilligers",
        "money": "geld",
        "art": "kunst en cultuur",
        "goods": "spullen",
        "expertise": "kennis",
    },
    "en": {
        "venue": "a venue",
        "volunteers": "volunteers",
        "money": "money",
        "art": "art and culture",
        "goods": "goods",
        "expertise": "expertise",
    },
}
LEGAL_FORM_WORDS = {
    "nl": {
        "informal": "informele groep",
        "association": "vereniging",
        "foundation": "stichting",
        "company": "bedrijf",
        "public": "overheid",
    },
    "en": {
        "informal": "informal group",
        "association": "association",
        "foundation": "foundation",
        "company": "company",
        "public": "public body",
    },
}
TIE_WORDS = {
    "nl": {
        "bonding": "bonding (eigen kring)",
        "bridging": "bridging (buiten de eigen kring)",
        "linking": "linking (naar een instelling)",
    },
    "en": {
        "bonding": "bonding (own circle)",
        "bridging": "bridging (beyond the own circle)",
        "linking": "linking (to an institution)",
    },
}


def lang_of(lang: str | None) -> str:
    return "en" if lang == "en" else "nl"


def say(key: str, lang: str, **values) -> str:
    return TEMPLATES[lang_of(lang)][key].format(**values)


def km(value: float, lang: str) -> str:
    return format_number(value, lang_of(lang), 1)


def euro(value: float, lang: str) -> str:
    return format_number(value, lang_of(lang), 0 if float(value).is_integer() else 2)


def day(value: date, lang: str) -> str:
    return value.strftime("%d-%m-%Y") if lang_of(lang) == "nl" else value.isoformat()


def legal_forms(forms, lang: str) -> str:
    words = LEGAL_FORM_WORDS[lang_of(lang)]
    joiner = " of " if lang_of(lang) == "nl" else " or "
    return joiner.join(words.get(f, f) for f in sorted(forms))
