"""Hard filters: a pair that breaks one is never suggested, and the reason is kept so that
"waarom niet?" always has an answer (design.md, matching step 2). One function, used by the
engine for every candidate pair and by `explain`, so both always agree."""

from __future__ import annotations

from datetime import date

from samenspel.matching import reasons as r
from samenspel.matching.types import Exclusion, NeedIn, OfferIn


def exclusion(
    need: NeedIn, offer: OfferIn, distance_km: float | None, today: date, lang: str = "nl"
) -> Exclusion | None:
    if need.kind != offer.kind:
        return Exclusion(
            "kind",
            r.say(
                "x_kind",
                lang,
                offer_kind=r.KIND_WORDS[r.lang_of(lang)].get(offer.kind, offer.kind),
                need_kind=r.KIND_WORDS[r.lang_of(lang)].get(need.kind, need.kind),
            ),
        )
    if need.deadline is not None and need.deadline < today:
        return Exclusion(
            "need_expired", r.say("x_need_expired", lang, date=r.day(need.deadline, lang))
        )
    if offer.deadline is not None and offer.deadline < today:
        return Exclusion(
            "offer_expired", r.say("x_offer_expired", lang, date=r.day(offer.deadline, lang))
        )
    if need.initiative and need.initiative == offer.partner:
        return Exclusion("same_organisation", r.say("x_same_organisation", lang))
    if distance_km is not None:
        if need.max_distance_km is not None and distance_km > need.max_distance_km:
            return Exclusion(
                "need_distance",
                r.say(
                    "x_need_distance",
                    lang,
                    km=r.km(distance_km, lang),
                    max=r.km(need.max_distance_km, lang),
                ),
            )
        if offer.radius_km is not None and distance_km > offer.radius_km:
            return Exclusion(
                "offer_radius",
                r.say(
                    "x_offer_radius",
                    lang,
                    km=r.km(distance_km, lang),
                    max=r.km(offer.radius_km, lang),
                ),
            )
    if offer.eligible_legal_forms and need.legal_form not in offer.eligible_legal_forms:
        return Exclusion(
            "legal_form",
            r.say(
                "x_legal_form",
                lang,
                forms=r.legal_forms(offer.eligible_legal_forms, lang),
                form=r.LEGAL_FORM_WORDS[r.lang_of(lang)].get(need.legal_form, need.legal_form),
            ),
        )
    if (
        offer.kind == "money"
        and need.amount_eur is not None
        and offer.amount_min_eur is not None
        and need.amount_eur < offer.amount_min_eur
    ):
        return Exclusion(
            "amount_min",
            r.say(
                "x_amount_min",
                lang,
                amount=r.euro(need.amount_eur, lang),
                min=r.euro(offer.amount_min_eur, lang),
            ),
        )
    if offer.kind == "venue":
        if need.people is not None and offer.capacity is not None and need.people > offer.capacity:
            return Exclusion(
                "too_small", r.say("x_too_small", lang, capacity=offer.capacity, people=need.people)
            )
        if need.needs_kitchen and offer.has_kitchen is False:
            return Exclusion("no_kitchen", r.say("x_no_kitchen", lang))
        if need.needs_step_free and offer.step_free is False:
            return Exclusion("not_step_free", r.say("x_not_step_free", lang))
    return None
