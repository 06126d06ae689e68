"""A funding plan for a money need (docs/design.md, step 6).

Which sources together pay for one need: funds, municipal budgets, business money offers, and a
crowdfunding campaign with matchfunding. Every catalogue entry ends up in exactly one place:
a line of the plan, the `referrals` (help for individual people, never money for a project),
or `excluded`, with the reason why not ("waarom niet?").

1. Eligibility, checked in this order, and every failed check is kept (the first one is shown
   first): legal form, ANBI, region, timing (lead time, decision time or the next round against
   the start date), minimum amount, target group, theme. The fund's own rules come first; how
   well the topic fits is a judgement and comes last.
   - An informal group may use a fund for associations or foundations only where the catalogue
     says `via_intermediary`: then the line says "via een penvoerder". Without it, never.
   - A fund that names a target group (ouderen, jongeren, kinderen) is only for needs that name
     it too: better one fund missed than a fund for older people in a plan for children.
   - A fund whose themes share nothing with the need is left out, unless it is a general
     neighbourhood fund (theme `buurt`, or no themes): that one stays, as a poorer fit.
2. The plan is a mixed-integer programme (scipy.optimize.milp), in whole cents. Per source i:
   amount x_i and "used" y_i, with min_i * y_i <= x_i <= max_i * y_i, so a source is asked
   nothing or between its minimum and its maximum, never more. An unknown maximum counts as the
   whole amount asked (the line says so). The sources plus a shortfall s add up to the amount
   exactly: nobody is asked for money the plan does not need. Crowdfunding: at most one
   campaign; every matchfunding pot j adds m_j <= cap_j and, together, sum(m_j / ratio_j) is
   at most the crowd money, so each euro from the crowd is matched once and a pot is never
   used without a campaign.
3. Two solves. First: the smallest shortfall (cover as much as the rules allow). Then, keeping
   that shortfall: the cheapest plan, where one extra source costs 1 and national reach, slow
   preparation, a poorer theme fit, uncertain facts, an unknown maximum and needing a
   penvoerder each add a little (the constants below). Crowd money costs per euro, so the
   crowd is asked only for what grants and matchfunding do not pay. Small per-euro and
   per-position terms make the result deterministic.

Every reason, line and summary sentence is a `Reason` (a code with parameters): the plan is
the same for every reader, and matching.reasons.render writes it in theirs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from samenspel.matching.filters import exclusion
from samenspel.matching.funds import FundIn
from samenspel.matching.geo import Region, haversine_km, region_of
from samenspel.matching.reasons import Reason, term
from samenspel.matching.text import normalise
from samenspel.matching.types import Exclusion, NeedIn, OfferIn
from samenspel.matching.vocabulary import Vocabulary, default_vocabulary

DEFAULT_START_WEEKS = 8  # no deadline and no start date: assume the project starts in 8 weeks
# Realistic, not maximal: most funds and businesses pay part of a project and want to see other
# money next to theirs, so above a small request one of them is asked at most half. A
# municipal neighbourhood budget is made to pay small resident initiatives in full.
GRANT_SHARE = 0.5
SHARE_KINDS = frozenset({"fund", "business"})
SMALL_REQUEST_EUR = 2500.0  # up to this, one buurtfonds commonly pays it all
# Without a known decision time, apply at least this long before the start: a typical board
# decides within four to six weeks. A crowdfunding campaign runs about as long.
DEFAULT_DECISION_WEEKS = 6
CAMPAIGN_WEEKS = 6

# The plan's preferences, in "applications": one more source to apply to costs 1.
SOURCE_COST = 1.0
REACH_COST = {"municipality": 0.0, "province": 0.2, "national": 0.4}  # local money first
SLOW_COST_PER_WEEK = 0.02  # 17 weeks of preparation weigh 0.34
FIT_COST = {"direct": 0.0, "related": 0.15, "general": 0.3}
UNCERTAIN_COST = 0.15  # facts from old or secondary sources
UNKNOWN_MAX_COST = 0.2  # we do not know what they give
PENVOERDER_COST = 0.3  # an informal group first has to find a stichting or vereniging
# Matchfunding comes with the campaign (no separate application), so it costs nothing of its
# own, and each of its euros saves a euro the crowd would have to raise: with a campaign in the
# plan, every pot is used as far as its ratio and cap allow.
POT_COST = 0.0
# Raising EUR 500 from neighbours weighs like one more application: the crowd comes last.
CROWD_COST_PER_EUR = 0.002
# Among equal plans: ask more of the better source (at most 0.01 in total) ...
SPLIT_WEIGHT = 0.01
# ... and after that, the earlier source in the catalogue.
TIE_BREAK = 1e-4
# The variables are cents, so a per-euro preference is tiny per variable; HiGHS treats cost
# differences below about 1e-7 as equal. Scaling the whole objective keeps them visible.
OBJECTIVE_SCALE = 10_000
SOLVER_SECONDS = 20.0  # a plan has a few dozen sources; HiGHS needs milliseconds

GENERAL_THEMES = frozenset({"buurt"})  # open to any neighbourhood project
TARGET_GROUPS = ("kinderen", "jongeren", "ouderen")  # vocabulary concepts
LINE_KINDS = ("fund", "municipal", "crowdfunding", "matchfunding", "business")
ROLE_ORDER = {"grant": 0, "campaign": 1, "pot": 2}
# Not chosen although eligible: these codes in `excluded` mean "could have been in the plan".
NOT_CHOSEN_CODES = frozenset({"not_chosen", "one_campaign", "no_campaign"})

# The catalogue writes places as the fund does; GeoNames and people write them otherwise.
PLACE_ALIASES = {
    "s gravenhage": "den haag",
    "gravenhage": "den haag",
    "the hague": "den haag",
    "den bosch": "s hertogenbosch",
    "hertogenbosch": "s hertogenbosch",
    "fryslan": "friesland",
}
MONTHS = {
    "jan": 1,
    "feb": 2,
    "maa": 3,
    "mrt": 3,
    "mar": 3,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "okt": 10,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_ROUND = re.compile(r"(\d{1,2}) ([a-z]+)")
# English words for catalogue themes the vocabulary does not know.
THEME_WORDS_EN = {
    "buurt": "neighbourhood",
    "groen": "green spaces",
    "natuur": "nature",
    "erfgoed": "heritage",
    "werk": "work",
    "zorg": "care",
}


@dataclass
class PlanLine:
    """One source in the plan: how much to ask, and why this one."""

    source_id: str
    name: str
    kind: str  # fund | municipal | crowdfunding | matchfunding | business
    amount: float
    reasons: list[Reason]
    apply_by: date | None = None  # next round, start minus lead time, or the offer's end
    url: str = ""
    uncertain: bool = False  # "controleer op hun site"
    asks: str = ""  # what the source asks for and rules out, in its catalogue's words


@dataclass
class Excluded:
    """A source that is not in the plan: the first reason, and any further ones in `also`."""

    source_id: str
    name: str
    code: str
    reason: Reason
    also: list[Exclusion] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        """True when it fits but the plan did not need it."""
        return self.code in NOT_CHOSEN_CODES


@dataclass
class Referral:
    """Help for individual people (Jeugdfonds, Leergeld): worth passing on, never a funder."""

    source_id: str
    name: str
    reason: Reason
    url: str = ""


@dataclass
class FundingPlan:
    """The lines that pay for the need, what is still missing, and why the rest is not in it.

    `excluded` holds every catalogue entry and offer that is not a line, in input order:
    those that break a rule, and (codes in NOT_CHOSEN_CODES) those that fit but were not
    needed."""

    need_id: str
    amount: float
    lines: list[PlanLine]
    covered: float
    missing: float  # exactly amount - covered, 0 when covered
    excluded: list[Excluded]
    referrals: list[Referral]
    summary: list[Reason]  # what the plan covers, and what is still missing
    start: date
    region: Region | None = None


@dataclass(frozen=True)
class _Context:
    """The need and everything the checks ask of it, worked out once."""

    need: NeedIn
    amount: float
    today: date
    start: date
    region: Region | None
    anbi: bool
    vocabulary: Vocabulary
    concepts: frozenset[str]
    groups: frozenset[str]
    words: frozenset[str]

    @property
    def days_to_start(self) -> int:
        return max(0, (self.start - self.today).days)


@dataclass
class _Candidate:
    """A source that may be in the plan, with its limits and what the line will say."""

    position: int
    source_id: str
    name: str
    kind: str
    role: str  # grant | campaign | pot
    min_eur: float | None
    max_eur: float | None  # None: unknown, the whole amount counts as the maximum
    cost: float
    before: list[Reason]  # reasons shown before the amount line
    after: list[Reason]  # reasons shown after it
    apply_by: date | None = None
    url: str = ""
    uncertain: bool = False
    ratio: float = 0.0  # pots: euro added per crowd euro (their cap is max_eur)
    asks: str = ""
    share_cap: float | None = None  # the most this plan asks of it (GRANT_SHARE), if less


def plan_funding(
    need: NeedIn,
    funds: Sequence[FundIn],
    offers: Sequence[OfferIn] = (),
    *,
    today: date,
    start: date | None = None,
    region: Region | None = None,
    anbi: bool = False,
    vocabulary: Vocabulary | None = None,
) -> FundingPlan:
    """The funding plan for a money need.

    `start` is when the project starts (default: the need's deadline, else today + 8 weeks);
    lead times count back from it. `region` defaults to the municipality and province at the
    need's location (`region_of`); without a location only national sources can be checked.
    `anbi` says whether the initiative has ANBI status. `offers` are business money offers;
    the engine's hard filters (matching.filters.exclusion) apply to them as to any offer.
    """
    if need.kind != "money":
        raise ValueError(f"a funding plan is for a money need, not for '{need.kind}'")
    if need.amount_eur is None or need.amount_eur <= 0:
        raise ValueError("a funding plan needs the amount asked (amount_eur > 0)")
    vocabulary = vocabulary or default_vocabulary()
    if region is None and need.lat is not None and need.lon is not None:
        region = region_of(need.lat, need.lon)
    concepts = frozenset(vocabulary.find(need.text))
    context = _Context(
        need=need,
        amount=round(need.amount_eur, 2),
        today=today,
        start=start or need.deadline or today + timedelta(weeks=DEFAULT_START_WEEKS),
        region=region,
        anbi=anbi,
        vocabulary=vocabulary,
        concepts=concepts,
        groups=frozenset(
            vocabulary.concepts[c].group for c in concepts if vocabulary.concepts[c].group
        ),
        words=frozenset(normalise(need.text).split()),
    )
    # One outcome per source, in input order (catalogue first, then offers): a candidate for
    # the plan or the reason why not. Referrals are neither.
    outcomes: list[_Candidate | Excluded] = []
    referrals: list[Referral] = []
    for fund in funds:
        if fund.is_referral:
            referrals.append(_referral(fund))
        else:
            outcomes.append(_fund_candidate(len(outcomes), fund, context))
    for offer in offers:
        outcomes.append(_offer_candidate(len(outcomes), offer, context))
    candidates = [o for o in outcomes if isinstance(o, _Candidate)]

    amount_cents = round(context.amount * 100)
    cents = _solve(candidates, amount_cents)
    missing_cents = amount_cents - sum(cents)
    used = [(c, cents[i]) for i, c in enumerate(candidates) if cents[i] > 0]
    # Grants and business money first, largest first; the campaign and its matchfunding last.
    used.sort(key=lambda pair: (ROLE_ORDER[pair[0].role], -pair[1], pair[0].position))
    crowd_cents = sum(amount for c, amount in used if c.role == "campaign")
    lines = [_line(candidate, amount, crowd_cents, context) for candidate, amount in used]
    not_chosen = _not_chosen(candidates, cents, missing_cents > 0)
    excluded: list[Excluded] = []
    for outcome in outcomes:
        if isinstance(outcome, Excluded):
            excluded.append(outcome)
        elif outcome.position in not_chosen:
            excluded.append(not_chosen[outcome.position])
    covered, missing = (amount_cents - missing_cents) / 100, missing_cents / 100
    return FundingPlan(
        need_id=need.id,
        amount=context.amount,
        lines=lines,
        covered=covered,
        missing=missing,
        excluded=excluded,
        referrals=referrals,
        summary=_summary(context, lines, covered, missing),
        start=context.start,
        region=region,
    )


# --- eligibility -------------------------------------------------------------------------


def _fund_candidate(position: int, fund: FundIn, context: _Context) -> _Candidate | Excluded:
    legal_problem, penvoerder = _legal_form(fund, context)
    reach, region_problem = _reach(fund, context)
    timing_problem, apply_by, timing_reasons = _timing(fund, context)
    fit, theme_words, theme_problem = _theme_fit(fund, context)
    anbi_problem = (
        Exclusion("anbi", Reason("f_x_anbi")) if fund.anbi_required and not context.anbi else None
    )
    amount_problem = (
        Exclusion(
            "amount_min",
            Reason("x_amount_min", {"amount": context.amount, "min": fund.amount_min_eur}),
        )
        if fund.amount_min_eur is not None and context.amount < fund.amount_min_eur
        else None
    )
    # The order of docs/design.md, step 6: the fund's own rules first, the topic last.
    checks = (legal_problem, anbi_problem, region_problem, timing_problem, amount_problem)
    problems = [p for p in (*checks, theme_problem) if p is not None]
    if problems:
        first, *also = problems
        return Excluded(fund.id, fund.name, first.code, first.reason, also)

    if fund.is_matchfunding:
        role, kind = "pot", "matchfunding"
    elif fund.source_type == "crowdfunding":
        role, kind = "campaign", "crowdfunding"
    else:
        role, kind = "grant", fund.source_type
    before = [
        _reach_sentence(reach, context),
        Reason("f_theme_general")
        if fit == "general"
        else Reason(f"f_theme_{fit}", {"themes": theme_words}),
    ]
    after = list(timing_reasons)
    if role == "campaign":  # no application: a campaign of its own, over before the start
        apply_by = _default_apply_by(context, CAMPAIGN_WEEKS)
        after = [
            Reason("f_apply_campaign", {"date": apply_by.isoformat(), "weeks": CAMPAIGN_WEEKS})
        ]
    if penvoerder:
        after.append(Reason("f_penvoerder"))
    if fund.uncertain:
        after.append(Reason("f_uncertain"))
    share_cap = _share_cap(kind, fund.amount_max_eur, context)
    if share_cap is not None:
        after.append(Reason("f_share"))
    if role == "pot":
        cost = POT_COST
        most = fund.matchfunding_cap_eur or fund.amount_max_eur
    else:
        cost = (
            SOURCE_COST
            + REACH_COST[reach]
            + SLOW_COST_PER_WEEK * _preparation_weeks(fund)
            + FIT_COST[fit]
            + (UNCERTAIN_COST if fund.uncertain else 0.0)
            + (UNKNOWN_MAX_COST if fund.amount_max_eur is None else 0.0)
            + (PENVOERDER_COST if penvoerder else 0.0)
        )
        most = fund.amount_max_eur
    return _Candidate(
        position=position,
        source_id=fund.id,
        name=fund.name,
        kind=kind,
        role=role,
        min_eur=fund.amount_min_eur,
        max_eur=most,
        cost=cost,
        before=before,
        after=after,
        apply_by=apply_by,
        url=fund.url,
        uncertain=fund.uncertain,
        ratio=fund.matchfunding_ratio or 0.0,
        asks=fund.notes,
        share_cap=share_cap,
    )


def _share_cap(kind: str, max_eur: float | None, context: _Context) -> float | None:
    """The most this plan asks of one source when that is below what it gives (GRANT_SHARE)."""
    if kind not in SHARE_KINDS or context.amount <= SMALL_REQUEST_EUR:
        return None
    cap = round(GRANT_SHARE * context.amount, 2)
    return cap if max_eur is None or max_eur > cap else None


def _offer_candidate(position: int, offer: OfferIn, context: _Context) -> _Candidate | Excluded:
    distance = (
        haversine_km(context.need.lat, context.need.lon, offer.lat, offer.lon)
        if None not in (context.need.lat, context.need.lon, offer.lat, offer.lon)
        else None
    )
    problem = exclusion(context.need, offer, distance, context.today)
    name = f"{offer.partner}: {offer.title}" if offer.partner else offer.title
    if problem is not None:
        return Excluded(offer.id, name, problem.code, problem.reason)
    before = [Reason("f_business")]
    if distance is not None:
        before.append(Reason("distance", {"km": round(distance, 1)}))
    # Ask in time for a decision before the start, and while the offer still runs.
    apply_by = _default_apply_by(context)
    if offer.deadline is not None and offer.deadline < apply_by:
        apply_by = max(context.today, offer.deadline)
    after = [Reason("f_apply_business", {"date": apply_by.isoformat()})]
    if offer.deadline is not None:
        after.append(Reason("f_apply_offer", {"date": offer.deadline.isoformat()}))
    share_cap = _share_cap("business", offer.amount_max_eur, context)
    if share_cap is not None:
        after.append(Reason("f_share"))
    return _Candidate(
        position=position,
        source_id=offer.id,
        name=name,
        kind="business",
        role="grant",
        min_eur=offer.amount_min_eur,
        max_eur=offer.amount_max_eur,
        # A business that offers money nearby is local by definition (it passed its radius).
        cost=SOURCE_COST + (UNKNOWN_MAX_COST if offer.amount_max_eur is None else 0.0),
        before=before,
        after=after,
        apply_by=apply_by,
        asks=offer.description,
        share_cap=share_cap,
    )


def _legal_form(fund: FundIn, context: _Context) -> tuple[Exclusion | None, bool]:
    """(why not, or None; True when an informal group needs a penvoerder for this fund)."""
    forms = fund.eligible_legal_forms
    form = context.need.legal_form
    if not forms or form in forms:
        return None, False
    if form == "informal" and fund.via_intermediary and {"association", "foundation"} & set(forms):
        return None, True
    reason = Reason("x_legal_form", {"forms": sorted(forms), "form": form})
    return Exclusion("legal_form", reason), False


def place_key(name: str) -> str:
    """One key for one place: 's-Gravenhage, Den Haag and The Hague all give "den haag"."""
    key = normalise(name)
    return PLACE_ALIASES.get(key, key)


def _reach(fund: FundIn, context: _Context) -> tuple[str, Exclusion | None]:
    """(national | province | municipality, why not or None)."""
    if fund.region_scope == "national":
        return "national", None
    regions = list(fund.regions)
    if context.region is None:
        return fund.region_scope, Exclusion(
            "region", Reason("f_x_region_unknown", {"regions": regions})
        )
    place = (
        context.region.province if fund.region_scope == "province" else context.region.municipality
    )
    if place_key(place) in {place_key(name) for name in fund.regions}:
        return fund.region_scope, None
    return fund.region_scope, Exclusion(
        "region", Reason("f_x_region", {"regions": regions, "place": place})
    )


def _reach_sentence(reach: str, context: _Context) -> Reason:
    if reach == "national" or context.region is None:
        return Reason("f_reach_national")
    if reach == "province":
        return Reason("f_reach_province", {"place": context.region.province})
    return Reason("f_reach_municipality", {"place": context.region.municipality})


def next_round_date(rounds: Sequence[str], today: date) -> date | None:
    """The next of yearly rounds such as ("1 feb", "1 mei", "1 aug", "1 nov") on or after
    today; None when any of them is not a day and a month ("doorlopend", "4e weekend")."""
    dates = []
    for text in rounds:
        match = _ROUND.fullmatch(normalise(text))
        month = MONTHS.get(match.group(2)[:3]) if match else None
        if month is None:
            return None
        try:
            this_year = date(today.year, month, int(match.group(1)))
            dates.append(
                this_year if this_year >= today else this_year.replace(year=today.year + 1)
            )
        except ValueError:  # 31 feb, or 29 feb in a year without it
            return None
    return min(dates) if dates else None


def _preparation_weeks(fund: FundIn) -> float:
    return fund.lead_time_weeks or fund.decision_weeks or 0.0


def _timing(fund: FundIn, context: _Context) -> tuple[Exclusion | None, date | None, list[Reason]]:
    """(why too late or None, apply-by date, the line's timing sentences).

    The lead time is what the fund asks before the start; without one, the decision time is
    the least that is needed. With dated rounds, the next round counts, and its decision must
    come before the start."""
    weeks_left = context.days_to_start / 7
    lead = fund.lead_time_weeks
    decision = fund.decision_weeks
    if lead is not None and context.days_to_start < lead * 7:
        reason = Reason("f_x_lead_time", {"lead": lead, "weeks": weeks_left})
        return Exclusion("lead_time", reason), None, []
    round_day = next_round_date(fund.rounds, context.today)
    if round_day is not None:
        if round_day + timedelta(weeks=decision or 0) > context.start:
            reason = Reason(
                "f_x_round", {"date": round_day.isoformat(), "start": context.start.isoformat()}
            )
            return Exclusion("lead_time", reason), None, []
        return None, round_day, [Reason("f_apply_round", {"date": round_day.isoformat()})]
    if lead is not None:
        apply_by = context.start - timedelta(weeks=lead)
        sentence = Reason("f_apply_lead", {"date": apply_by.isoformat(), "weeks": lead})
        return None, apply_by, [sentence]
    if decision is not None:
        if context.days_to_start < decision * 7:
            reason = Reason("f_x_decision", {"decision": decision, "weeks": weeks_left})
            return Exclusion("lead_time", reason), None, []
        apply_by = context.start - timedelta(weeks=decision)
        sentence = Reason("f_apply_decision", {"date": apply_by.isoformat(), "weeks": decision})
        return None, apply_by, [sentence]
    apply_by = _default_apply_by(context)
    sentences = [Reason("f_apply_early_by", {"date": apply_by.isoformat()})]
    if fund.rounds:
        sentences.append(Reason("f_rounds_text", {"rounds": list(fund.rounds)}))
    return None, apply_by, sentences


def _default_apply_by(context: _Context, weeks: int = DEFAULT_DECISION_WEEKS) -> date:
    """Far enough before the start for a decision, and never before today."""
    return max(context.today, context.start - timedelta(weeks=weeks))


def _theme_fit(
    fund: FundIn, context: _Context
) -> tuple[str | None, list[dict[str, str]], Exclusion | None]:
    """(direct | related | general, the fund's words that fit, why not or None)."""
    vocabulary = context.vocabulary
    concepts = {word: frozenset(vocabulary.find(word)) for word in fund.themes}
    groups_named = [w for w in fund.themes if concepts[w] & set(TARGET_GROUPS)]
    if groups_named and not any(concepts[w] & context.concepts for w in groups_named):
        reason = Reason("f_x_target_group", {"groups": _theme_list(groups_named, context)})
        return None, [], Exclusion("target_group", reason)
    direct = [
        w
        for w in fund.themes
        if concepts[w] & context.concepts or (not concepts[w] and normalise(w) in context.words)
    ]
    if direct:
        return "direct", _theme_list(direct, context), None
    related = [
        w
        for w in fund.themes
        if {vocabulary.concepts[c].group for c in concepts[w] if vocabulary.concepts[c].group}
        & context.groups
    ]
    if related:
        return "related", _theme_list(related, context), None
    if not fund.themes or GENERAL_THEMES & set(fund.themes):
        return "general", [], None
    reason = Reason("f_x_theme", {"themes": _theme_list(fund.themes, context)})
    return None, [], Exclusion("theme", reason)


def _theme_list(words: Sequence[str], context: _Context) -> list[dict[str, str]]:
    """Catalogue theme words with their English, each once (render shows one language)."""
    shown: list[dict[str, str]] = []
    for word in words:
        found = context.vocabulary.find(word)
        english = (
            context.vocabulary.concepts[next(iter(found))].label_en
            if found
            else THEME_WORDS_EN.get(word, word)
        )
        if all(item["nl"] != word for item in shown):
            shown.append(term(word, english))
    return shown


def _referral(fund: FundIn) -> Referral:
    code = "f_referral_intermediary" if fund.via_intermediary else "f_referral"
    return Referral(fund.id, fund.name, Reason(code), fund.url)


# --- the optimisation --------------------------------------------------------------------


def _solve(candidates: Sequence[_Candidate], amount_cents: int) -> list[int]:
    """Cents per candidate: first the smallest shortfall, then the cheapest plan with it."""
    n = len(candidates)
    if n == 0 or amount_cents <= 0:
        return [0] * n
    # Variables: x_0..x_{n-1} (cents), y_0..y_{n-1} (used or not), s (shortfall in cents).
    size = 2 * n + 1
    shortfall = 2 * n
    low = [math.ceil(round((c.min_eur or 0) * 100, 6)) for c in candidates]
    high = [
        min(
            amount_cents,
            amount_cents if c.max_eur is None else math.floor(round(c.max_eur * 100, 6)),
            amount_cents if c.share_cap is None else math.floor(round(c.share_cap * 100, 6)),
        )
        for c in candidates
    ]
    rows: list[np.ndarray] = []
    lower: list[float] = []
    upper: list[float] = []

    def constraint(coefficients: dict[int, float], lo: float, hi: float) -> None:
        row = np.zeros(size)
        for index, value in coefficients.items():
            row[index] = value
        rows.append(row)
        lower.append(lo)
        upper.append(hi)

    # The sources and the shortfall add up to exactly the amount asked.
    constraint({**{i: 1.0 for i in range(n)}, shortfall: 1.0}, amount_cents, amount_cents)
    for i in range(n):
        constraint({i: 1.0, n + i: -float(high[i])}, -np.inf, 0.0)  # x_i <= max_i * y_i
        constraint({i: 1.0, n + i: -float(low[i])}, 0.0, np.inf)  # x_i >= min_i * y_i
    campaigns = [i for i, c in enumerate(candidates) if c.role == "campaign"]
    pots = [i for i, c in enumerate(candidates) if c.role == "pot"]
    if campaigns:
        constraint({n + i: 1.0 for i in campaigns}, 0.0, 1.0)  # one campaign is enough
    if pots:
        # Each crowd euro is matched once: sum(m_j / ratio_j) <= crowd money.
        matched = {j: 1.0 / candidates[j].ratio for j in pots}
        constraint({**matched, **{i: -1.0 for i in campaigns}}, -np.inf, 0.0)
    bounds = Bounds(
        np.array([0.0] * n + [0.0] * n + [0.0]),
        np.array([float(h) for h in high] + [1.0] * n + [float(amount_cents)]),
    )
    constraints = LinearConstraint(np.array(rows), np.array(lower), np.array(upper))

    def solve(objective: np.ndarray) -> np.ndarray:
        result = milp(
            objective,
            constraints=constraints,
            integrality=np.ones(size),  # whole cents, whole decisions
            bounds=bounds,
            options={"mip_rel_gap": 0.0, "time_limit": SOLVER_SECONDS},
        )
        if not result.success:
            raise RuntimeError(f"funding plan: the solver failed ({result.message})")
        return result.x

    least_shortfall = np.zeros(size)
    least_shortfall[shortfall] = 1.0
    bounds.ub[shortfall] = round(solve(least_shortfall)[shortfall])

    preferences = np.zeros(size)
    for i, candidate in enumerate(candidates):
        preferences[n + i] = candidate.cost + TIE_BREAK * i
        preferences[i] = SPLIT_WEIGHT * candidate.cost / amount_cents
        if candidate.role == "campaign":
            preferences[i] += CROWD_COST_PER_EUR / 100
    result = solve(preferences * OBJECTIVE_SCALE)
    return [int(round(result[i])) for i in range(n)]


# --- explaining the plan -----------------------------------------------------------------


def _line(candidate: _Candidate, cents: int, crowd_cents: int, context: _Context) -> PlanLine:
    amount = cents / 100
    if candidate.role == "campaign":
        middle = Reason("f_crowd", {"amount": amount})
    elif candidate.role == "pot":
        values = {"ratio": candidate.ratio, "amount": amount, "crowd": crowd_cents / 100}
        if candidate.max_eur is None:
            middle = Reason("f_match_no_cap", values)
        else:
            middle = Reason("f_match", {**values, "cap": candidate.max_eur})
    else:
        middle = _ask_sentence(amount, candidate)
    return PlanLine(
        source_id=candidate.source_id,
        name=candidate.name,
        kind=candidate.kind,
        amount=amount,
        reasons=[*candidate.before, middle, *candidate.after],
        apply_by=candidate.apply_by,
        url=candidate.url,
        uncertain=candidate.uncertain,
        asks=candidate.asks,
    )


def _ask_sentence(amount: float, candidate: _Candidate) -> Reason:
    low, high = candidate.min_eur, candidate.max_eur
    if high is None and low is None:
        return Reason("f_ask_unknown", {"amount": amount})
    if high is None:
        return Reason("f_ask_from", {"amount": amount, "min": low})
    if low is None:
        return Reason("f_ask_up_to", {"amount": amount, "max": high})
    return Reason("f_ask_range", {"amount": amount, "min": low, "max": high})


def _not_chosen(
    candidates: Sequence[_Candidate], cents: Sequence[int], short: bool
) -> dict[int, Excluded]:
    """Eligible sources the plan did not use, and why, by position."""
    any_campaign = any(c.role == "campaign" for c in candidates)
    campaign_used = any(cents[i] > 0 for i, c in enumerate(candidates) if c.role == "campaign")
    found = {}
    for i, candidate in enumerate(candidates):
        if cents[i] > 0:
            continue
        if candidate.role == "pot" and not any_campaign:
            code, reason = "no_campaign", Reason("f_x_no_campaign")
        elif candidate.role == "campaign" and campaign_used:
            code, reason = "one_campaign", Reason("f_x_one_campaign")
        elif not short:
            code, reason = "not_chosen", Reason("f_x_not_chosen")
        elif candidate.min_eur:
            code, reason = "not_chosen", Reason("f_x_not_chosen_min", {"min": candidate.min_eur})
        else:
            code, reason = "not_chosen", Reason("f_x_not_used")
        found[candidate.position] = Excluded(candidate.source_id, candidate.name, code, reason)
    return found


def _summary(
    context: _Context, lines: Sequence[PlanLine], covered: float, missing: float
) -> list[Reason]:
    sentences = [
        Reason(
            "f_plan_start",
            {"date": context.start.isoformat(), "weeks": context.days_to_start / 7},
        )
    ]
    if context.region is None:
        sentences.append(Reason("f_plan_region_unknown"))
    amount = context.amount
    if missing <= 0:
        if len(lines) == 1:
            sentences.append(Reason("f_plan_covered_one", {"amount": amount}))
        else:
            sentences.append(Reason("f_plan_covered_many", {"amount": amount, "count": len(lines)}))
        return sentences
    if lines:
        sentences.append(Reason("f_plan_partial", {"covered": covered, "amount": amount}))
    else:
        sentences.append(Reason("f_plan_none"))
    sentences.append(Reason("f_plan_missing", {"missing": missing}))
    sentences.append(Reason("f_plan_missing_tip"))
    return sentences
