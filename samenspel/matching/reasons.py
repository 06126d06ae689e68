"""Reasons as codes with parameters, and the one place that turns them into sentences.

The engine (engine.py, filters.py, funding.py) says *why* with a `Reason`: a code and plain
JSON parameters, such as `Reason("distance", {"km": 1.2})`. Only `render` makes words of it,
in the reader's language, at the moment it is shown: "1,2 km verderop" or "1.2 km away". So a
stored suggestion serves every reader, and a better wording or a new language needs no data
migration.

The templates live here, not in the app's gettext catalogue, because the engine is pure (it
cannot reach samenspel.i18n) and the command line prints the same words. User text (a word
from a need, a place, a fund's theme) only ever goes *into* a fixed template as a value; no
template is ever made from it, so braces in it stay braces.

Stored reasons are `to_data` / `from_data` lists of {"code", "params"}. Sentences stored
before codes existed keep the code `legacy`, with the Dutch and English text as they were.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from string import Formatter

from samenspel.matching.slots import format_slot
from samenspel.matching.text import format_number

LANGUAGES = ("nl", "en")
LEGACY = "legacy"  # a sentence stored before reasons were codes: {"nl": ..., "en": ...}
MAX_PLACES_SHOWN = 3  # a longer list of places ends in "en nog 16"

_REFERRAL = {
    "nl": "Geen geld voor jullie project: zij helpen mensen of gezinnen apart. Verwijs wie het nodig heeft naar hen door.",
    "en": "No money for your project: they help individual people or families. Refer whoever needs it to them.",
}
_VIA_INTERMEDIARY = {
    "nl": "Aanvragen gaat via een intermediair, zoals een leerkracht of hulpverlener.",
    "en": "Applications go through an intermediary, such as a teacher or a social worker.",
}

TEMPLATES: dict[str, dict[str, str]] = {
    "nl": {
        "same_words": "jullie noemen allebei '{word}'",
        "their_words": "jullie '{need_word}' is hun '{offer_word}'",
        "related_words": "jullie '{need_word}' past bij hun '{offer_word}'",
        "around_corner": "om de hoek (minder dan 100 meter)",
        "intermediary": "zij zoeken vrijwilligers voor elk initiatief in hun buurt",
        "offer_rules_out": "let op, hun aanbod zegt: '{clause}'",
        "same_meaning": "hun aanbod zegt in andere woorden wat jullie vragen",
        "named_partner": "jullie noemen {partner} zelf in je vraag",
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
        "f_apply_early_by": "geen vaste termijn bekend: vraag het uiterlijk {date} aan, dan kan er voor de start een besluit zijn",
        "f_apply_business": "vraag het uiterlijk {date} aan, dan kan er voor de start een besluit zijn",
        "f_apply_campaign": "start de campagne uiterlijk {date}: een campagne loopt zo'n {weeks} weken",
        "f_share": "fondsen en bedrijven betalen zelden alles: vraag hier hoogstens de helft, en zoek de rest erbij",
        "f_apply_offer": "dit aanbod loopt tot {date}",
        "f_rounds_text": "let op hun termijn: {rounds}",
        "f_penvoerder": "jullie vragen dit aan via een penvoerder: een stichting of vereniging die het geld voor jullie beheert",
        "f_uncertain": "niet alles hierover is zeker: controleer het op hun site",
        "f_and_more": "en nog {count}",
        "f_referral": _REFERRAL["nl"],
        "f_referral_intermediary": _REFERRAL["nl"] + " " + _VIA_INTERMEDIARY["nl"],
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
        "intermediary": "they find volunteers for every initiative in their area",
        "offer_rules_out": "note, their offer says: '{clause}'",
        "same_meaning": "their offer says in other words what you ask for",
        "named_partner": "you name {partner} in your request yourselves",
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
        "f_apply_early_by": "no fixed deadline known: apply by {date}, so a decision can come before the start",
        "f_apply_business": "apply by {date}, so a decision can come before the start",
        "f_apply_campaign": "start the campaign by {date}: a campaign runs about {weeks} weeks",
        "f_share": "funds and businesses rarely pay for everything: ask at most half here and find the rest elsewhere",
        "f_apply_offer": "this offer runs until {date}",
        "f_rounds_text": "mind their timing: {rounds}",
        "f_penvoerder": "you apply through a fiscal host (penvoerder): a foundation or association that manages the money for you",
        "f_uncertain": "not everything about this is certain: check their website",
        "f_and_more": "and {count} more",
        "f_referral": _REFERRAL["en"],
        "f_referral_intermediary": _REFERRAL["en"] + " " + _VIA_INTERMEDIARY["en"],
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


# The templates above speak to the initiative ("jullie" is the one with the need). A partner
# reads the same reason about its own offer, and a broker about two others: their words, by
# code, where they differ (any code not listed reads as above). Same parameters, so a stored
# reason is written out for whoever reads it.
INITIATIVE, PARTNER, BROKER = "initiative", "partner", "broker"
READER_TEMPLATES: dict[str, dict[str, dict[str, str]]] = {
    PARTNER: {
        "nl": {
            "their_words": "hun '{need_word}' is jullie '{offer_word}'",
            "intermediary": "jullie zoeken vrijwilligers voor elk initiatief in jullie buurt",
            "offer_rules_out": "let op, jullie aanbod zegt: '{clause}'",
            "same_meaning": "jullie aanbod zegt in andere woorden wat zij vragen",
            "named_partner": "zij noemen jullie ({partner}) zelf in hun vraag",
            "related_words": "hun '{need_word}' past bij jullie '{offer_word}'",
            "slot": "{slot}: dan kunnen jullie allebei",
            "slot_more": "{slot}: dan kunnen jullie allebei (en nog {more} dagdelen)",
            "slot_miss": "let op: jullie kunnen {theirs}, zij vragen {yours}",
            "venue_fit": "ruimte voor {capacity}, zij zijn met {people}",
            "volunteer_fit": "jullie {capacity} vrijwilligers, zij zoeken er {people}",
            "volunteer_short": "jullie {capacity} vrijwilligers, minder dan de {people} die zij zoeken",
            "money_fit": "jullie geven EUR {low} tot {high}; zij vragen EUR {amount}",
            "money_part": "jullie dekken EUR {high} van de EUR {amount}; zij zoeken de rest erbij",
            "x_kind": "ander soort hulp: jullie bieden {offer_kind}, zij vragen {need_kind}",
            "x_need_distance": "te ver weg: {km} km, zij willen hoogstens {max} km",
            "x_offer_radius": "buiten jullie werkgebied: {km} km, jullie komen tot {max} km",
            "x_legal_form": "jullie aanbod is alleen voor {forms}; zij zijn een {form}",
            "x_amount_min": "zij vragen EUR {amount}, jullie geven pas vanaf EUR {min}",
            "x_too_small": "te klein: ruimte voor {capacity}, zij zijn met {people}",
            "x_offer_expired": "jullie aanbod liep af op {date}",
            "x_need_expired": "hun vraag liep af op {date}",
            "x_no_kitchen": "zij zoeken een keuken; jullie ruimte heeft er geen",
            "x_not_step_free": "zij zoeken een drempelvrije ruimte; jullie ruimte is het niet",
            "x_same_organisation": "deze vraag is van jullie eigen organisatie",
        },
        "en": {
            "their_words": "their '{need_word}' is your '{offer_word}'",
            "intermediary": "you find volunteers for every initiative in your area",
            "offer_rules_out": "note, your offer says: '{clause}'",
            "same_meaning": "your offer says in other words what they ask for",
            "named_partner": "they name you ({partner}) in their request",
            "related_words": "their '{need_word}' fits your '{offer_word}'",
            "slot": "{slot}: you can both make it",
            "slot_more": "{slot}: you can both make it (and {more} more parts of the week)",
            "slot_miss": "note: you can do {theirs}, they asked for {yours}",
            "venue_fit": "room for {capacity}, they are {people}",
            "volunteer_fit": "your {capacity} volunteers, they are looking for {people}",
            "volunteer_short": "your {capacity} volunteers, fewer than the {people} they are looking for",
            "money_fit": "you give EUR {low} to {high}; they ask EUR {amount}",
            "money_part": "you cover EUR {high} of the EUR {amount}; they find the rest elsewhere",
            "x_kind": "a different kind of help: you offer {offer_kind}, they ask for {need_kind}",
            "x_need_distance": "too far: {km} km, they want at most {max} km",
            "x_offer_radius": "outside your area: {km} km, you cover up to {max} km",
            "x_legal_form": "your offer is only for {forms}; they are an {form}",
            "x_amount_min": "they ask EUR {amount}, you give from EUR {min}",
            "x_too_small": "too small: room for {capacity}, they are {people}",
            "x_offer_expired": "your offer ended on {date}",
            "x_need_expired": "their request ended on {date}",
            "x_no_kitchen": "they need a kitchen; your venue has none",
            "x_not_step_free": "they need a step-free venue; yours is not",
            "x_same_organisation": "this request is from your own organisation",
        },
    },
    BROKER: {
        "nl": {
            "same_words": "allebei noemen ze '{word}'",
            "their_words": "het initiatief zegt '{need_word}', de partner '{offer_word}'",
            "intermediary": "de partner zoekt vrijwilligers voor elk initiatief in zijn buurt",
            "offer_rules_out": "let op, het aanbod van de partner zegt: '{clause}'",
            "same_meaning": "het aanbod zegt in andere woorden wat het initiatief vraagt",
            "named_partner": "het initiatief noemt {partner} zelf in zijn vraag",
            "related_words": "'{need_word}' van het initiatief past bij '{offer_word}' van de partner",
            "slot_miss": "let op: de partner kan {theirs}, het initiatief vraagt {yours}",
            "venue_fit": "ruimte voor {capacity}, het initiatief is met {people}",
            "volunteer_fit": "{capacity} vrijwilligers, het initiatief zoekt er {people}",
            "volunteer_short": "{capacity} vrijwilligers, minder dan de {people} die het initiatief zoekt",
            "money_fit": "geeft EUR {low} tot {high}; het initiatief vraagt EUR {amount}",
            "money_part": "dekt EUR {high} van de EUR {amount}: de rest moet ergens anders vandaan komen",
            "x_kind": "ander soort hulp: de partner biedt {offer_kind}, het initiatief vraagt {need_kind}",
            "x_need_distance": "te ver weg: {km} km, het initiatief wil hoogstens {max} km",
            "x_offer_radius": "buiten het werkgebied van de partner: {km} km, die komt tot {max} km",
            "x_legal_form": "alleen voor {forms}; het initiatief is een {form}",
            "x_amount_min": "het initiatief vraagt EUR {amount}, de partner geeft pas vanaf EUR {min}",
            "x_too_small": "te klein: ruimte voor {capacity}, het initiatief is met {people}",
            "x_need_expired": "de vraag liep af op {date}",
            "x_no_kitchen": "het initiatief zoekt een keuken; deze ruimte heeft er geen",
            "x_not_step_free": "het initiatief zoekt een drempelvrije ruimte; deze is het niet",
            "x_same_organisation": "vraag en aanbod zijn van dezelfde organisatie",
        },
        "en": {
            "same_words": "both mention '{word}'",
            "their_words": "the initiative says '{need_word}', the partner '{offer_word}'",
            "intermediary": "the partner finds volunteers for every initiative in its area",
            "offer_rules_out": "note, the partner's offer says: '{clause}'",
            "same_meaning": "the offer says in other words what the initiative asks for",
            "named_partner": "the initiative names {partner} in its request",
            "related_words": "the initiative's '{need_word}' fits the partner's '{offer_word}'",
            "slot_miss": "note: the partner can do {theirs}, the initiative asked for {yours}",
            "venue_fit": "room for {capacity}, the initiative is {people}",
            "volunteer_fit": "{capacity} volunteers, the initiative is looking for {people}",
            "volunteer_short": "{capacity} volunteers, fewer than the {people} the initiative is looking for",
            "money_fit": "gives EUR {low} to {high}; the initiative asks EUR {amount}",
            "money_part": "covers EUR {high} of the EUR {amount}: the rest must come from elsewhere",
            "x_kind": "a different kind of help: the partner offers {offer_kind}, the initiative asks for {need_kind}",
            "x_need_distance": "too far: {km} km, the initiative wants at most {max} km",
            "x_offer_radius": "outside the partner's area: {km} km, it covers up to {max} km",
            "x_legal_form": "only for {forms}; the initiative is an {form}",
            "x_amount_min": "the initiative asks EUR {amount}, the partner gives from EUR {min}",
            "x_too_small": "too small: room for {capacity}, the initiative is {people}",
            "x_need_expired": "the request ended on {date}",
            "x_no_kitchen": "the initiative needs a kitchen; this venue has none",
            "x_not_step_free": "the initiative needs a step-free venue; this one is not",
            "x_same_organisation": "the request and the offer are from the same organisation",
        },
    },
}
READERS = (INITIATIVE, PARTNER, BROKER)


# The parameters of every code, each with the kind of value it holds; the kind says how it is
# written in each language (see _FORMATS). Templates and this table name the same parameters
# (tests/unit/test_reasons.py holds them equal).
PARAMS: dict[str, dict[str, str]] = {
    LEGACY: {"nl": "text", "en": "text"},
    "same_words": {"word": "text"},
    "their_words": {"need_word": "text", "offer_word": "text"},
    "related_words": {"need_word": "text", "offer_word": "text"},
    "around_corner": {},
    "intermediary": {},
    "offer_rules_out": {"clause": "text"},
    "same_meaning": {},
    "named_partner": {"partner": "text"},
    "distance": {"km": "km"},
    "slot": {"slot": "slot"},
    "slot_more": {"slot": "slot", "more": "count"},
    "slot_miss": {"theirs": "slots", "yours": "slots"},
    "venue_fit": {"capacity": "count", "people": "count"},
    "volunteer_fit": {"capacity": "count", "people": "count"},
    "volunteer_short": {"capacity": "count", "people": "count"},
    "money_fit": {"low": "euro", "high": "euro", "amount": "euro"},
    "money_part": {"high": "euro", "amount": "euro"},
    "condition": {"condition": "condition"},
    "x_kind": {"offer_kind": "kind", "need_kind": "kind"},
    "x_need_distance": {"km": "km", "max": "km"},
    "x_offer_radius": {"km": "km", "max": "km"},
    "x_legal_form": {"forms": "legal_forms", "form": "legal_form"},
    "x_amount_min": {"amount": "euro", "min": "euro"},
    "x_too_small": {"capacity": "count", "people": "count"},
    "x_offer_expired": {"date": "date"},
    "x_need_expired": {"date": "date"},
    "x_no_kitchen": {},
    "x_not_step_free": {},
    "x_same_organisation": {},
    "f_reach_municipality": {"place": "text"},
    "f_reach_province": {"place": "text"},
    "f_reach_national": {},
    "f_theme_direct": {"themes": "terms"},
    "f_theme_related": {"themes": "terms"},
    "f_theme_general": {},
    "f_ask_range": {"amount": "euro", "min": "euro", "max": "euro"},
    "f_ask_up_to": {"amount": "euro", "max": "euro"},
    "f_ask_from": {"amount": "euro", "min": "euro"},
    "f_ask_unknown": {"amount": "euro"},
    "f_crowd": {"amount": "euro"},
    "f_match": {"ratio": "ratio", "cap": "euro", "amount": "euro", "crowd": "euro"},
    "f_match_no_cap": {"ratio": "ratio", "amount": "euro", "crowd": "euro"},
    "f_business": {},
    "f_apply_round": {"date": "date"},
    "f_apply_lead": {"date": "date", "weeks": "weeks"},
    "f_apply_decision": {"date": "date", "weeks": "weeks"},
    "f_apply_early": {},
    "f_apply_early_by": {"date": "date"},
    "f_apply_business": {"date": "date"},
    "f_apply_campaign": {"date": "date", "weeks": "weeks"},
    "f_share": {},
    "f_apply_offer": {"date": "date"},
    "f_rounds_text": {"rounds": "rounds"},
    "f_penvoerder": {},
    "f_uncertain": {},
    "f_and_more": {"count": "count"},
    "f_referral": {},
    "f_referral_intermediary": {},
    "f_x_anbi": {},
    "f_x_region": {"regions": "places", "place": "text"},
    "f_x_region_unknown": {"regions": "places"},
    "f_x_lead_time": {"lead": "weeks", "weeks": "weeks"},
    "f_x_decision": {"decision": "weeks", "weeks": "weeks"},
    "f_x_round": {"date": "date", "start": "date"},
    "f_x_target_group": {"groups": "terms"},
    "f_x_theme": {"themes": "terms"},
    "f_x_not_chosen": {},
    "f_x_not_chosen_min": {"min": "euro"},
    "f_x_not_used": {},
    "f_x_one_campaign": {},
    "f_x_no_campaign": {},
    "f_plan_start": {"date": "date", "weeks": "weeks"},
    "f_plan_region_unknown": {},
    "f_plan_covered_one": {"amount": "euro"},
    "f_plan_covered_many": {"amount": "euro", "count": "count"},
    "f_plan_partial": {"covered": "euro", "amount": "euro"},
    "f_plan_none": {},
    "f_plan_missing": {"missing": "euro"},
    "f_plan_missing_tip": {},
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


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _slot(value) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) for n in value)
        and 0 <= value[0] < 7
        and 0 <= value[1] < 3
    )


def _iso_date(value) -> bool:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


# What a parameter of each kind must hold: plain JSON (what a JSON column gives back
# unchanged), never null or NaN, so no sentence can say "None" or "nan".
_VALID: dict[str, Callable[[object], bool]] = {
    "text": lambda value: isinstance(value, str),
    "count": _number,
    "km": _number,
    "euro": _number,
    "weeks": _number,
    "ratio": _number,
    "date": _iso_date,
    "slot": _slot,
    "slots": lambda value: isinstance(value, list) and all(_slot(s) for s in value),
    "kind": lambda value: isinstance(value, str),
    "legal_form": lambda value: isinstance(value, str),
    "legal_forms": _strings,
    "condition": lambda value: isinstance(value, str),
    "terms": lambda value: (
        isinstance(value, list)
        and all(
            isinstance(item, dict) and all(isinstance(item.get(lang), str) for lang in LANGUAGES)
            for item in value
        )
    ),
    "places": _strings,
    "rounds": _strings,
}


@dataclass(frozen=True)
class Reason:
    """Why, as a code and its parameters (plain JSON values); `render` makes the sentence."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self):
        expected = PARAMS.get(self.code)
        if expected is None:
            raise ValueError(f"unknown reason code {self.code!r}")
        if set(self.params) != set(expected):
            raise ValueError(
                f"reason {self.code!r} takes {sorted(expected)}, not {sorted(self.params)}"
            )
        for name, kind in expected.items():
            if not _VALID[kind](self.params[name]):
                raise ValueError(f"reason {self.code!r}: {name}={self.params[name]!r} is no {kind}")

    def to_data(self) -> dict:
        return {"code": self.code, "params": dict(self.params)}


