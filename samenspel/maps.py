"""Pure folium builders: data in, folium.Map out, tested on the rendered HTML.

folium inserts popups as raw HTML and tooltips into JavaScript template literals
(pitfalls.md), and Leaflet sets tooltip content as HTML. So every user string goes through
`inert()` before it reaches the map, and the points travel as JSON data to one JavaScript
callback per layer (FastMarkerCluster: 0.4 MB for 10k points where individual markers take
7.6 MB).
"""

from __future__ import annotations

import html
import math

import folium
import pandas as pd
from branca.element import Element
from folium.plugins import FastMarkerCluster, HeatMap

UTRECHT = (52.0907, 5.1214)

# Colour per kind (from a colour-blind-safe palette); shape tells needs from offers, so colour
# is never the only signal.
KIND_COLOURS = {
    "venue": "#0072B2",
    "volunteers": "#E69F00",
    "money": "#009E73",
    "art": "#CC79A7",
    "goods": "#D55E00",
    "expertise": "#56B4E9",
}
SHAPES = {"need": "ss-need", "offer": "ss-offer"}

_CSS = """
<style>
.ss-marker { border: 2px solid #fff; box-shadow: 0 0 2px #333; }
.ss-need { border-radius: 50%; }
.ss-offer { border-radius: 2px; transform: rotate(45deg); }
KIND_RULES
</style>
"""

# Each row: [lat, lon, shape class, kind, tooltip (already inert), point key]
_CALLBACK = """
function (row) {
    var icon = L.divIcon({className: 'ss-marker ' + row[2] + ' ss-kind-' + row[3], iconSize: [14, 14]});
    var marker = L.marker(new L.LatLng(row[0], row[1]), {icon: icon, keyboard: true});
    marker.bindTooltip(row[4]);
    return marker;
}
"""


def inert(text: object) -> str:
    """Text that cannot run: HTML-escaped, and the characters that matter inside JavaScript
    template literals (backtick, dollar, backslash) turned into HTML entities."""
    escaped = html.escape(str(text), quote=True)
    return escaped.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def _kind_css() -> str:
    return "\n".join(
        f".ss-kind-{kind} {{ background: {colour}; }}" for kind, colour in KIND_COLOURS.items()
    )


def point_rows(points: pd.DataFrame) -> list[list]:
    rows = []
    for p in points.itertuples(index=False):
        kind = p.kind if p.kind in KIND_COLOURS else "goods"
        shape = SHAPES.get(p.type, "ss-need")
        tooltip = f"{inert(p.title)} &middot; {inert(p.organisation)}"
        rows.append([float(p.lat), float(p.lon), shape, kind, tooltip, f"{p.type}:{int(p.id)}"])
    return rows


def build_map(
    points: pd.DataFrame,
    *,
    lines: list[tuple[tuple[float, float], tuple[float, float], str]] | None = None,
    layer_names: dict[str, str] | None = None,
    heat_name: str | None = None,
    lines_name: str = "partnerships",
    center: tuple[float, float] = UTRECHT,
    zoom: int = 13,
) -> folium.Map:
    """A map of needs and offers: one clustered layer per kind (named by `layer_names`), an
    optional heat layer of open needs, and lines between partners. `points` has the columns
    of queries.POINT_COLUMNS."""
    fmap = folium.Map(location=center, zoom_start=zoom, tiles="OpenStreetMap", control_scale=True)
    fmap.get_root().header.add_child(Element(_CSS.replace("KIND_RULES", _kind_css())))
    names = layer_names or {kind: kind for kind in KIND_COLOURS}
    for kind in KIND_COLOURS:
        rows = point_rows(points[points["kind"] == kind]) if len(points) else []
        if rows:
            FastMarkerCluster(rows, callback=_CALLBACK, name=inert(names.get(kind, kind))).add_to(
                fmap
            )
    if heat_name and len(points):
        open_needs = points[(points["type"] == "need") & (points["status"] == "open")]
        if len(open_needs):
            HeatMap(
                open_needs[["lat", "lon"]].values.tolist(),
                name=inert(heat_name),
                show=False,
                radius=25,
                blur=20,
            ).add_to(fmap)
    if lines:
        group = folium.FeatureGroup(name=inert(lines_name))
        for start, end, label in lines:
            # Light lines: a living city has many, and the points must stay readable.
            folium.PolyLine(
                [start, end], color="#555", weight=2, opacity=0.4, tooltip=inert(label)
            ).add_to(group)
        group.add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


def nearest_points(
    points: pd.DataFrame, lat: float, lon: float, within_deg: float = 0.005
) -> pd.DataFrame:
    """The points at the spot nearest to a click (within about 500 m), all of them: several
    can share a neighbourhood centre, and Leaflet reports a spiderfied marker at its leg's
    displaced position, not its own."""
    if points.empty:
        return points
    scale = math.cos(math.radians(lat))
    squared = (points["lat"] - lat) ** 2 + ((points["lon"] - lon) * scale) ** 2
    nearest = squared.idxmin()
    if squared[nearest] > within_deg**2:
        return points.iloc[0:0]
    spot = points.loc[nearest]
    return points[(points["lat"] == spot["lat"]) & (points["lon"] == spot["lon"])]


def location_picker(lat: float | None, lon: float | None, zoom: int = 15) -> folium.Map:
    """A map to click a place on; the current place is marked (no user text on it)."""
    center = (lat, lon) if lat is not None and lon is not None else UTRECHT
    fmap = folium.Map(
        location=center, zoom_start=zoom if lat is not None else 12, tiles="OpenStreetMap"
    )
    if lat is not None and lon is not None:
        folium.CircleMarker(center, radius=8, color="#0072B2", fill=True, fill_opacity=0.8).add_to(
            fmap
        )
    return fmap
