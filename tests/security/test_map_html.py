"""The map HTML as the server renders it: every payload in every user-text input of
`build_map`, rendered with folium's template engine. Nothing may crash, nothing may be
evaluated, and what a browser would show must be exactly what the user typed."""

from __future__ import annotations

import html
import inspect
import json

import pandas as pd
import pytest

from samenspel.web.maps import KIND_COLOURS, build_map
from samenspel.web.queries import POINT_COLUMNS
from tests.security.payloads import PAYLOADS, evaluated_in, same_text, short, summary

START, END = "QZXS", "QZXE"  # markers around a field's text: letters no escaping touches
# Characters that must never reach the map's HTML or JavaScript raw: `&` is allowed, it starts
# the entities the escaped text is made of.
RAW = set("<>{}`$\\'\"")
# Columns of a point that are not free text; every other column gets the payload, so a
# column added later is attacked without anyone having to remember it.
NOT_TEXT = {"type", "id", "kind", "status", "lat", "lon", "blurred"}
# build_map's inputs; `center`, `zoom` and `tiles` (an operator's setting) carry no user text.
BUILD_MAP_INPUTS = {"points", "lines", "layer_names", "heat_name", "lines_name", "points_word",
                    "center", "zoom", "tiles"}  # fmt: skip


def marked(text: str) -> str:
    return f"{START}{text}{END}"


def points_with(text_for: dict[str, str]) -> pd.DataFrame:
    """One need per kind, every free-text column filled from `text_for` (column -> text)."""
    rows = []
    for number, kind in enumerate(KIND_COLOURS, start=1):
        row = {"type": "need" if number % 2 else "offer", "id": number, "kind": kind,
               "status": "open", "lat": 52.09 + number / 1000, "lon": 5.10, "blurred": False}  # fmt: skip
        for column in POINT_COLUMNS:
            if column not in NOT_TEXT:
                row[column] = text_for.get(column, text_for["*"])
        rows.append(row)
    return pd.DataFrame(rows, columns=POINT_COLUMNS)


def render(title: str, other: str) -> str:
    """The map with `title` as every title and `other` in every other user-text input."""
    fmap = build_map(
        points_with({"title": title, "*": other}),
        lines=[((52.09, 5.10), (52.10, 5.11), other)],
        layer_names={kind: other for kind in KIND_COLOURS},
        heat_name=other,
        lines_name=other,
        points_word=other,
    )
    return fmap.get_root().render()


def decoded(segment: str) -> str | None:
    """A marked field's text as the browser's JavaScript sees it: JSON and JavaScript string
    escapes undone (text that is not a valid string literal body counts as unsafe: None)."""
    try:
        return json.loads(f'"{segment}"', strict=False)
    except json.JSONDecodeError:
        return None


def unsafe_fields(rendered: str, typed: str) -> tuple[int, list[str]]:
    """(marked fields found, problems): each field must hold no raw special character and
    show, once its entities are read, exactly what was typed."""
    problems, found, position = [], 0, 0
    while (start := rendered.find(START, position)) >= 0:
        end = rendered.find(END, start)
        if end < 0:
            problems.append("a field start without its end: the text was cut or broke out")
            break
        found += 1
        segment = rendered[start + len(START) : end]
        value = decoded(segment)
        if value is None or RAW & set(value):
            problems.append(f"raw special characters in {short(segment)}")
        elif not same_text(html.unescape(value), typed):
            problems.append(f"shows {short(html.unescape(value))} for {short(typed)}")
        position = end + len(END)
    return found, problems


@pytest.mark.parametrize("payload", PAYLOADS, ids=str)
def test_every_payload_in_every_map_input_renders_inert(payload):
    try:
        rendered = render(payload.text, marked(payload.text))
    except Exception as exc:  # noqa: BLE001 - any exception is the finding
        pytest.fail(f"build_map crashed on {payload}: {exc.__class__.__name__}: {exc}")
    assert evaluated_in(rendered) == [], f"{payload} was evaluated"
    if RAW & set(payload.text):
        assert payload.text not in rendered, f"{payload} is in the map's HTML unescaped"
    found, problems = unsafe_fields(rendered, payload.text)
    # A tooltip per point, the line's label, and the layer control's name (the same name for
    # every layer here, so one entry).
    assert found >= len(KIND_COLOURS) + 2, f"{payload}: only {found} marked fields rendered"
    assert problems == [], f"{payload}: {problems[:3]}"


