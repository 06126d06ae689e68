"""Sentences the engine shows to people, in Dutch (default, B1) and English.

Kept as templates here because the engine is pure: it cannot reach the app's gettext layer,
and the command line needs the same words.
"""

from __future__ import annotations

from datetime import date

from samenspel.matching.text import format_number

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
        # Funding plans (matching/funding.py).
        "f_reach_municipality": "voor {place}, en daar zitten jullie",
        "f_reach_province": "voor de provincie {place}, en daar zitten jullie",
        "f_reach_national": "landelijk: voor heel Nederland",
        "f_theme_direct": "past bij jullie onderwerp: {themes}",
        "f_theme_related": "ligt dicht bij jullie onderwerp: {themes}",
        "f_theme_general": "geeft geld voor allerlei buurtprojecten; jullie onderwerp staat niet apart in hun lijst",
        "f_ask_range": "vraag EUR {amount}; zij geven EUR {min} tot {max}",
        "f_ask_up_to": "vraag EUR {amount}; zij geven tot EUR {max}",
        "f_ask_from": "vraag EUR {amount}; zij geven vanaf EUR {min}, hun maximum kennen we niet",
        "f_ask_unknown": "vraag EUR {amount}; hun bedragen kennen we niet, dus vraag eerst of dit kan",
        "f_crowd": "crowdfunding: haal EUR {amount} op bij buren, familie en fans",
        "f_match": "matchfunding: zij leggen {ratio} euro bij per opgehaalde euro, tot EUR {cap}; dat is EUR {amount} bij jullie crowdfunding van EUR {crowd}",
        "f_match_no_cap": "matchfunding: zij leggen {ratio} euro bij per opgehaalde euro; dat is EUR {amount} bij jullie crowdfunding van EUR {crowd}",
        "f_business": "geld van een lokaal bedrijf",
        "f_apply_round": "stuur je aanvraag in voor de ronde van {date}",
        "f_apply_lead": "vraag het uiterlijk {date} aan: zij willen {weeks} weken voor de start",
        "f_apply_decision": "vraag het uiterlijk {date} aan: hun besluit duurt {weeks} weken",
        "f_apply_early": "geen vaste termijn bekend: vraag het ruim voor de start aan",
        "f_apply_offer": "dit aanbod loopt tot {date}",
        "f_rounds_text": "let op hun termijn: {rounds}",
        "f_penvoerder": "jullie vragen dit aan via een penvoerder: een stichting of vereniging die het geld voor jullie beheert",
        "f_uncertain": "niet alles hierover is zeker: controleer het op hun site",
        "f_and_more": "en nog {count}",
        "f_referral": "Geen geld voor jullie project: zij helpen mensen of gezinnen apart. Verwijs wie het nodig heeft naar hen door.",
        "f_referral_intermediary": "Aanvragen gaat via een intermediair, zoals een leerkracht of hulpverlener.",
        "f_x_anbi": "alleen voor organisaties met een ANBI-status; die hebben jullie niet",
        "f_x_region": "alleen voor {regions}; jullie zitten in {place}",
        "f_x_region_unknown": "alleen voor {regions}; we weten niet waar jullie zitten",
        "f_x_lead_time": "vraagt {lead} weken voorbereiding; jullie starten over {weeks} weken",
        "f_x_decision": "hun besluit duurt {decision} weken; jullie starten over {weeks} weken",
        "f_x_round": "de volgende ronde is {date}; hun besluit komt pas na jullie start op {start}",
        "f_x_target_group": "alleen voor projecten met of voor {groups}; dat lezen we niet in jullie vraag",
        "f_x_theme": "geeft geld voor {themes}; dat lezen we niet in jullie vraag",
        "f_x_not_chosen": "past ook, maar het plan is al rond met minder, dichterbij of snellere bronnen",
        "f_x_not_chosen_min": "past ook, maar niet in dit plan: zij geven pas vanaf EUR {min}",
        "f_x_not_used": "past ook, maar niet in dit plan",
        "f_x_one_campaign": "er staat al een crowdfunding in het plan; één campagne is genoeg",
        "f_x_no_campaign": "legt alleen geld bij op een crowdfunding; er is geen crowdfunding die bij jullie past",
        "f_plan_start": "Jullie starten op {date}, over {weeks} weken.",
        "f_plan_region_unknown": "We weten niet waar jullie zitten. Daarom tellen alleen landelijke bronnen mee.",
        "f_plan_covered_one": "Dit plan betaalt de hele EUR {amount}, met 1 bron.",
        "f_plan_covered_many": "Dit plan betaalt de hele EUR {amount}, met {count} bronnen.",
        "f_plan_partial": "Dit plan betaalt EUR {covered} van de EUR {amount}.",
        "f_plan_none": "We vonden geen bron die bij deze vraag past.",
        "f_plan_missing": "Er ontbreekt nog EUR {missing}.",
        "f_plan_missing_tip": "Vraag een lokaal bedrijf of de buurtmakelaar wie de rest kan geven.",
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
        # Funding plans (matching/funding.py).
        "f_reach_municipality": "for {place}, and that is where you are",
        "f_reach_province": "for the province of {place}, and that is where you are",
        "f_reach_national": "national: for the whole of the Netherlands",
        "f_theme_direct": "fits your topic: {themes}",
        "f_theme_related": "close to your topic: {themes}",
        "f_theme_general": "funds all kinds of neighbourhood projects; your topic is not listed separately",
        "f_ask_range": "ask EUR {amount}; they give EUR {min} to {max}",
        "f_ask_up_to": "ask EUR {amount}; they give up to EUR {max}",
        "f_ask_from": "ask EUR {amount}; they give from EUR {min}, we do not know their maximum",
        "f_ask_unknown": "ask EUR {amount}; we do not know their amounts, so ask first whether this is possible",
        "f_crowd": "crowdfunding: raise EUR {amount} from neighbours, family and fans",
        "f_match": "matchfunding: they add {ratio} euro per euro raised, up to EUR {cap}; that is EUR {amount} on your crowdfunding of EUR {crowd}",
        "f_match_no_cap": "matchfunding: they add {ratio} euro per euro raised; that is EUR {amount} on your crowdfunding of EUR {crowd}",
        "f_business": "money from a local business",
        "f_apply_round": "send your application in for the round of {date}",
        "f_apply_lead": "apply by {date}: they want {weeks} weeks before the start",
        "f_apply_decision": "apply by {date}: their decision takes {weeks} weeks",
        "f_apply_early": "no fixed deadline known: apply well before the start",
        "f_apply_offer": "this offer runs until {date}",
        "f_rounds_text": "mind their timing: {rounds}",
        "f_penvoerder": "you apply through a fiscal host (penvoerder): a foundation or association that manages the money for you",
        "f_uncertain": "not everything about this is certain: check their website",
        "f_and_more": "and {count} more",
        "f_referral": "No money for your project: they help individual people or families. Refer whoever needs it to them.",
        "f_referral_intermediary": "Applications go through an intermediary, such as a teacher or a social worker.",
        "f_x_anbi": "only for organisations with ANBI status; you do not have it",
        "f_x_region": "only for {regions}; you are in {place}",
        "f_x_region_unknown": "only for {regions}; we do not know where you are",
        "f_x_lead_time": "needs {lead} weeks of preparation; you start in {weeks} weeks",
        "f_x_decision": "their decision takes {decision} weeks; you start in {weeks} weeks",
        "f_x_round": "the next round is {date}; their decision comes after your start on {start}",
        "f_x_target_group": "only for projects with or for {groups}; we do not read that in your request",
        "f_x_theme": "funds {themes}; we do not read that in your request",
        "f_x_not_chosen": "fits too, but the plan is complete with fewer, closer or faster sources",
        "f_x_not_chosen_min": "fits too, but not in this plan: they give from EUR {min}",
        "f_x_not_used": "fits too, but not in this plan",
        "f_x_one_campaign": "the plan already has a crowdfunding campaign; one is enough",
        "f_x_no_campaign": "only adds money to a crowdfunding campaign; no crowdfunding fits you",
        "f_plan_start": "You start on {date}, in {weeks} weeks.",
        "f_plan_region_unknown": "We do not know where you are, so only national sources count.",
        "f_plan_covered_one": "This plan pays the whole EUR {amount}, with 1 source.",
        "f_plan_covered_many": "This plan pays the whole EUR {amount}, with {count} sources.",
        "f_plan_partial": "This plan pays EUR {covered} of the EUR {amount}.",
        "f_plan_none": "We found no source that fits this request.",
        "f_plan_missing": "EUR {missing} is still missing.",
        "f_plan_missing_tip": "Ask a local business or the neighbourhood broker who can give the rest.",
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