def legacy(nl: str, en: str = "") -> Reason:
    """A sentence stored before codes; an empty side shows the other language."""
    return Reason(LEGACY, {"nl": nl, "en": en})


# --- writing values per language -----------------------------------------------------------


def km(value: float, lang: str) -> str:
    return format_number(value, lang_of(lang), 1)


def euro(value: float, lang: str) -> str:
    return format_number(value, lang_of(lang), 0 if float(value).is_integer() else 2)


def day(value: date, lang: str) -> str:
    return value.strftime("%d-%m-%Y") if lang_of(lang) == "nl" else value.isoformat()


def weeks(value: float, lang: str) -> str:
    rounded = round(value, 1)
    return format_number(rounded, lang_of(lang), 0 if float(rounded).is_integer() else 1)


def legal_forms(forms: Iterable[str], lang: str) -> str:
    words = LEGAL_FORM_WORDS[lang_of(lang)]
    joiner = " of " if lang_of(lang) == "nl" else " or "
    return joiner.join(words.get(f, f) for f in sorted(forms))


def term(nl: str, en: str) -> dict[str, str]:
    """A word shown in each language, as a parameter of kind "terms" (a fund's theme)."""
    return {"nl": nl, "en": en}


def _terms(items: Sequence[Mapping[str, str]], lang: str) -> str:
    shown: list[str] = []
    for item in items:
        word = item.get(lang) or item.get("nl", "")
        if word not in shown:  # two themes may have one English word
            shown.append(word)
    return ", ".join(shown)