def test_whole_corpus_summary():
    """One line of numbers for the whole corpus, and 0 of everything."""
    crashed = evaluated = raw = wrong = 0
    for payload in PAYLOADS:
        try:
            rendered = render(payload.text, marked(payload.text))
        except Exception:  # noqa: BLE001 - counted, not raised: this is the summary
            crashed += 1
            continue
        evaluated += bool(evaluated_in(rendered))
        raw += bool(RAW & set(payload.text)) and payload.text in rendered
        wrong += bool(unsafe_fields(rendered, payload.text)[1])
    inputs = len([c for c in POINT_COLUMNS if c not in NOT_TEXT]) + 4
    summary("map html", payloads=len(PAYLOADS), inputs=inputs, tried=len(PAYLOADS) * inputs,
            crashed=crashed, evaluated=evaluated, raw=raw, wrong=wrong)  # fmt: skip
    assert (crashed, evaluated, raw, wrong) == (0, 0, 0, 0)


CANARY = "<b>{{7*7}}{% raw %}`${x}`'\"\\&amp;</b>"


def test_guard_every_user_text_input_reaches_the_map_only_escaped():
    """A guard for the next folium element: with a canary in every user-text input, every
    place a canary lands in the output is escaped and reads back as typed. If a new input or
    element passes user text to folium unescaped, this fails."""
    assert set(inspect.signature(build_map).parameters) == BUILD_MAP_INPUTS, (
        "build_map has a new input: give it a canary here and in render()"
    )
    texts = {column: f"{column}:{CANARY}" for column in POINT_COLUMNS if column not in NOT_TEXT}
    texts |= {name: f"{name}:{CANARY}" for name in ("line", "layer", "heat", "lines", "points")}
    fmap = build_map(
        points_with({**{c: marked(texts[c]) for c in POINT_COLUMNS if c in texts}, "*": "x"}),
        lines=[((52.09, 5.10), (52.10, 5.11), marked(texts["line"]))],
        layer_names={kind: marked(texts["layer"]) for kind in KIND_COLOURS},
        heat_name=marked(texts["heat"]),
        lines_name=marked(texts["lines"]),
        points_word=marked(texts["points"]),
    )
    rendered = fmap.get_root().render()
    problems = [f"{name}: raw in the output" for name, text in texts.items() if text in rendered]
    seen = set()
    for segment in rendered.split(START)[1:]:
        body, ended, _ = segment.partition(END)
        value = decoded(body) if ended else None
        if value is None or RAW & set(value):
            problems.append(f"raw special characters in {short(body)}")
            continue
        shown = html.unescape(value)
        name = shown.split(":", 1)[0]
        if texts.get(name) != shown:
            problems.append(f"{name} reads back as {short(shown)}")
        seen.add(name)
    # The inputs a user sees on the map must be there (escaped), or the check proves nothing.
    problems += [f"{name}: not on the map" for name in
                 ("title", "organisation", "line", "layer", "heat", "lines", "points")
                 if name not in seen]  # fmt: skip
    summary("map guard", inputs=len(texts), fields_rendered=rendered.count(START),
            problems=len(problems))  # fmt: skip
    assert problems == [], problems[:5]


@pytest.mark.parametrize("payload", PAYLOADS, ids=str)
def test_every_payload_in_a_neighbourhood_label_renders_inert(payload):
    """The map that counts points per neighbourhood: its labels are user text too (the
    neighbourhood's name comes from organisations, imports included)."""
    from samenspel.web.maps import build_area_map

    rendered = build_area_map([(52.09, 5.10, 3, marked(payload.text))]).get_root().render()
    assert evaluated_in(rendered) == [], f"{payload} was evaluated"
    if RAW & set(payload.text):
        assert payload.text not in rendered, f"{payload} is in the map's HTML unescaped"
    found, problems = unsafe_fields(rendered, payload.text)
    assert found == 1 and problems == [], f"{payload}: {found} fields, {problems[:3]}"
