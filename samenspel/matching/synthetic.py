"""Synthetic national data for benchmarks: a fixed seed, points clustered around real Dutch
places (largest first), texts built from the vocabulary's own terms, all six kinds."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from samenspel.matching.csvformat import NEED_COLUMNS, OFFER_COLUMNS
from samenspel.matching.geo import load_dutch_places
from samenspel.matching.slots import SHORT_DAYS
from samenspel.matching.types import KINDS, LEGAL_FORMS, PARTNER_TYPES, NeedIn, OfferIn
from samenspel.matching.vocabulary import Vocabulary, default_vocabulary

PARTS = ("ochtend", "middag", "avond")
CITY_SPREAD_DEG = 0.03  # about 2-3 km around a city centre


def _when(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return ""
    slots = {f"{rng.choice(SHORT_DAYS)} {rng.choice(PARTS)}" for _ in range(rng.randint(1, 3))}
    return "; ".join(sorted(slots))


def generate(
    n_needs: int,
    n_offers: int,
    *,
    seed: int = 2026,
    cities: int = 60,
    vocabulary: Vocabulary | None = None,
    start: date = date(2027, 1, 1),
):
    """(needs, offers) as exchange-format row dicts."""
    rng = random.Random(seed)
    vocabulary = vocabulary or default_vocabulary()
    places = load_dutch_places()[:cities]
    weights = [1.0 / (rank + 1) for rank in range(len(places))]  # big cities get more points
    terms = sorted(vocabulary.terms)

    def point():
        city = rng.choices(places, weights)[0]
        return (
            round(city.lat + rng.gauss(0, CITY_SPREAD_DEG), 5),
            round(city.lon + rng.gauss(0, CITY_SPREAD_DEG * 1.6), 5),
            city.name,
        )

    def text(words: int) -> str:
        return " ".join(rng.choice(terms) for _ in range(words))

    def words_and_place(kind: str, lat: float, lon: float, city: str) -> dict:
        """The columns needs and offers share (drawn in this order: the files stay the same)."""
        return {"kind": kind, "title": text(3), "description": text(rng.randint(6, 14)),
                "themes": ";".join(rng.sample(terms, 2)), "place": city, "lat": lat, "lon": lon}  # fmt: skip

    needs = []
    for i in range(n_needs):
        kind = rng.choice(KINDS)
        lat, lon, city = point()
        needs.append(
            {
                "id": f"N{i}",
                "initiative": f"Initiatief {i % max(1, n_needs // 3)}",
                "legal_form": rng.choice(LEGAL_FORMS[:3]),
                **words_and_place(kind, lat, lon, city),
                "people": rng.randint(2, 60) if kind in ("venue", "volunteers") else "",
                "amount_eur": rng.choice([250, 500, 900, 1500, 3000, 8000])
                if kind == "money"
                else "",
                "when": _when(rng),
                "max_distance_km": rng.choice([2, 3, 5, 8, 10]),
                "deadline": (start + timedelta(days=rng.randint(30, 700))).isoformat(),
            }
        )
    offers = []
    for i in range(n_offers):
        kind = rng.choice(KINDS)
        lat, lon, city = point()
        money = kind == "money"
        low = rng.choice([0, 100, 250, 500]) if money else None
        offers.append(
            {
                "id": f"O{i}",
                "partner": f"Partner {i % max(1, n_offers // 2)}",
                "partner_type": rng.choice(PARTNER_TYPES),
                **words_and_place(kind, lat, lon, city),
                "capacity": rng.randint(5, 120) if kind in ("venue", "volunteers") else "",
                "amount_min_eur": low if money else "",
                "amount_max_eur": (low or 0) + rng.choice([500, 1500, 5000]) if money else "",
                "when": _when(rng),
                "radius_km": rng.choice([3, 5, 10, 15]),
                "eligible_legal_forms": rng.choice(["", "", "association;foundation"]),
                "deadline": (start + timedelta(days=rng.randint(200, 900))).isoformat(),
            }
        )
    return needs, offers


def to_csv(rows: list[dict], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_files(n_needs: int, n_offers: int, needs_path, offers_path, seed: int = 2026) -> None:
    needs, offers = generate(n_needs, n_offers, seed=seed)
    with open(needs_path, "w", encoding="utf-8") as handle:
        handle.write(to_csv(needs, NEED_COLUMNS))
    with open(offers_path, "w", encoding="utf-8") as handle:
        handle.write(to_csv(offers, OFFER_COLUMNS))


def as_dataclasses(needs: list[dict], offers: list[dict]) -> tuple[list[NeedIn], list[OfferIn]]:
    from samenspel.matching.csvformat import parse_needs, parse_offers

    parsed_needs, _ = parse_needs(to_csv(needs, NEED_COLUMNS))
    parsed_offers, _ = parse_offers(to_csv(offers, OFFER_COLUMNS))
    return parsed_needs, parsed_offers
