"""Distances that others read are measured from the public point of an informal group (the
centre of its neighbourhood), never from its home: two or three distances would locate it."""

from __future__ import annotations

import re

from sqlmodel import Session

from matching.geo import default_gazetteer, haversine_km
from samenspel.models import Need, Offer, Organisation
from samenspel.services.suggestions import need_in, offer_in
from tests.integration.test_flows import post_kitchen_need_and_hall, suggestion_for


def lombok_centre():
    hood = next(p for p in default_gazetteer().neighbourhoods if p.name == "Lombok")
    return hood.lat, hood.lon


def test_the_engine_sees_an_informal_group_at_its_neighbourhood_centre(world):
    with Session(world["engine"]) as session:
        pan = session.get(Organisation, world["pan"])  # informal, at a home in Lombok
        boog = session.get(Organisation, world["boog"])  # a foundation: its real address
        need = Need(organisation_id=pan.id, kind="venue", title="Plek", lat=pan.lat, lon=pan.lon)
        assert (need_in(need, pan).lat, need_in(need, pan).lon) == lombok_centre()
        assert (pan.lat, pan.lon) != lombok_centre()
        offer = Offer(organisation_id=boog.id, kind="venue", title="Zaal")
        assert (offer_in(offer, boog).lat, offer_in(offer, boog).lon) == (boog.lat, boog.lon)


def test_the_distance_in_a_reason_is_the_one_the_map_shows(world):
    need_id, hall_id = post_kitchen_need_and_hall(world)
    match = suggestion_for(world, need_id, hall_id)
    with Session(world["engine"]) as session:
        boog = session.get(Organisation, world["boog"])
    public_km = haversine_km(*lombok_centre(), boog.lat, boog.lon)
    shown = [r for r in match.reasons if "km" in r]
    assert shown, match.reasons
    number = float(re.search(r"(\d+(?:,\d+)?) km", shown[0]).group(1).replace(",", "."))
    assert abs(number - public_km) <= 0.1