def _places(names: Sequence[str], lang: str) -> str:
    if len(names) <= MAX_PLACES_SHOWN + 1:
        return ", ".join(names)
    more = TEMPLATES[lang]["f_and_more"].format(count=len(names) - MAX_PLACES_SHOWN)
    return f"{', '.join(names[:MAX_PLACES_SHOWN])} {more}"


_FORMATS: dict[str, Callable[[object, str], str]] = {
    "text": lambda value, lang: str(value),
    "count": lambda value, lang: str(value),
    "km": km,
    "euro": euro,
    "weeks": weeks,
    "ratio": lambda value, lang: format_number(value, lang, 0 if float(value).is_integer() else 2),
    "date": lambda value, lang: day(date.fromisoformat(value), lang),
    "slot": lambda value, lang: format_slot(tuple(value), lang),
    "slots": lambda value, lang: ", ".join(format_slot(tuple(s), lang) for s in value),
    "kind": lambda value, lang: KIND_WORDS[lang].get(value, value),
    "legal_form": lambda value, lang: LEGAL_FORM_WORDS[lang].get(value, value),
    "legal_forms": legal_forms,
    "condition": lambda value, lang: CONDITION_WORDS[lang].get(value, value),
    "terms": _terms,
    "places": _places,
    "rounds": lambda value, lang: "; ".join(value),
}


