"""Funding plans: the issue's acceptance against the real catalogue, and the rules on small
catalogues made here (matchfunding, timing, region, theme, amounts)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from samenspel.matching.funding import LINE_KINDS, FundingPlan, next_round_date, plan_funding
from samenspel.matching.funds import CatalogueError, FundIn, load_catalogue, parse_catalogue
from samenspel.matching.geo import Region, region_of
from samenspel.matching.reasons import euro, render, render_all
from samenspel.matching.types import NeedIn, OfferIn

TODAY = date(2026, 11, 25)
UTRECHT = dict(lat=52.09, lon=5.12)
DEN_HAAG = dict(lat=52.08, lon=4.30)
NOWHERE = dict(lat=None, lon=None)
CATALOGUE = load_catalogue()
BY_ID = {fund.id: fund for fund in CATALOGUE}
MUNICIPAL = {fund.id for fund in CATALOGUE if fund.source_type == "municipal"}
PENVOERDER_WORDS = "via een penvoerder"


def money_need(**fields) -> NeedIn:
    base = dict(
        id="geld",
        kind="money",
        title="Buurtmaaltijd in de wijk",
        description="Samen koken en eten met buren",
        themes=("eten", "ontmoeting"),
        legal_form="informal",
        amount_eur=1200,
        **UTRECHT,
    )
    return NeedIn(**{**base, **fields})


def fund(fund_id: str = "f", **fields) -> FundIn:
    base = dict(name=fund_id.capitalize(), eligible_legal_forms=("informal", "foundation"))
    return FundIn(id=fund_id, **{**base, **fields})


def platform(fund_id: str = "crowd", **fields) -> FundIn:
    return fund(fund_id, source_type="crowdfunding", themes=("buurt",), **fields)


def pot(fund_id: str = "pot", *, ratio: float, cap: float | None, **fields) -> FundIn:
    return fund(
        fund_id,
        source_type="crowdfunding",
        themes=("buurt",),
        matchfunding_ratio=ratio,
        matchfunding_cap_eur=cap,
        **fields,
    )


def business_offer(**fields) -> OfferIn:
    base = dict(
        id="bakker",
        kind="money",
        title="Bijdrage aan buurtprojecten",
        partner="Bakkerij De Korst",
        partner_type="business",
        lat=52.095,
        lon=5.115,
        radius_km=5,
        amount_max_eur=1200,
    )
    return OfferIn(**{**base, **fields})


def plan(need: NeedIn, funds=CATALOGUE, offers=(), **options) -> FundingPlan:
    return plan_funding(need, list(funds), list(offers), today=TODAY, **options)


def without(*fund_ids: str) -> list[FundIn]:
    return [f for f in CATALOGUE if f.id not in set(fund_ids)]


def amounts(result: FundingPlan) -> dict[str, float]:
    return {line.source_id: line.amount for line in result.lines}


def excluded(result: FundingPlan, lang: str = "nl") -> dict[str, tuple[str, str]]:
    return {e.source_id: (e.code, render(e.reason, lang)) for e in result.excluded}


def said(reasons, lang: str = "nl") -> list[str]:
    return render_all(reasons, lang)


# --- acceptance 1: an informal group asking EUR 1,200 in Utrecht ---------------------------


@pytest.mark.parametrize(
    "left_out, offers, expected",
    [
        ((), (), {"utrecht-initiatievenfonds": 1200}),
        (("utrecht-initiatievenfonds",), (), {"kfhein-buurtinitiatief": 1200}),
        (("utrecht-initiatievenfonds",), (business_offer(),), {"bakker": 1200}),
        (
            ("utrecht-initiatievenfonds",),
            (business_offer(amount_max_eur=500),),
            {"kfhein-buurtinitiatief": 1200},
        ),
        (
            ("utrecht-initiatievenfonds", "kfhein-buurtinitiatief"),
            (business_offer(amount_max_eur=500),),
            {"postcodeloterij-buurtfonds": 1200},
        ),
        (
            (
                "utrecht-initiatievenfonds",
                "kfhein-buurtinitiatief",
                "postcodeloterij-buurtfonds",
                "oranjefonds-burendag",
            ),
            (business_offer(amount_max_eur=500),),
            {"bakker": 500, "voorjebuurt-utrecht-stadsie": 700},
        ),
    ],
)
def test_an_informal_group_in_utrecht_never_gets_a_fund_that_requires_a_stichting(
    left_out, offers, expected
):
    result = plan(money_need(), without(*left_out), offers)
    assert amounts(result) == expected
    for line in result.lines:
        if line.kind == "business":
            continue
        source = BY_ID[line.source_id]
        if "informal" not in source.eligible_legal_forms:
            assert source.via_intermediary, line.source_id
            assert any(PENVOERDER_WORDS in reason for reason in said(line.reasons))


def test_the_informal_group_in_utrecht_gets_municipal_money_hein_crowdfunding_or_a_business():
    result = plan(money_need(), offers=[business_offer()])
    allowed = {"utrecht-initiatievenfonds", "kfhein-buurtinitiatief", "bakker"}
    allowed |= {f.id for f in CATALOGUE if f.source_type == "crowdfunding"}
    assert result.lines and {line.source_id for line in result.lines} <= allowed
    assert result.missing == 0


def test_every_fund_only_for_legal_entities_is_excluded_for_an_informal_group_with_the_reason():
    result = plan(money_need())
    needs_entity = [
        f.id
        for f in CATALOGUE
        if f.eligible_legal_forms
        and "informal" not in f.eligible_legal_forms
        and not f.via_intermediary
        and not f.is_referral
    ]
    assert len(needs_entity) >= 15
    for fund_id in needs_entity:
        code, reason = excluded(result)[fund_id]
        assert code == "legal_form" and "jullie zijn een informele groep" in reason


# --- acceptance 2: a stichting asking EUR 8,000, starting in 6 weeks -----------------------


@pytest.mark.parametrize(
    "funds",
    [CATALOGUE, without(*MUNICIPAL), without(*MUNICIPAL, "oranjefonds", "kansfonds")],
    ids=["whole catalogue", "no municipal budget", "no municipal budget, Oranje or Kans"],
)
def test_a_stichting_starting_in_six_weeks_gets_no_fund_that_needs_four_months(funds):
    need = money_need(
        legal_form="foundation", amount_eur=8000, themes=("eten", "ontmoeting", "armoede")
    )
    result = plan(need, funds, start=TODAY + timedelta(weeks=6))
    assert result.covered == 8000
    for line in result.lines:
        assert (BY_ID[line.source_id].lead_time_weeks or 0) <= 6
        assert (BY_ID[line.source_id].decision_weeks or 0) <= 6
    for fund_id in ("vsbfonds", "fonds21", "doen"):
        code, reason = excluded(result)[fund_id]
        assert code == "lead_time"
        assert reason == "vraagt 17 weken voorbereiding; jullie starten over 6 weken"


@pytest.mark.parametrize(
    "weeks_to_start, fields, code, words",
    [
        (5, dict(lead_time_weeks=6), "lead_time", "vraagt 6 weken voorbereiding"),
        (6, dict(lead_time_weeks=6), None, "vraag het uiterlijk 25-11-2026 aan"),
        (9, dict(lead_time_weeks=6), None, "vraag het uiterlijk 16-12-2026 aan"),
        (8, dict(decision_weeks=10), "lead_time", "hun besluit duurt 10 weken"),
        (12, dict(decision_weeks=10), None, "vraag het uiterlijk 09-12-2026 aan"),
        (
            8,
            dict(rounds=("1 feb", "1 mei"), decision_weeks=2),
            "lead_time",
            "de volgende ronde is 01-02-2027",
        ),
        (
            20,
            dict(rounds=("1 feb", "1 mei"), decision_weeks=2),
            None,
            "stuur je aanvraag in voor de ronde van 01-02-2027",
        ),
        (2, dict(rounds=("doorlopend",)), None, "let op hun termijn: doorlopend"),
    ],
)
def test_timing_is_checked_against_the_start_date(weeks_to_start, fields, code, words):
    source = fund(themes=("buurt",), amount_max_eur=5000, **fields)
    result = plan(money_need(), [source], start=TODAY + timedelta(weeks=weeks_to_start))
    if code is None:
        (line,) = result.lines
        assert any(words in reason for reason in said(line.reasons)), said(line.reasons)
    else:
        assert result.lines == []
        assert excluded(result)["f"][0] == code
        assert words in excluded(result)["f"][1]


def test_apply_by_is_the_next_round_or_the_start_minus_the_lead_time():
    start = TODAY + timedelta(weeks=20)
    rounds = fund("rounds", rounds=("1 feb", "1 mei"), amount_max_eur=600, themes=("buurt",))
    lead = fund("lead", lead_time_weeks=6, amount_max_eur=600, themes=("buurt",))
    result = plan(money_need(), [rounds, lead], start=start)
    apply_by = {line.source_id: line.apply_by for line in result.lines}
    assert apply_by == {"rounds": date(2027, 2, 1), "lead": start - timedelta(weeks=6)}


# --- acceptance 3 and 4: never above a maximum; covered or exactly what is missing ----------

SMALL_CATALOGUE = [
    fund("a", amount_min_eur=250, amount_max_eur=1500, themes=("buurt",)),
    fund("b", amount_max_eur=350, themes=("ontmoeting",)),
    fund("c", amount_min_eur=1000, amount_max_eur=5000, themes=("eten", "armoede")),
]
GRID_AMOUNTS = (50, 200, 349.99, 1200, 1800.55, 5000, 8000, 25000, 60000)
GRID_FORMS = ("informal", "association", "foundation", "company", "public")
GRID_PLACES = {"Utrecht": UTRECHT, "Den Haag": DEN_HAAG, "unknown": NOWHERE}


def limits(source: FundIn, need_amount: float) -> tuple[float, float]:
    most = (
        source.matchfunding_cap_eur or source.amount_max_eur
        if source.is_matchfunding
        else source.amount_max_eur
    )
    most = need_amount if most is None else most
    # Realistic, not maximal: above EUR 2,500 a fund or business is asked at most half.
    if source.source_type in ("fund", "business") and need_amount > 2500:
        most = min(most, need_amount / 2)
    return source.amount_min_eur or 0.0, most


def assert_plan_is_consistent(result: FundingPlan, funds: list[FundIn], need_amount: float):
    by_id = {f.id: f for f in funds}
    for line in result.lines:
        assert line.kind in LINE_KINDS
        low, high = limits(by_id[line.source_id], need_amount)
        assert 0 < line.amount <= high and line.amount >= low, line
        assert line.amount <= need_amount
    assert round(sum(line.amount for line in result.lines), 2) == result.covered
    assert round(result.covered + result.missing, 2) == round(need_amount, 2)
    assert result.missing >= 0
    for line in result.lines:  # actionable: a date by which it can be decided, and where
        assert line.apply_by is not None and TODAY <= line.apply_by <= result.start, line
        if funds is CATALOGUE and line.kind != "business":
            assert line.url.startswith("https://"), line
    missing_sentence = f"Er ontbreekt nog EUR {euro(result.missing, 'nl')}."
    assert (missing_sentence in said(result.summary)) == (result.missing > 0)
    # Every catalogue entry is in exactly one place: a line, a referral, or excluded.
    placed = (
        [line.source_id for line in result.lines]
        + [ref.source_id for ref in result.referrals]
        + [e.source_id for e in result.excluded]
    )
    assert sorted(placed) == sorted(by_id)


@pytest.mark.parametrize(
    "amount, legal_form, place",
    list(itertools.product(GRID_AMOUNTS, GRID_FORMS, GRID_PLACES)),
)
def test_real_catalogue_plans_stay_within_limits_and_add_up(amount, legal_form, place):
    need = money_need(amount_eur=amount, legal_form=legal_form, **GRID_PLACES[place])
    assert_plan_is_consistent(plan(need), CATALOGUE, amount)


def best_coverage(funds: list[FundIn], amount: float) -> float:
    """Brute force: the most any subset can pay within every minimum and maximum."""
    best = 0.0
    for size in range(len(funds) + 1):
        for subset in itertools.combinations(funds, size):
            low = sum(limits(f, amount)[0] for f in subset)
            high = sum(limits(f, amount)[1] for f in subset)
            if low <= amount:
                best = max(best, min(amount, high))
    return round(best, 2)


@pytest.mark.parametrize("amount", GRID_AMOUNTS + (240, 260, 1100, 6850, 6851))
def test_a_plan_covers_the_most_the_sources_allow_and_names_the_rest(amount):
    result = plan(money_need(amount_eur=amount), SMALL_CATALOGUE)
    assert_plan_is_consistent(result, SMALL_CATALOGUE, amount)
    assert result.covered == best_coverage(SMALL_CATALOGUE, amount)


def test_a_source_is_asked_nothing_or_at_least_its_minimum():
    local = fund("local", amount_max_eur=1000, region_scope="municipality", regions=("Utrecht",))
    national = fund("national", amount_min_eur=1000, amount_max_eur=1200, themes=("eten",))
    result = plan(money_need(amount_eur=1500), [local, national])
    # The local source would rather give its whole 1,000, but then the national one would be
    # asked 500, below its minimum.
    assert amounts(result) == {"national": 1000, "local": 500}


def test_the_plan_says_exactly_how_much_is_missing():
    result = plan(money_need(amount_eur=1200), [fund(amount_max_eur=900, themes=("buurt",))])
    assert (result.covered, result.missing) == (900, 300)
    assert "Er ontbreekt nog EUR 300." in said(result.summary)


def test_an_unknown_maximum_counts_as_the_whole_amount_and_the_line_says_so():
    result = plan(money_need(amount_eur=2500), [fund(themes=("buurt",))])
    (line,) = result.lines
    assert line.amount == 2500
    assert "hun bedragen kennen we niet" in said(line.reasons)[2]


# --- crowdfunding and matchfunding --------------------------------------------------------


@pytest.mark.parametrize(
    "amount, ratio, cap, crowd, match",
    [
        (800, 1, 500, 400, 400),  # 1:1 below the cap: half and half
        (1400, 1, 500, 900, 500),  # the cap is reached: the crowd raises the rest
        (1500, 0.5, 1000, 1000, 500),  # 50 cents per crowd euro
        (3000, 0.5, 400, 2600, 400),
        (60, 1, 500, 30, 30),  # even a little matchfunding is taken
    ],
)
def test_matchfunding_adds_ratio_times_the_crowd_money_up_to_its_cap(
    amount, ratio, cap, crowd, match
):
    funds = [platform(), pot(ratio=ratio, cap=cap)]
    result = plan(money_need(amount_eur=amount), funds)
    assert amounts(result) == {"crowd": crowd, "pot": match}
    assert [line.kind for line in result.lines] == ["crowdfunding", "matchfunding"]
    assert result.covered == amount
    match_sentence = next(r for r in said(result.lines[1].reasons) if r.startswith("matchfunding"))
    assert f"EUR {euro(match, 'nl')} bij jullie crowdfunding van EUR {euro(crowd, 'nl')}" in (
        match_sentence
    )


def test_two_pots_never_match_the_same_crowd_euro():
    funds = [platform(), pot("pot1", ratio=1, cap=300), pot("pot2", ratio=1, cap=300)]
    result = plan(money_need(amount_eur=1000), funds)
    crowd = amounts(result)["crowd"]
    matched = amounts(result).get("pot1", 0) + amounts(result).get("pot2", 0)
    assert (crowd, matched) == (500, 500)


@pytest.mark.parametrize(
    "funds",
    [
        [pot(ratio=1, cap=500)],
        [platform(region_scope="municipality", regions=("Zwolle",)), pot(ratio=1, cap=500)],
    ],
    ids=["no platform", "platform elsewhere"],
)
def test_a_matchfunding_pot_is_never_used_without_crowd_money(funds):
    result = plan(money_need(amount_eur=800), funds)
    assert result.lines == [] and result.missing == 800
    assert excluded(result)["pot"][0] == "no_campaign"


def test_one_crowdfunding_campaign_is_enough_and_the_local_platform_wins():
    funds = [
        platform("national"),
        platform("local", region_scope="municipality", regions=("Utrecht",)),
    ]
    result = plan(money_need(amount_eur=600), funds)
    assert amounts(result) == {"local": 600}
    assert excluded(result)["national"][0] == "one_campaign"


def test_grants_come_before_the_crowd():
    funds = [platform(), fund("grant", amount_max_eur=1000, themes=("buurt",))]
    result = plan(money_need(amount_eur=1300), funds)
    assert amounts(result) == {"grant": 1000, "crowd": 300}


# --- referrals, businesses, eligibility rules ----------------------------------------------


def test_referrals_are_never_plan_lines_but_are_listed_with_a_sentence():
    result = plan(money_need(themes=("kinderen", "armoede")))
    referral_ids = {f.id for f in CATALOGUE if f.is_referral}
    assert referral_ids == {"jeugdfonds", "leergeld"}
    assert {ref.source_id for ref in result.referrals} == referral_ids
    assert not referral_ids & {line.source_id for line in result.lines}
    assert not referral_ids & {e.source_id for e in result.excluded}
    assert all("Verwijs" in render(ref.reason, "nl") for ref in result.referrals)


@pytest.mark.parametrize(
    "offer_fields, code",
    [
        (dict(), None),
        (dict(lat=52.37, lon=4.89), "offer_radius"),
        (dict(eligible_legal_forms=frozenset({"foundation"})), "legal_form"),
        (dict(deadline=date(2026, 1, 1)), "offer_expired"),
        (dict(amount_min_eur=1500), "amount_min"),
    ],
)
def test_a_business_money_offer_joins_the_plan_unless_a_hard_filter_excludes_it(offer_fields, code):
    result = plan(money_need(), [], [business_offer(**offer_fields)])
    if code is None:
        (line,) = result.lines
        assert (line.kind, line.amount, line.name) == (
            "business",
            1200,
            "Bakkerij De Korst: Bijdrage aan buurtprojecten",
        )
        assert "geld van een lokaal bedrijf" in said(line.reasons)
    else:
        assert result.lines == [] and excluded(result)["bakker"][0] == code


@pytest.mark.parametrize(
    "fund_fields, need_fields, code",
    [
        (dict(themes=("ouderen", "ontmoeting")), dict(), "target_group"),
        (dict(themes=("ouderen", "ontmoeting")), dict(themes=("ouderen", "eten")), None),
        (dict(themes=("kunst", "cultuur", "erfgoed")), dict(), "theme"),
        (dict(themes=("buurt", "kunst")), dict(), None),
        (dict(themes=()), dict(), None),
        (dict(anbi_required=True), dict(), "anbi"),
        (dict(eligible_legal_forms=("association", "foundation")), dict(), "legal_form"),
        (
            dict(eligible_legal_forms=("association", "foundation"), via_intermediary=True),
            dict(),
            None,
        ),
        (dict(region_scope="municipality", regions=("Utrecht",)), dict(), None),
        (dict(region_scope="municipality", regions=("'s-Gravenhage",)), DEN_HAAG, None),
        (dict(region_scope="municipality", regions=("Rotterdam",)), dict(), "region"),
        (dict(region_scope="province", regions=("Utrecht",)), dict(), None),
        (dict(region_scope="province", regions=("Zuid-Holland",)), dict(), "region"),
        (dict(region_scope="province", regions=("Utrecht",)), NOWHERE, "region"),
        (dict(amount_min_eur=5000), dict(), "amount_min"),
    ],
)
def test_each_eligibility_rule_excludes_with_its_code(fund_fields, need_fields, code):
    source = fund(**{"themes": ("buurt",), "amount_max_eur": 2000, **fund_fields})
    result = plan(money_need(**need_fields), [source])
    if code is None:
        assert [line.source_id for line in result.lines] == ["f"]
    else:
        assert result.lines == [] and excluded(result)["f"][0] == code


def test_all_reasons_why_not_are_kept_in_order():
    result = plan(money_need(), [BY_ID["fonds21"]], start=TODAY + timedelta(weeks=6))
    (why_not,) = result.excluded
    assert [why_not.code, *(e.code for e in why_not.also)] == [
        "legal_form",
        "lead_time",
        "amount_min",
        "target_group",
    ]


def test_a_fund_via_a_penvoerder_says_so_and_ranks_below_a_direct_one():
    direct = fund("direct", amount_max_eur=2000, themes=("buurt",))
    hosted = fund(
        "hosted",
        amount_max_eur=2000,
        themes=("buurt",),
        eligible_legal_forms=("foundation",),
        via_intermediary=True,
    )
    assert amounts(plan(money_need(), [hosted, direct])) == {"direct": 1200}
    (line,) = plan(money_need(), [hosted]).lines
    assert any(PENVOERDER_WORDS in reason for reason in said(line.reasons))


def test_uncertain_facts_are_flagged():
    (line,) = plan(money_need(), without("utrecht-initiatievenfonds")).lines
    assert line.source_id == "kfhein-buurtinitiatief" and line.uncertain
    assert "controleer het op hun site" in said(line.reasons)[-1]


# --- language, determinism, input ----------------------------------------------------------


def test_one_plan_is_written_in_the_language_of_each_reader():
    need = money_need(legal_form="foundation", amount_eur=8000)
    result = plan(need, start=TODAY + timedelta(weeks=6))
    assert "This plan pays the whole EUR 8,000, with 1 source." in said(result.summary, "en")
    assert "Dit plan betaalt de hele EUR 8.000, met 1 bron." in said(result.summary, "nl")
    assert excluded(result, "en")["vsbfonds"] == (
        "lead_time",
        "needs 17 weeks of preparation; you start in 6 weeks",
    )
    short = plan(money_need(), [fund(amount_max_eur=900, themes=("buurt",))])
    assert "EUR 300 is still missing." in said(short.summary, "en")


def test_the_same_question_gives_the_same_plan():
    need = money_need(amount_eur=4321.5)
    assert plan(need, without(*MUNICIPAL)) == plan(need, without(*MUNICIPAL))


@pytest.mark.parametrize("fields", [dict(kind="venue"), dict(amount_eur=None), dict(amount_eur=0)])
def test_only_a_money_need_with_an_amount_gets_a_plan(fields):
    with pytest.raises(ValueError):
        plan(money_need(**fields))


def test_the_start_defaults_to_the_deadline_then_eight_weeks():
    assert plan(money_need(deadline=date(2027, 3, 1))).start == date(2027, 3, 1)
    assert plan(money_need()).start == TODAY + timedelta(weeks=8)


# --- rounds, regions and the catalogue file -----------------------------------------------


@pytest.mark.parametrize(
    "rounds, today, expected",
    [
        (("1 feb", "1 mei", "1 aug", "1 nov"), date(2026, 11, 25), date(2027, 2, 1)),
        (("1 feb", "1 mei", "1 aug", "1 nov"), date(2026, 11, 1), date(2026, 11, 1)),
        (("15 maart",), date(2026, 11, 25), date(2027, 3, 15)),
        (("doorlopend",), date(2026, 11, 25), None),
        (("Burendag: 4e weekend van september",), date(2026, 11, 25), None),
        (("31 feb",), date(2026, 11, 25), None),
        ((), date(2026, 11, 25), None),
    ],
)
def test_next_round_date(rounds, today, expected):
    assert next_round_date(rounds, today) == expected


@pytest.mark.parametrize(
    "lat, lon, region",
    [
        (52.09, 5.12, Region("Utrecht", "Utrecht")),
        (52.118, 5.113, Region("Utrecht", "Utrecht")),  # Overvecht, nearer to Groenekan's point
        (52.08, 4.30, Region("Den Haag", "Zuid-Holland")),
        (51.919, 4.399, Region("Schiedam", "Zuid-Holland")),
        (52.3125, 4.61667, Region("Haarlemmermeer", "Noord-Holland")),  # village Zwaanshoek
    ],
)
def test_region_of_a_point(lat, lon, region):
    assert region_of(lat, lon) == region


def test_the_catalogue_loads_with_typed_fields():
    assert len(CATALOGUE) == 33
    bewoners = BY_ID["fonds1818-bewoners"]
    assert bewoners.rounds == ("1 feb", "1 mei", "1 aug", "1 nov")
    assert (bewoners.amount_min_eur, bewoners.amount_max_eur) == (250.0, 1500.0)
    assert bewoners.eligible_legal_forms == ("informal",) and bewoners.uncertain
    assert BY_ID["voordeouderen"].is_matchfunding and BY_ID["voordeouderen"].matchfunding_ratio == 1
    assert BY_ID["vsbfonds"].lead_time_weeks == 17 and BY_ID["vsbfonds"].amount_max_eur is None
    assert BY_ID["dioraphte"].anbi_required and BY_ID["jeugdfonds"].is_referral
    assert all(f.checked_on == date(2026, 11, 25) for f in CATALOGUE)


HEADER = (
    "id,name,source_type,region_scope,regions,themes,amount_min_eur,amount_max_eur,"
    "matchfunding_ratio,matchfunding_cap_eur,eligible_legal_forms,anbi_required,"
    "lead_time_weeks,rounds,decision_weeks,via_intermediary,referral_only,url,notes,"
    "checked_on,uncertain\n"
)
GOOD_ROW = "ok,Goed fonds,fund,national,,buurt,100,1000,,,foundation,no,,,,no,no,,,2026-11-25,no\n"


@pytest.mark.parametrize(
    "row, column",
    [
        ("x,Fonds,bank,national,,,,,,,,no,,,,no,no,,,,no\n", "source_type"),
        ("x,Fonds,fund,national,,,veel,,,,,no,,,,no,no,,,,no\n", "amount_min_eur"),
        ("x,Fonds,fund,national,,,2000,1000,,,,no,,,,no,no,,,,no\n", "amount_max_eur"),
        ("x,Fonds,fund,national,,,,,,,club,no,,,,no,no,,,,no\n", "eligible_legal_forms"),
        ("x,Fonds,fund,national,,,,,,,,misschien,,,,no,no,,,,no\n", "anbi_required"),
        ("x,Fonds,fund,national,,,,,,,,no,,,,no,no,,,gisteren,no\n", "checked_on"),
        ("x,Fonds,fund,municipality,,,,,,,,no,,,,no,no,,,,no\n", "regions"),
        ("x,Fonds,fund,national,,,,,0,,,no,,,,no,no,,,,no\n", "matchfunding_ratio"),
        ("ok,Dubbel,fund,national,,,,,,,,no,,,,no,no,,,,no\n", "id"),
        (",Zonder id,fund,national,,,,,,,,no,,,,no,no,,,,no\n", "id"),
    ],
)
def test_a_bad_catalogue_row_is_reported_with_row_column_and_reason(row, column, tmp_path):
    funds, errors = parse_catalogue(HEADER + GOOD_ROW + row)
    assert [f.id for f in funds] == ["ok"]
    assert [(e.row, e.column) for e in errors] == [(3, column)]
    path = tmp_path / "funds.csv"
    path.write_text(HEADER + GOOD_ROW + row, encoding="utf-8")
    with pytest.raises(CatalogueError, match=f"rij 3, kolom '{column}'"):
        load_catalogue(path)


# --- realistic plans (issue 16, item 7) -----------------------------------------------------


def test_a_3000_euro_need_is_not_paid_by_one_fund_or_business_alone():
    """Tried as a new user would: one housing corporation covered 100%."""
    corporation = business_offer(
        id="corporatie",
        partner="Woonstad Utrecht",
        partner_type="housing",
        title="Leefbaarheidsbudget",
        amount_max_eur=10_000,
    )
    result = plan(
        money_need(amount_eur=3000, legal_form="foundation"),
        without("utrecht-initiatievenfonds"),
        [corporation],
    )
    assert len(result.lines) >= 2
    for line in result.lines:
        if line.kind in ("fund", "business"):
            assert line.amount <= 1500, line
    capped = next(line for line in result.lines if line.source_id == "corporatie")
    assert "vraag hier hoogstens de helft" in " ".join(said(capped.reasons))


def test_every_application_can_be_decided_before_the_start():
    start = TODAY + timedelta(weeks=10)
    late_offer = business_offer(deadline=start + timedelta(days=60))  # runs on after the start
    result = plan(
        money_need(amount_eur=1200), without("utrecht-initiatievenfonds"), [late_offer], start=start
    )
    assert result.lines
    for line in result.lines:
        assert TODAY <= line.apply_by <= start - timedelta(weeks=4), line
    bakker = next(line for line in result.lines if line.source_id == "bakker")
    assert any("dan kan er voor de start een besluit zijn" in r for r in said(bakker.reasons))


def test_each_line_says_what_the_fund_asks_for():
    result = plan(money_need(amount_eur=1200), without("utrecht-initiatievenfonds"))
    for line in result.lines:
        if line.kind != "business":
            assert line.asks == BY_ID[line.source_id].notes and line.asks
