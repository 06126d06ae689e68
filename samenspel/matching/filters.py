"""Hard filters: a pair that breaks one is never suggested, and the reason is kept so that
"waarom niet?" always has an answer (docs/design.md, step 2). One function, used by the
engine for every candidate pair and by `explain`, so both always agree."""

from __future__ import annotations

from datetime import date

from samenspel.matching.reasons import Reason
from samenspel.matching.types import Exclusion, NeedIn, OfferIn


def exclusion(
    need: NeedIn, offer: OfferIn, distance_km: float | None, today: date
) -> Exclusion | None:
    if need.kind != offer.kind:
        return Exclusion(
            "kind", Reason("x_kind", {"offer_kind": offer.kind, "need_kind": need.kind})
        )
    if need.deadline is not None and need.deadline < today:
        return Exclusion(
            "need_expired", Reason("x_need_expired", {"date": need.deadline.isoformat()})
        )
    if offer.deadline is not None and offer.deadline < today:
        return Exclusion(
            "offer_expired", Reason("x_offer_expired", {"date": offer.deadline.isoformat()})
        )
    if need.initiative and need.initiative == offer.partner:
        return Exclusion("same_organisation", Reason("x_same_organisation"))
    if distance_km is not None:
        shown_km = round(distance_km, 1)  # as it is written: one decimal
        if need.max_distance_km is not None and distance_km > need.max_distance_km:
            return Exclusion(
                "need_distance",
                Reason("x_need_distance", {"km": shown_km, "max": need.max_distance_km}),
            )
        if offer.radius_km is not None and distance_km > offer.radius_km:
            return Exclusion(
                "offer_radius",
                Reason("x_offer_radius", {"km": shown_km, "max": offer.radius_km}),
            )
    if offer.eligible_legal_forms and need.legal_form not in offer.eligible_legal_forms:
        return Exclusion(
            "legal_form",
            Reason(
                "x_legal_form",
                {"forms": sorted(offer.eligible_legal_forms), "form": need.legal_form},
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
            Reason("x_amount_min", {"amount": need.amount_eur, "min": offer.amount_min_eur}),
        )
    if offer.kind == "venue":
        if need.people is not None and offer.capacity is not None and need.people > offer.capacity:
            return Exclusion(
                "too_small",
                Reason("x_too_small", {"capacity": offer.capacity, "people": need.people}),
            )
        if need.needs_kitchen and offer.has_kitchen is False:
            return Exclusion("no_kitchen", Reason("x_no_kitchen"))
        if need.needs_step_free and offer.step_free is False:
            return Exclusion("not_step_free", Reason("x_not_step_free"))
    return None
