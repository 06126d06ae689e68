"""Reasons as codes with parameters: every code has a Dutch and an English template, values
are written per language when shown, user text only fills a template, and what is stored
comes back as it went in."""

from __future__ import annotations

import json
import math
import re
from datetime import date, timedelta

import pytest

from samenspel.matching import reasons as r
from samenspel.matching.csvformat import parse_needs, parse_offers
from samenspel.matching.engine import Engine
from samenspel.matching.funding import plan_funding
from samenspel.matching.funds import load_catalogue
from samenspel.matching.reasons import Reason, from_data, legacy, render, render_all, to_data
from samenspel.matching.types import Exclusion
from samenspel.paths import DATA_DIR

# One value of every parameter kind, for rendering every code.
SAMPLE = {
    "text": "Buurtkeuken De Pan",
    "count": 3,
    "km": 1.2,
    "euro": 1500.5,
    "weeks": 6.25,
    "ratio": 1.5,
    "date": "2027-03-01",
    "slot": [1, 2],
    "slots": [[1, 2], [5, 0]],
    "kind": "venue",
    "legal_form": "foundation",
    "legal_forms": ["association", "foundation"],
    "condition": "cohesion",
    "terms": [r.term("kinderen", "children"), r.term("eten", "food")],
    "places": ["Den Haag", "Delft", "Leiden", "Zoetermeer", "Rijswijk", "Wassenaar"],
    "rounds": ["1 feb", "1 mei"],
}


def sample(code: str) -> Reason:
    return Reason(code, {name: SAMPLE[kind] for name, kind in r.PARAMS[code].items()})


BROKEN = re.compile(r"\bNone\b|\bnan\b|\binf\b|[{}\[\]]|^\s*$")  # not "financiering"


def looks_broken(sentence: str) -> bool:
    return BROKEN.search(sentence) is not None


def test_every_code_has_a_template_in_both_languages_with_exactly_its_parameters():
    codes = set(r.PARAMS) - {r.LEGACY}
    for lang in r.LANGUAGES:
        assert set(r.TEMPLATES[lang]) == codes, lang
        for code in codes:
            for reader in r.READERS:
                fields = r.template_fields(code, lang, reader)
                assert fields == set(r.PARAMS[code]), (code, lang, reader)
    for reader, templates in r.READER_TEMPLATES.items():
        assert set(templates) == set(r.LANGUAGES), reader
        assert set(templates["nl"]) == set(templates["en"]), reader
        assert set(templates["nl"]) <= codes, reader
    assert set(r._FORMATS) == set(r._VALID) == {k for p in r.PARAMS.values() for k in p.values()}


@pytest.mark.parametrize("code", sorted(r.PARAMS))
def test_every_code_renders_in_dutch_and_in_english(code):
    reason = sample(code)
    dutch, english = render(reason, "nl"), render(reason, "en")
    assert not looks_broken(dutch) and not looks_broken(english), (dutch, english)
    if code != r.LEGACY and r.TEMPLATES["nl"][code] != r.TEMPLATES["en"][code]:
        assert dutch != english


@pytest.mark.parametrize(
    "reason, dutch, english",
    [
        (Reason("distance", {"km": 1.2}), "1,2 km verderop", "1.2 km away"),
        (Reason("distance", {"km": 12}), "12,0 km verderop", "12.0 km away"),
        (
            Reason("money_fit", {"low": 0, "high": 2500, "amount": 1234.5}),
            "geeft EUR 0 tot 2.500; jullie vragen EUR 1.234,50",
            "gives EUR 0 to 2,500; you ask EUR 1,234.50",
        ),
        (
            Reason("x_offer_expired", {"date": "2025-03-01"}),
            "dit aanbod liep af op 01-03-2025",
            "this offer ended on 2025-03-01",
        ),
        (
            Reason("slot_more", {"slot": [1, 2], "more": 2}),
            "dinsdagavond beschikbaar (en nog 2 dagdelen)",
            "available Tuesday evening (and 2 more parts of the week)",
        ),
        (
            Reason("x_legal_form", {"forms": ["foundation", "association"], "form": "informal"}),
            "alleen voor vereniging of stichting; jullie zijn een informele groep",
            "only for association or foundation; you are an informal group",
        ),
        (
            Reason("f_x_lead_time", {"lead": 17, "weeks": 6.0}),
            "vraagt 17 weken voorbereiding; jullie starten over 6 weken",
            "needs 17 weeks of preparation; you start in 6 weeks",
        ),
        (
            Reason("f_plan_start", {"date": "2027-09-01", "weeks": 69.71428571428571}),
            "Jullie starten op 01-09-2027, over 69,7 weken.",
            "You start on 2027-09-01, in 69.7 weeks.",
        ),
        (
            Reason("f_x_region_unknown", {"regions": SAMPLE["places"]}),
            "alleen voor Den Haag, Delft, Leiden en nog 3; we weten niet waar jullie zitten",
            "only for Den Haag, Delft, Leiden and 3 more; we do not know where you are",
        ),
        (
            Reason("f_theme_direct", {"themes": [r.term("eten", "food"), r.term("koken", "food")]}),
            "past bij jullie onderwerp: eten, koken",
            "fits your topic: food",  # one English word for two themes, shown once
        ),
        (Reason("condition", {"condition": "cohesion"}), "beide werken aan verbindingen",
         "both work on connections"),
    ],
)  # fmt: skip
def test_numbers_dates_and_words_are_written_per_language_at_render_time(reason, dutch, english):
    assert (render(reason, "nl"), render(reason, "en")) == (dutch, english)


def test_another_language_code_gets_dutch():
    assert render(Reason("distance", {"km": 1.2}), "de") == "1,2 km verderop"


