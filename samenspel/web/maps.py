"""Pure folium builders: data in, folium.Map out, tested on the rendered HTML.

Three things make user text dangerous on a folium map, and `inert()` answers all three:
- branca renders each element's macro output *again* as a Jinja template, so "{{ 7*7 }}" in a
  title would be evaluated on the server (and "{% raw %}" would crash the map): braces become
  HTML entities;
- folium puts tooltips into JavaScript template literals: backtick, dollar and backslash become
  entities;
- Leaflet sets tooltip and layer-control content as HTML: the text is HTML-escaped.
Every user string goes through `inert()` before it reaches folium (a test renders every builder
with a canary in every field). The points travel as JSON data to one JavaScript callback per
layer (FastMarkerCluster: 0.4 MB for 10k points where individual markers take 7.6 MB), and so
do the partnership lines (one layer, not a PolyLine and a Tooltip template per line).

Cost. branca compiles every element's output once more as a new Jinja template. For a layer
that holds data that lexing is the map's largest cost (10,000 points: 0.5 CPU-s; 1,000 lines
as PolyLines: 3 CPU-s), so the layers that carry data are rendered once (`_RenderedOnce`).

No visitor's browser contacts a CDN: the Leaflet files come from the app itself
(`static/vendor`, see its README), and tiles from one configurable server
(`SAMENSPEL_TILE_URL`, PDOK's public BRT-achtergrondkaart by default).
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass

import folium
import pandas as pd
from branca.element import Element, MacroElement
from folium.plugins import FastMarkerCluster, HeatMap
from folium.template import Template  # with folium's filters (tojavascript)
from jinja2.utils import htmlsafe_json_dumps  # what folium's |tojson filter uses

from samenspel import settings

UTRECHT = (52.0907, 5.1214)

# Where Streamlit serves the app's own static folder (server.enableStaticServing).
ASSET_BASE = "/app/static/vendor"
_JS = {
    "leaflet": "leaflet/leaflet.js",
    "markerclusterjs": "leaflet.markercluster/leaflet.markercluster.js",
    "leaflet-heat.js": "leaflet.heat/leaflet-heat.js",
}
_CSS_FILES = {
    "leaflet_css": "leaflet/leaflet.css",
    "markerclustercss": "leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/MarkerCluster.Default.css",
}

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


@dataclass(frozen=True)
class Tiles:
    """The one server a visitor's browser contacts for the map background: an operator's
    setting (validated in samenspel.settings), never user text."""

    url: str
    attribution: str
    name: str = "achtergrond"


def configured_tiles() -> Tiles:
    return Tiles(settings.tile_url(), settings.get("SAMENSPEL_TILE_ATTRIBUTION"))


_CSS = """
<style>
/* Leaflet positions an icon with `transform`: the shape is drawn by an inner element, so
   that an offer's rotation (a diamond, as the legend says) is not overwritten. */