# --- rendering -------------------------------------------------------------------------------


def render(reason: Reason, lang: str, reader: str = INITIATIVE) -> str:
    """The sentence for one reason in `lang` (nl or en; anything else gives Dutch), written
    for `reader`: the initiative (the default), the partner, or a broker (READERS)."""
    lang = lang_of(lang)
    if reason.code == LEGACY:
        other = "nl" if lang == "en" else "en"
        return str(reason.params[lang] or reason.params[other])
    values = {
        name: _FORMATS[kind](reason.params[name], lang)
        for name, kind in PARAMS[reason.code].items()
    }
    # The template is fixed; values (user text among them) are only ever filled in.
    template = READER_TEMPLATES.get(reader, {}).get(lang, {}).get(reason.code)
    return (template or TEMPLATES[lang][reason.code]).format_map(values)


def render_all(reasons: Iterable[Reason], lang: str, reader: str = INITIATIVE) -> list[str]:
    return [render(reason, lang, reader) for reason in reasons]


def template_fields(code: str, lang: str, reader: str = INITIATIVE) -> set[str]:
    """The parameters a template fills in (for the test that holds them equal to PARAMS)."""
    template = READER_TEMPLATES.get(reader, {}).get(lang, {}).get(code) or TEMPLATES[lang][code]
    return {name for _, name, _, _ in Formatter().parse(template) if name}


# --- storing ---------------------------------------------------------------------------------


def to_data(reasons: Iterable[Reason]) -> list[dict]:
    """Reasons as a JSON column stores them: [{"code": ..., "params": {...}}, ...]."""
    return [reason.to_data() for reason in reasons]


def from_data(data) -> list[Reason]:
    """Stored reasons back as `Reason`s. A bare string (a sentence, as stored before codes)
    reads as a legacy sentence; an entry this version cannot read or write out (a code from a
    newer version, a value of the wrong type) is left out rather than breaking the page that
    shows the rest."""
    found: list[Reason] = []
    for item in data if isinstance(data, list) else []:
        if isinstance(item, str):
            found.append(legacy(item))
            continue
        try:
            found.append(Reason(item["code"], item.get("params") or {}))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return found


def render_stored(data, lang: str, reader: str = INITIATIVE) -> list[str]:
    """Stored reasons (a JSON column's value) as sentences in the reader's language, for
    `reader` (READERS)."""
    return render_all(from_data(data), lang, reader)