@pytest.mark.parametrize("typed", ["{0}", "{word}", "{__class__}", "{km:>99}", "%s", "}{"])
def test_user_text_fills_a_template_and_is_never_read_as_one(typed):
    reason = Reason("their_words", {"need_word": typed, "offer_word": "{offer_word}"})
    assert render(reason, "nl") == f"jullie '{typed}' is hun '{{offer_word}}'"
    assert render(legacy(typed), "en") == typed


@pytest.mark.parametrize(
    "code, params",
    [
        ("no_such_code", {}),
        ("distance", {}),  # missing
        ("distance", {"km": 1.0, "extra": 2}),  # one too many
        ("distance", {"km": None}),
        ("distance", {"km": math.nan}),
        ("distance", {"km": "1,2"}),
        ("distance", {"km": True}),
        ("slot", {"slot": (1, 2)}),  # a tuple is not what JSON gives back
        ("slot", {"slot": [7, 0]}),
        ("x_need_expired", {"date": date(2026, 1, 1)}),
        ("x_need_expired", {"date": "1 januari"}),
        ("same_words", {"word": 3}),
        ("f_theme_direct", {"themes": ["eten"]}),
        ("f_x_region", {"regions": "Utrecht", "place": "Utrecht"}),
    ],
)
def test_a_reason_holds_only_plain_json_of_the_right_kind(code, params):
    with pytest.raises(ValueError):
        Reason(code, params)


def test_stored_reasons_come_back_as_they_went_in():
    reasons = [sample(code) for code in sorted(r.PARAMS)]
    stored = json.loads(json.dumps(to_data(reasons)))  # what a JSON column gives back
    assert from_data(stored) == reasons
    assert stored[0] == {"code": sorted(r.PARAMS)[0], "params": dict(reasons[0].params)}


def test_reading_stored_reasons_keeps_what_it_can_and_never_fails():
    stored = [
        "een zin van vroeger",
        {"code": "distance", "params": {"km": 0.4}},
        {"code": "from_a_newer_version", "params": {}},
        {"code": "distance", "params": {"km": "ver"}},
        {"params": {}},
        17,
        None,
    ]
    assert r.render_stored(stored, "nl") == ["een zin van vroeger", "0,4 km verderop"]
    assert r.render_stored(stored, "en") == ["een zin van vroeger", "0.4 km away"]
    assert r.render_stored(None, "en") == [] and r.render_stored({}, "en") == []


def test_a_legacy_sentence_shows_the_readers_language_or_else_the_other():
    both = legacy("ruimte voor 40, jullie zijn met 30", "room for 40, you are 30")
    assert render(both, "nl") == "ruimte voor 40, jullie zijn met 30"
    assert render(both, "en") == "room for 40, you are 30"
    only_dutch = legacy("ruimte voor 40, jullie zijn met 30")
    assert render(only_dutch, "en") == "ruimte voor 40, jullie zijn met 30"


def demo():
    needs, _ = parse_needs((DATA_DIR / "demo" / "needs.csv").read_bytes())
    offers, _ = parse_offers((DATA_DIR / "demo" / "offers.csv").read_bytes())
    return needs, offers


def test_every_reason_the_engine_gives_on_the_demo_city_is_stored_and_written_in_both():
    needs, offers = demo()
    engine = Engine(offers, today=date(2026, 11, 25))
    seen: set[str] = set()
    for result in engine.suggest(needs, top_k=10):
        for suggestion in result.suggestions:
            stored = json.loads(json.dumps(to_data(suggestion.reasons)))
            assert from_data(stored) == suggestion.reasons
            for lang in r.LANGUAGES:
                assert not any(map(looks_broken, render_all(suggestion.reasons, lang)))
            seen |= {reason.code for reason in suggestion.reasons}
    for need in needs[:20]:
        for offer in offers:
            result = engine.explain(need, offer.id)
            if isinstance(result, Exclusion):  # the reason why not
                for lang in r.LANGUAGES:
                    assert not looks_broken(render(result.reason, lang))
                seen.add(result.reason.code)
    assert {"distance", "venue_fit", "slot", "x_kind", "x_legal_form"} <= seen


def test_every_sentence_of_a_funding_plan_is_written_in_both_languages():
    needs, offers = demo()
    money = [n for n in needs if n.kind == "money" and n.amount_eur]
    catalogue = load_catalogue()
    today = date(2026, 11, 25)
    for need in money:
        for start in (None, today + timedelta(weeks=3)):
            plan = plan_funding(need, catalogue, offers, today=today, start=start)
            reasons = [
                *plan.summary,
                *(reason for line in plan.lines for reason in line.reasons),
                *(item.reason for item in plan.excluded),
                *(also.reason for item in plan.excluded for also in item.also),
                *(referral.reason for referral in plan.referrals),
            ]
            for lang in r.LANGUAGES:
                assert not any(map(looks_broken, render_all(reasons, lang)))


MATCH_CODES = sorted(c for c in r.PARAMS if c != r.LEGACY and not c.startswith("f_"))


@pytest.mark.parametrize("code", MATCH_CODES)
def test_every_match_reason_speaks_to_its_reader(code):
    """ "jullie" is always the reader: a broker reads neither side as "jullie", and where a
    sentence names a side, the partner reads its own side as "jullie"."""
    reason = sample(code)
    for reader in r.READERS:
        for lang in r.LANGUAGES:
            assert not looks_broken(render(reason, lang, reader)), (code, reader, lang)
    assert "jullie" not in render(reason, "nl", r.BROKER).split()
    assert not {"you", "your"} & set(render(reason, "en", r.BROKER).replace(";", " ").split())
    if code in ("venue_fit", "x_kind", "money_fit", "x_no_kitchen"):
        assert render(reason, "nl", r.PARTNER) != render(reason, "nl", r.INITIATIVE)
