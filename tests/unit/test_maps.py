"""The map builder is pure: its rendered HTML is what the browser gets."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from samenspel.maps import build_map, inert
from samenspel.queries import POINT_COLUMNS


def points(rows):
    return pd.DataFrame(rows, columns=POINT_COLUMNS)


def rendered_rows(fmap) -> list[list]:
    html = fmap.get_root().render()
    match = re.search(r"var data = (\[.*?\]);\n", html, re.S)
    return json.loads(match.group(1)) if match else []


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


def test_inert_escapes_html_and_template_literal_characters():
    assert inert("<b>`${x}`\\</b>") == "&lt;b&gt;&#96;&#36;{x}&#96;&#92;&lt;/b&gt;"