.ss-marker { background: none; border: none; }
.ss-shape { display: block; width: 10px; height: 10px; margin: 1px;
            border: 2px solid #fff; box-shadow: 0 0 0 1px #333; }
.ss-need .ss-shape { border-radius: 50%; }
.ss-offer .ss-shape { transform: rotate(45deg); border-radius: 1px; }
/* A cluster keeps its kind: a white disc with a ring in the kind's colour (the default
   green-yellow-orange would clash with the kinds' colours), dark text on white. */
.ss-cluster { background: #fff; border: 4px solid; border-radius: 50%; color: #1a1a1a;
              font: bold 13px sans-serif; display: flex; align-items: center; justify-content: center; box-shadow: 0 0 2px #333; }
/* A neighbourhood counted (too many points to draw one by one): a dark disc, white count. */
.ss-area { background: #005A8C; color: #fff; border: 3px solid #fff; border-radius: 50%;
           font: bold 13px sans-serif; display: flex; align-items: center;
           justify-content: center; box-shadow: 0 0 0 1px #333; }
.leaflet-marker-icon:focus-visible, .leaflet-interactive:focus-visible {
    outline: 3px solid #1a1a1a; outline-offset: 2px; }
KIND_RULES
</style>
"""

# A marker that is a named keyboard button, for points and neighbourhoods alike: the label
# (already inert) is its tooltip and, as text, its name for a screen reader (its title: Leaflet
# gives a keyboard marker the role "button"; DOMParser turns the entities back into text
# without running anything). Enter or Space clicks it, as a click does, with its place
# (Leaflet turns a key into a click without the place, and a card or a neighbourhood is found
# by its place).
_NAMED_MARKER = """function (lat, lon, icon, label) {
    var name = new DOMParser().parseFromString(label, 'text/html').body.textContent;
    var marker = L.marker(new L.LatLng(lat, lon),
                          {icon: icon, keyboard: true, title: name, alt: name});
    marker.bindTooltip(label);
    marker.on('add', function () {
        L.DomEvent.on(marker.getElement(), 'keydown', function (event) {
            if (event.key === 'Enter' || event.key === ' ') {
                L.DomEvent.preventDefault(event);
                marker.fire('click', {latlng: marker.getLatLng(), originalEvent: event}, true);
            }
        });
    });
    return marker;
}"""

# Each row: [lat, lon, shape class, kind, tooltip (already inert), point key].
_CALLBACK = """
(function () {
    var namedMarker = NAMED_MARKER;
    return function (row) {
        var icon = L.divIcon({className: 'ss-marker ' + row[2] + ' ss-kind-' + row[3],
                              html: '<span class="ss-shape"></span>', iconSize: [16, 16]});
        return namedMarker(row[0], row[1], icon, row[4]);
    };
})()
""".replace("NAMED_MARKER", _NAMED_MARKER)

# A cluster's icon and its name ("12 punten: Ruimte"), per kind.
_CLUSTER_ICON = """
function (cluster) {
    var count = cluster.getChildCount();
    cluster.options.title = count + ' ' +
        new DOMParser().parseFromString(LABEL, 'text/html').body.textContent;
    return L.divIcon({html: String(count), className: 'ss-cluster ss-kind-KIND',
                      iconSize: [30, 30]});
}
"""


_INERT = str.maketrans(
    {
        "`": "&#96;",  # JavaScript template literals
        "$": "&#36;",
        "\\": "&#92;",
        "{": "&#123;",  # Jinja: branca renders macro output again as a template
        "}": "&#125;",
    }
)


def inert(text: object) -> str:
    """Text that cannot run anywhere on a folium map: HTML-escaped, and the characters that
    matter to JavaScript template literals and to Jinja turned into HTML entities (the browser
    shows them as typed)."""
    return html.escape(str(text), quote=True).translate(_INERT)


def _local_assets(element, names: dict[str, str], attribute: str) -> None:
    """Point an element's JS or CSS links at the app's own copies; links we do not need
    (bootstrap, font-awesome, jQuery: we draw no awesome markers) are dropped."""
    setattr(
        element,
        attribute,
        [(name, f"{ASSET_BASE}/{path}") for name, path in names.items()
         if name in dict(getattr(type(element), attribute))],
    )  # fmt: skip


def _self_hosted(element):
    _local_assets(element, _JS, "default_js")
    _local_assets(element, _CSS_FILES, "default_css")
    return element


def _base_map(center: tuple[float, float], zoom: int, tiles: Tiles | None) -> folium.Map:
    tiles = tiles or configured_tiles()
    fmap = _self_hosted(
        folium.Map(location=center, zoom_start=zoom, tiles=None, control_scale=True)
    )
    folium.TileLayer(
        tiles=tiles.url, attr=inert(tiles.attribution), name=tiles.name, max_zoom=19, control=False
    ).add_to(fmap)
    fmap.get_root().header.add_child(Element(_ATTRIBUTION_CSS))  # on every map
    return fmap


# Leaflet's own link in the corner: underlined, so it is not told apart by colour alone.
_ATTRIBUTION_CSS = (
    "<style>.leaflet-control-attribution a { color: #005A8C; text-decoration: underline; }</style>"
)


def _kind_css() -> str:
    return "\n".join(
        f".ss-kind-{kind} .ss-shape {{ background: {colour}; }} "
        f".ss-cluster.ss-kind-{kind} {{ border-color: {colour}; }}"
        for kind, colour in KIND_COLOURS.items()
    )


def _cluster_icon(kind: str, label: str) -> str:
    """The cluster icon function of one kind's layer, named "<count> <label>". The label goes
    in inert (as every text on the map) and is turned back into text in the browser."""
    words = json.dumps(inert(label), ensure_ascii=False)
    return _CLUSTER_ICON.replace("LABEL", words).replace("KIND", kind)


class _Output(Element):
    """Text that is put in the page as it is, not compiled as a template."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class _RenderedOnce(MacroElement):
    """branca's MacroElement.render, except that each macro's output goes in the page as it
    is, instead of being compiled as a new template (see Cost above). Listed last among an
    element's bases, so folium's own render steps (links, layer options) still run first."""

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        for part in ("header", "html", "script"):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_Output(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class _PointLayer(FastMarkerCluster, _RenderedOnce):
    """FastMarkerCluster given its rows as they are: folium checks every row's place in
    Python (0.1 CPU-s at 10k points); a map point's place comes from the database as two
    floats, and points without one are not on the map (queries.map_points)."""

    def __init__(self, rows: list[list], **kwargs):
        super().__init__([], **kwargs)
        self.data = rows


class _HeatLayer(HeatMap, _RenderedOnce):
    def __init__(self, places: list[list[float]], **kwargs):
        super().__init__([], **kwargs)
        self.data = places


class _LineLayer(folium.FeatureGroup, _RenderedOnce):
    """Partnership lines as one layer: the lines as JSON data ([lat, lon, lat, lon, label])
    drawn by one loop. Light lines: a living city has many, and the points must stay
    readable."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.featureGroup({{ this.options|tojavascript }});
            (function () {
                var lines = {{ this.lines_json }};
                for (var i = 0; i < lines.length; i++) {
                    var line = lines[i];
                    L.polyline([[line[0], line[1]], [line[2], line[3]]],
                               {color: "#555", weight: 2, opacity: 0.4})
                        .bindTooltip(line[4])
                        .addTo({{ this.get_name() }});
                }
            })();
        {% endmacro %}
        """
    )

    def __init__(self, lines: list, name: str):
        super().__init__(name=name)
        rows = [[*map(float, (*start, *end)), inert(label)] for start, end, label, *_ in lines]
        self.lines_json = htmlsafe_json_dumps(rows)


class _AreaLayer(folium.FeatureGroup, _RenderedOnce):
    """Neighbourhoods as counted circles, for a map with too many points to draw one by one:
    rows [lat, lon, count, label] drawn by one loop, each a named keyboard button like a
    point (_NAMED_MARKER)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.featureGroup({{ this.options|tojavascript }});
            (function () {
                var areas = {{ this.areas_json }};
                var namedMarker = {{ this.named_marker }};
                for (var i = 0; i < areas.length; i++) {
                    var area = areas[i];
                    var icon = L.divIcon({className: 'ss-area', html: String(area[2]),
                                          iconSize: [36, 36]});
                    namedMarker(area[0], area[1], icon, area[3]).addTo({{ this.get_name() }});
                }
            })();
        {% endmacro %}
        """
    )

    def __init__(self, areas: list, name: str):
        super().__init__(name=name, control=False)
        rows = [[float(lat), float(lon), int(count), inert(label)]
                for lat, lon, count, label in areas]  # fmt: skip
        self.areas_json = htmlsafe_json_dumps(rows)
        self.named_marker = _NAMED_MARKER


def build_area_map(
    areas: list,
    *,
    center: tuple[float, float] = UTRECHT,
    zoom: int = 12,
    tiles: Tiles | None = None,
) -> folium.Map:
    """A map of neighbourhoods instead of points: `areas` are (lat, lon, count, label), the
    label ("Lombok: 1.234 punten") naming the circle for a tooltip and a screen reader."""
    fmap = _base_map(center, zoom, tiles)
    fmap.get_root().header.add_child(Element(_CSS.replace("KIND_RULES", _kind_css())))
    if areas:
        _AreaLayer(areas, name="areas").add_to(fmap)
        lats, lons = [float(a[0]) for a in areas], [float(a[1]) for a in areas]
        fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(30, 30))
    return fmap


def point_rows(points: pd.DataFrame) -> list[list]:
    """The callback's rows: [lat, lon, shape, kind, tooltip, "type:id"]. Built column by
    column: a loop over the frame's rows cost 0.8 CPU-s at 10,000 points (pandas' Arrow
    strings are slow to read one at a time)."""
    types = points["type"].tolist()
    kinds = [kind if kind in KIND_COLOURS else "goods" for kind in points["kind"].tolist()]
    tooltips = [f"{inert(title)} &middot; {inert(organisation)}" for title, organisation
                in zip(points["title"].tolist(), points["organisation"].tolist(), strict=True)]  # fmt: skip
    return [
        [lat, lon, SHAPES.get(point_type, "ss-need"), kind, tooltip, f"{point_type}:{number}"]
        for lat, lon, point_type, kind, tooltip, number in zip(
            points["lat"].astype(float).tolist(), points["lon"].astype(float).tolist(), types,
            kinds, tooltips, points["id"].astype(int).tolist(), strict=True,
        )
    ]  # fmt: skip


def build_map(
    points: pd.DataFrame,
    *,
    lines: list | None = None,
    layer_names: dict[str, str] | None = None,
    heat_name: str | None = None,
    lines_name: str = "partnerships",
    points_word: str = "points",
    center: tuple[float, float] = UTRECHT,
    zoom: int = 13,
    tiles: Tiles | None = None,
) -> folium.Map:
    """A map of needs and offers: one clustered layer per kind (named by `layer_names`), an
    optional heat layer of open needs, and lines between partners (queries.Line, or any
    (start, end, label) tuple). `points` has the columns of queries.POINT_COLUMNS; a cluster is
    named "<count> <points_word>: <layer name>"."""
    fmap = _base_map(center, zoom, tiles)
    fmap.get_root().header.add_child(Element(_CSS.replace("KIND_RULES", _kind_css())))
    names = layer_names or {kind: kind for kind in KIND_COLOURS}
    for kind in KIND_COLOURS:
        rows = point_rows(points[points["kind"] == kind]) if len(points) else []
        if rows:
            cluster = _PointLayer(
                rows,
                callback=_CALLBACK,
                name=inert(names.get(kind, kind)),
                icon_create_function=_cluster_icon(kind, f"{points_word}: {names.get(kind, kind)}"),
            )
            _self_hosted(cluster).add_to(fmap)
    if heat_name and len(points):
        open_needs = points[(points["type"] == "need") & (points["status"] == "open")]
        if len(open_needs):
            heat = _HeatLayer(
                open_needs[["lat", "lon"]].to_numpy(dtype=float).tolist(),
                name=inert(heat_name),
                show=False,
                radius=25,
                blur=20,
            )
            _self_hosted(heat).add_to(fmap)
    if lines:
        _LineLayer(lines, name=inert(lines_name)).add_to(fmap)
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


def location_picker(
    lat: float | None, lon: float | None, zoom: int = 15, tiles: Tiles | None = None
) -> folium.Map:
    """A map to click a place on; the current place is marked (no user text on it)."""
    center = (lat, lon) if lat is not None and lon is not None else UTRECHT
    fmap = _base_map(center, zoom if lat is not None else 12, tiles)
    if lat is not None and lon is not None:
        folium.CircleMarker(center, radius=8, color="#0072B2", fill=True, fill_opacity=0.8).add_to(
            fmap
        )
    return fmap
