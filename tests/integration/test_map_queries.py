"""What the map may show: informal initiatives at neighbourhood level, except to their broker."""

from __future__ import annotations

from sqlmodel import Session

from samenspel.matching.geo import default_gazetteer
from samenspel.services.scope import Areas
from samenspel.storage.models import Need, Offer
from samenspel.web import queries


def test_an_informal_initiative_is_shown_at_its_neighbourhood_centre_not_its_home(world):
    with Session(world["engine"]) as session:
        session.add(
            Need(organisation_id=world["pan"], kind="venue", title="Plek", lat=52.0920, lon=5.1010)
        )
        session.add(
            Offer(
                organisation_id=world["boog"], kind="venue", title="Zaal", lat=52.0935, lon=5.1040
            )
        )
        session.commit()
        points = queries.map_points(session).set_index("title")
        for_broker = queries.map_points(session, exact_in=Areas.of("Lombok")).set_index("title")
    lombok = next(p for p in default_gazetteer().neighbourhoods if p.name == "Lombok")
    assert (points.loc["Plek", "lat"], points.loc["Plek", "lon"]) == (lombok.lat, lombok.lon)
    assert points.loc["Plek", "blurred"]
    # A stichting's venue is a public address; the area's own broker sees the home exactly.
    assert (points.loc["Zaal", "lat"], points.loc["Zaal", "lon"]) == (52.0935, 5.1040)
    assert (for_broker.loc["Plek", "lat"], for_broker.loc["Plek", "lon"]) == (52.0920, 5.1010)


def test_no_contact_detail_is_ever_in_the_map_data(world):
    with Session(world["engine"]) as session:
        session.add(
            Need(organisation_id=world["pan"], kind="venue", title="Plek", lat=52.0920, lon=5.1010)
        )
        session.commit()
        points = queries.map_points(session)
        card = queries.point_card(session, "need", int(points.loc[0, "id"]))
    flat = " ".join(str(v) for v in points.to_numpy().ravel()) + " ".join(
        str(v) for v in vars(card).values()
    )
    assert "anja@depan.example" not in flat and "06-11111111" not in flat and "Anja" not in flat


def test_the_rendered_map_puts_an_informal_initiative_at_its_neighbourhood_centre(world):
    import json
    import re

    from samenspel.web.maps import build_map

    with Session(world["engine"]) as session:
        need = Need(
            organisation_id=world["pan"], kind="venue", title="Plek", lat=52.0920, lon=5.1010
        )
        session.add(need)
        session.commit()
        html = build_map(queries.map_points(session)).get_root().render()
    rows = [
        row
        for layer in re.findall(r"var data = (\[.*?\]);\n", html, re.S)
        for row in json.loads(layer)
    ]
    lombok = next(p for p in default_gazetteer().neighbourhoods if p.name == "Lombok")
    (placed,) = [row for row in rows if row[5] == f"need:{need.id}"]
    assert (placed[0], placed[1]) == (lombok.lat, lombok.lon)
    assert "52.092," not in html and "5.101]" not in html  # the home address is nowhere in the page
