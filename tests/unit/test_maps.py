"""The map builder is pure: its rendered HTML is what the browser gets."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from samenspel.web.maps import build_map, inert
from samenspel.web.queries import POINT_COLUMNS


def points(rows):
    return pd.DataFrame(
        [(*row, "") if len(row) == len(POINT_COLUMNS) - 1 else row for row in rows],
        columns=POINT_COLUMNS,
    )


def rendered_layers(fmap) -> list[list]:
    """The data array of every clustered layer, in order."""
    html = fmap.get_root().render()
    return [json.loads(m) for m in re.findall(r"var data = (\[.*?\]);\n", html, re.S)]


def rendered_rows(fmap) -> list[list]:
    return [row for layer in rendered_layers(fmap) for row in layer]


def test_every_point_is_in_the_rendered_map_with_its_shape_and_kind():
    frame = points(
        [
            (
                "need",
                1,
                "venue",
                "Plek om te koken",
                "Buurtkeuken",
                "Lombok",
                "open",
                52.09,
                5.10,
                False,
            ),
            (
                "offer",
                2,
                "venue",
                "Zaal met keuken",
                "Buurthuis",
                "Lombok",
                "open",
                52.091,
                5.101,
                False,
            ),
            ("offer", 3, "money", "Bijdrage", "Fonds", "Zuilen", "open", 52.10, 5.09, False),
        ]
    )
    rows = rendered_rows(build_map(frame))
    assert [(r[2], r[3], r[5]) for r in rows] == [
        ("ss-need", "venue", "need:1"),
        ("ss-offer", "venue", "offer:2"),
        ("ss-offer", "money", "offer:3"),
    ]


@pytest.mark.parametrize(
    "payload",
    [
        "<img src=x onerror=alert(1)>",
        "${alert(document.domain)}",
        "`; alert(1); `",
        "</script><script>alert(1)</script>",
        "\\u003cscript\\u003e",
    ],
)
def test_user_text_is_inert_in_the_rendered_html(payload):
    frame = points([("need", 1, "art", payload, payload, "Lombok", "open", 52.09, 5.10, False)])
    html = build_map(frame).get_root().render()
    assert payload not in html
    assert (
        "<img src=x" not in html and "${alert" not in html and "</script><script>alert" not in html
    )


def test_inert_escapes_html_template_literal_and_jinja_characters():
    assert inert("<b>`${x}`\\</b>") == "&lt;b&gt;&#96;&#36;&#123;x&#125;&#96;&#92;&lt;/b&gt;"
    assert inert("{{ 7*7 }} {% raw %} {# x") == (
        "&#123;&#123; 7*7 &#125;&#125; &#123;% raw %&#125; &#123;# x"
    )


TEMPLATE_PAYLOADS = ["SS{{ 6*7 }}SS", "{% raw %}", "{# open comment", "{{ config }}", "{%"]


@pytest.mark.parametrize("payload", TEMPLATE_PAYLOADS)
def test_user_text_never_reaches_the_template_engine(payload):
    """branca renders every element's output again as a Jinja template: a title with template
    syntax must show as typed, not be evaluated (SS42SS) or crash the map."""
    frame = points([("need", 1, "venue", payload, payload, "Lombok", "open", 52.09, 5.10, False)])
    html = (
        build_map(
            frame,
            lines=[((52.09, 5.10), (52.1, 5.11), payload)],
            layer_names={"venue": payload + " L"},
            heat_name=payload + " H",
            lines_name=payload + " P",
        )
        .get_root()
        .render()
        .replace("\\u0026", "&")  # JSON data in the page escapes & as \\u0026
    )
    assert "SS42SS" not in html
    escaped = inert(payload)
    # title, organisation, line label, and the three layer names in the layer control
    assert html.count(escaped) >= 6
    assert payload not in html.replace(escaped, "")


def test_the_map_loads_nothing_from_a_cdn():
    from samenspel.web.maps import location_picker

    frame = points([("need", 1, "venue", "A", "X", "Lombok", "open", 52.09, 5.10, False)])
    for fmap in (build_map(frame, heat_name="warmte"), location_picker(52.09, 5.1)):
        html = fmap.get_root().render()
        links = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert links and all(link.startswith("/app/static/vendor/") for link in links), links
        hosts = set(re.findall(r"https?://([^/\"'\\]+)", html))
        assert hosts <= {"service.pdok.nl", "www.kadaster.nl"}, hosts


def test_heat_layer_and_partnership_lines_are_drawn():
    frame = points(
        [
            ("need", 1, "venue", "A", "X", "Lombok", "open", 52.09, 5.10, False),
            ("need", 2, "goods", "B", "Y", "Lombok", "closed", 52.10, 5.10, False),
        ]
    )
    html = (
        build_map(frame, heat_name="warmte", lines=[((52.09, 5.10), (52.1, 5.11), "<b>De Pan</b>")])
        .get_root()
        .render()
    )
    heat = re.search(r"L\.heatLayer\(\s*(\[.*?\]),", html, re.S)
    assert heat and json.loads(heat.group(1)) == [[52.09, 5.10]]  # only the open need
    # The lines are one layer's data: their places, and the label as inert text.
    lines = re.search(r"var lines = (\[.*?\]);\n", html, re.S)
    assert lines and json.loads(lines.group(1)) == [
        [52.09, 5.1, 52.1, 5.11, inert("<b>De Pan</b>")]
    ]
    assert "L.polyline" in html and "<b>De Pan</b>" not in html


def test_clicked_position_finds_every_point_there():
    frame = points(
        [
            ("need", 1, "venue", "A", "X", "Lombok", "open", 52.09, 5.10, True),
            ("need", 2, "goods", "B", "Y", "Lombok", "open", 52.09, 5.10, True),
            ("offer", 3, "goods", "C", "Z", "Zuilen", "open", 52.11, 5.09, False),
        ]
    )
    from samenspel.web.maps import nearest_points

    assert nearest_points(frame, 52.09, 5.10)["id"].tolist() == [1, 2]
    assert nearest_points(frame, 52.0903, 5.1004)["id"].tolist() == [1, 2]  # a spiderfied leg
    assert nearest_points(frame, 52.30, 5.40).empty


def two_kinds():
    return points(
        [
            ("need", 1, "venue", "Plek", "Buurtkeuken", "Lombok", "open", 52.09, 5.10, False),
            ("offer", 2, "money", "Bijdrage", "Fonds", "Zuilen", "open", 52.10, 5.09, False),
        ]
    )


def test_offers_are_drawn_as_diamonds_by_an_inner_shape_leaflet_does_not_move():
    """Leaflet positions an icon with `transform`, which would undo a rotation on the icon
    itself (offers showed as squares): the rotated shape is an element inside it."""
    html = build_map(two_kinds()).get_root().render()
    assert "html: '<span class=\"ss-shape\"></span>'" in html
    assert re.search(r"\.ss-offer \.ss-shape \{[^}]*rotate\(45deg\)", html)
    assert re.search(r"\.ss-need \.ss-shape \{[^}]*border-radius: 50%", html)
    assert not re.search(r"\.ss-offer \{[^}]*rotate", html)


def test_each_kinds_clusters_keep_its_colour_and_are_named_for_a_screen_reader():
    html = (
        build_map(
            two_kinds(), layer_names={"venue": "Ruimte", "money": "Geld"}, points_word="punten"
        )
        .get_root()
        .render()
    )
    assert "className: 'ss-cluster ss-kind-venue'" in html
    assert "className: 'ss-cluster ss-kind-money'" in html
    assert '"punten: Ruimte"' in html and '"punten: Geld"' in html
    assert ".ss-cluster.ss-kind-money { border-color: #009E73; }" in html
    assert "marker-cluster-small" not in html  # not the default green-yellow-orange


def test_a_point_is_a_named_keyboard_button_that_opens_its_card_on_enter():
    html = build_map(two_kinds()).get_root().render()
    assert "keyboard: true, title: name, alt: name" in html
    assert "event.key === 'Enter' || event.key === ' '" in html
    assert "marker.fire('click', {latlng: marker.getLatLng()" in html


def test_partnership_lines_follow_the_points_the_filters_show():
    from samenspel.web.queries import lines_of
    from samenspel.web.queries.map import Line

    lines = [
        Line((52.09, 5.10), (52.10, 5.09), "A - B", need_id=1, offer_id=2),
        Line((52.09, 5.10), (52.11, 5.12), "A - C", need_id=1, offer_id=9),
        Line((52.08, 5.10), (52.11, 5.12), "D - C", need_id=7, offer_id=9),
    ]
    frame = two_kinds()
    assert [line.label for line in lines_of(lines, frame)] == ["A - B", "A - C"]
    only_money = frame[frame["kind"] == "money"]
    assert [line.label for line in lines_of(lines, only_money)] == ["A - B"]
    assert lines_of(lines, frame.iloc[0:0]) == []


def test_too_many_points_are_counted_per_neighbourhood():
    from samenspel.web.queries import areas_of

    frame = points(
        [
            ("need", 1, "venue", "A", "X", "Lombok", "open", 52.090, 5.100, False),
            ("offer", 2, "venue", "B", "Y", "Lombok", "open", 52.092, 5.104, False),
            ("need", 3, "money", "C", "Z", "Zuilen", "open", 52.110, 5.090, False),
            ("need", 4, "goods", "D", "Q", None, "open", 52.100, 5.120, False),
        ]
    )
    areas = areas_of(frame)
    assert list(areas["neighbourhood"]) == ["Lombok", "", "Zuilen"]  # most points first
    assert list(areas["count"]) == [2, 1, 1]
    lombok = areas.iloc[0]
    assert (round(lombok["lat"], 3), round(lombok["lon"], 3)) == (52.091, 5.102)
    assert areas_of(frame.iloc[0:0]).empty


def test_the_area_map_draws_one_named_circle_per_neighbourhood():
    from samenspel.web.maps import build_area_map

    html = (
        build_area_map(
            [(52.091, 5.102, 1234, "Lombok: 1.234 punten"), (52.11, 5.09, 7, "<b>Zuilen</b>: 7")]
        )
        .get_root()
        .render()
    )
    rows = json.loads(re.search(r"var areas = (\[.*?\]);\n", html, re.S).group(1))
    assert rows == [[52.091, 5.102, 1234, "Lombok: 1.234 punten"],
                    [52.11, 5.09, 7, inert("<b>Zuilen</b>: 7")]]  # fmt: skip
    assert "<b>Zuilen</b>" not in html
    assert "keydown" in html and "title: name" in html  # a keyboard button with a name


def test_every_map_underlines_leaflets_own_link():
    """axe's link-in-text-block: the attribution link in the corner must not be told apart by
    colour alone, on every map the app draws (the profile's place picker too)."""
    from samenspel.web.maps import build_area_map, location_picker

    rule = ".leaflet-control-attribution a { color: #005A8C; text-decoration: underline; }"
    maps = [
        build_map(points([])),
        build_area_map([(52.091, 5.102, 3, "Lombok: 3 punten")]),
        location_picker(52.09, 5.10),
        location_picker(None, None),
    ]
    for fmap in maps:
        assert fmap.get_root().render().count(rule) == 1
