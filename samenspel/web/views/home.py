"""The map, for everyone: needs, offers and partnerships in the neighbourhood, with filters,
a list view and a card for the point you click."""

import html

import streamlit as st
from streamlit_folium import st_folium

from samenspel import settings
from samenspel.i18n import language, t
from samenspel.matching.types import KINDS
from samenspel.matching.vocabulary import CONDITIONS
from samenspel.services import matches
from samenspel.services.errors import DomainError
from samenspel.services.exports import to_csv_bytes
from samenspel.web import queries, suggestion_card
from samenspel.web.maps import KIND_COLOURS, build_area_map, build_map, nearest_points
from samenspel.web.ui import (
    condition_label,
    counts_per_kind,
    current_role,
    current_user,
    exact_areas,
    kind_label,
    map_points,
    page_number,
    partnership_lines,
    read,
    show_domain_error,
    status_label,
    write,
)

P = "home"
MAP, LIST = "map", "list"
st.title(t("Samenspel in de buurt"))
st.write(
    t(
        "Bewoners vragen hulp, partners bieden hulp aan. Samenspel brengt ze bij elkaar. "
        "Rondjes zijn vragen, ruitjes zijn aanbod. Klik op een punt voor meer."
    )
)
# The list is the map's full text alternative: the same points, filters and cards.
view = st.segmented_control(
    t("Bekijk als"),
    [MAP, LIST],
    default=MAP,
    format_func=lambda v: t("Kaart") if v == MAP else t("Lijst"),
    key=f"{P}_view",
    required=True,
)

areas = exact_areas()
points = map_points(areas)
with st.expander(t("Filters"), expanded=False):
    left, middle, right = st.columns(3)
    kinds = left.multiselect(
        t("Soort hulp"), KINDS, format_func=kind_label, key=f"{P}_kinds", placeholder=t("Kies...")
    )
    types = left.multiselect(
        t("Vraag of aanbod"),
        ["need", "offer"],
        key=f"{P}_types",
        placeholder=t("Kies..."),
        format_func=lambda v: t("vragen") if v == "need" else t("aanbod"),
    )
    hoods = middle.multiselect(
        t("Buurt"),
        sorted(points["neighbourhood"].dropna().unique()),
        key=f"{P}_hoods",
        placeholder=t("Kies..."),
    )
    conditions = middle.multiselect(
        t("Werkt aan"),
        CONDITIONS,
        format_func=condition_label,
        key=f"{P}_conditions",
        placeholder=t("Kies..."),
    )
    statuses = right.multiselect(
        t("Status"),
        ["open", "matched"],
        format_func=status_label,
        key=f"{P}_statuses",
        placeholder=t("Kies..."),
    )
    text = right.text_input(t("Zoek in titel of organisatie"), key=f"{P}_text")
    # Off by default: in a busy city the lines cover the points.
    show_lines = right.toggle(t("Toon samenwerkingen (lijnen)"), key=f"{P}_lines")
shown = queries.filter_points(
    points,
    kinds=kinds,
    neighbourhoods=hoods,
    conditions=conditions,
    statuses=statuses,
    types=types,
    text=text,
)


def legend() -> None:
    st.markdown(
        "● "
        + t("vraag (rondje)")
        + "  \n◆ "
        + t("aanbod (ruitje)")
        + "  \n— "
        + t("samenwerking (lijn, zet ze aan bij Filters)")
    )
    counts = counts_per_kind().set_index("kind")
    for kind, colour in KIND_COLOURS.items():
        label = t(
            "{kind}: {needs} vragen, {offers} aanbod",
            kind=kind_label(kind),
            needs=counts.at[kind, "needs"],
            offers=counts.at[kind, "offers"],
        )
        st.markdown(
            f'<span style="display:inline-block;width:12px;height:12px;background:{colour};'
            f'margin-right:6px" aria-hidden="true"></span>{html.escape(label)}',
            unsafe_allow_html=True,  # our own fixed labels, numbers and colours, no user text
        )
    st.caption(t("{count} punten op de kaart", count=len(shown)))
    st.caption(t("Initiatieven zonder rechtsvorm staan op buurtniveau, niet op hun adres."))


def offer_help_form(card) -> None:
    user = current_user()
    own = read(queries.own_open_offers, user.organisation_id, card.kind)
    if own.empty:
        st.caption(t("Plaats eerst aanbod van deze soort om hier te kunnen helpen."))
        return
    offer_id = st.selectbox(
        t("Met welk aanbod?"),
        own["id"].tolist(),
        key=f"{P}_help_offer_{card.id}",
        format_func=dict(zip(own["id"], own["title"], strict=True)).get,
    )
    if st.button(t("Ik kan helpen"), key=f"{P}_help_{card.id}", type="primary"):
        try:
            match = write(matches.offer_help, need_id=card.id, offer_id=int(offer_id))
            st.success(suggestion_card.after_yes(match))
        except DomainError as exc:
            show_domain_error(exc)


def show_card(point_type: str, point_id: int) -> None:
    card = read(queries.point_card, point_type, point_id)
    if card is None:
        return
    user = current_user()
    with st.container(border=True, key=f"{P}_card_{point_type}_{point_id}"):
        heading = t("Vraag") if card.type == "need" else t("Aanbod")
        st.caption(f"{heading} · {kind_label(card.kind)} · {status_label(card.status)}")
        st.text(card.title)
        st.text(f"{card.organisation} ({card.neighbourhood})")
        if card.description:
            st.text(card.description)
        details = []
        if card.when:
            details.append(t("Wanneer: {when}", when=card.when))
        if card.people:
            details.append(t("Aantal: {n}", n=card.people))
        if card.amount:
            details.append(t("Bedrag: EUR {amount}", amount=card.amount))
        if details:
            st.text(" · ".join(details))
        if user is None:
            st.caption(t("Log in om te reageren. Contactgegevens zie je pas na een afspraak."))
        elif user.role == "partner" and card.type == "need":
            offer_help_form(card)
        elif user.organisation_id == card.organisation_id:
            st.page_link("samenspel/web/views/mine.py", label=t("Naar mijn vragen en aanbod"))
        elif user.role in ("broker", "admin"):
            st.page_link("samenspel/web/views/review.py", label=t("Naar te beoordelen"))


AFTER_MAP = "na-de-kaart"  # the anchor of the heading beside the map


def skip_link() -> None:
    """Keyboard users pass the map's many points in one step (WCAG 2.4.1)."""
    st.markdown("[" + t("Sla de kaart over") + "](#" + AFTER_MAP + ")")


def count_text(count: int) -> str:
    return f"{count:,}".replace(",", "." if language() == "nl" else ",")


def choose_area() -> None:
    """A click on a counted neighbourhood chooses it in the filters, so its points show."""
    spot = (st.session_state.get(f"{P}_area_map") or {}).get("last_object_clicked")
    areas = st.session_state.get(f"{P}_areas") or []
    if not spot or not areas:
        return
    name, _, _ = min(areas, key=lambda a: (a[1] - spot["lat"]) ** 2 + (a[2] - spot["lng"]) ** 2)
    if name:  # points without a neighbourhood cannot be chosen by one
        st.session_state[f"{P}_hoods"] = [name]
        st.session_state[f"{P}_area_chosen"] = True


def area_map() -> None:
    """Too many points to draw one by one: the map counts them per neighbourhood."""
    areas = queries.areas_of(shown)
    st.session_state[f"{P}_areas"] = list(
        zip(areas["neighbourhood"], areas["lat"], areas["lon"], strict=True)
    )
    st.caption(
        t(
            "{count} punten: te veel om los te tonen. De kaart telt ze per buurt. Kies een buurt "
            "(klik op een cirkel, of bij Filters) om de punten te zien.",
            count=count_text(len(shown)),
        )
    )
    labels = [
        t("{area}: {count} punten", area=name or t("zonder buurt"), count=count_text(count))
        for name, count in zip(areas["neighbourhood"], areas["count"], strict=True)
    ]
    st_folium(
        build_area_map(list(zip(areas["lat"], areas["lon"], areas["count"], labels, strict=True))),
        key=f"{P}_area_map",
        height=480,
        use_container_width=True,
        returned_objects=["last_object_clicked"],
        on_change=choose_area,
    )
    if st.session_state.pop(f"{P}_area_chosen", False):
        st.rerun()  # the whole page: the filters above the map show the neighbourhood chosen


@st.fragment
def map_and_card() -> None:
    skip_link()
    map_column, side_column = st.columns([3, 1])
    if len(shown) > settings.map_points_max():
        with map_column:
            area_map()
        with side_column:
            st.subheader(t("Legenda"), anchor=AFTER_MAP)
            legend()
        return
    with map_column:
        lines = []
        if show_lines:
            lines = partnership_lines(areas, staff=current_role() in ("broker", "admin"))
        fmap = build_map(
            shown,
            lines=queries.lines_of(lines, shown),
            layer_names={kind: kind_label(kind) for kind in KINDS},
            heat_name=t("Warmte: open vragen"),
            lines_name=t("Samenwerkingen"),
            points_word=t("punten"),
        )
        clicked = st_folium(
            fmap,
            key=f"{P}_map",
            height=480,
            use_container_width=True,
            returned_objects=["last_object_clicked"],  # only a click reruns, not panning
        )
    spot = (clicked or {}).get("last_object_clicked")
    if spot:  # keep the choice: the next rerun reports no click
        st.session_state[f"{P}_selected"] = (spot["lat"], spot["lng"])
    with side_column:
        selected = st.session_state.get(f"{P}_selected")
        here = nearest_points(shown, *selected) if selected else shown.iloc[0:0]
        if len(here):
            st.subheader(t("Gekozen punt"), anchor=AFTER_MAP)
            for row in here.head(5).itertuples(index=False):
                show_card(row.type, int(row.id))
            if st.button(t("Sluiten"), key=f"{P}_close"):
                st.session_state.pop(f"{P}_selected", None)
                st.rerun(scope="fragment")
        else:
            st.subheader(t("Legenda"), anchor=AFTER_MAP)
            legend()


LIST_PAGE = 100  # rows per page: the list is sent to the browser one page at a time


def listing_of(points):
    """The points as the list shows them (and the CSV has them), in the reader's words."""
    listing = points[["type", "kind", "title", "organisation", "neighbourhood", "status"]].copy()
    listing["type"] = listing["type"].map(lambda v: t("vraag") if v == "need" else t("aanbod"))
    listing["kind"] = listing["kind"].map(kind_label)
    listing["status"] = listing["status"].map(status_label)
    listing.columns = [t("Soort"), t("Hulp"), t("Titel"), t("Organisatie"), t("Buurt"), t("Status")]
    return listing


def point_list() -> None:
    """Every point the filters show, as a table in pages; choosing a row opens its card
    below."""
    page = page_number(len(shown), LIST_PAGE, key=f"{P}_list_page")
    start = (page - 1) * LIST_PAGE
    on_page = shown.iloc[start : start + LIST_PAGE]
    st.caption(
        t(
            "{count} punten, {first} tot en met {last} staan hier. Kies een regel om meer te zien.",
            count=len(shown),
            first=start + 1 if len(on_page) else 0,
            last=start + len(on_page),
        )
    )
    chosen = st.dataframe(
        listing_of(on_page),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=f"{P}_list_{page}",  # a row number means something on its own page only
    )
    rows = chosen.selection.rows if chosen else []
    if rows and rows[0] < len(on_page):
        point = on_page.iloc[rows[0]]
        show_card(point["type"], int(point["id"]))
    everything = shown  # the CSV holds every point the filters show, made only when asked
    st.download_button(
        t("Download als CSV"),
        lambda: to_csv_bytes(listing_of(everything)),
        file_name="samenspel-kaart.csv",
        mime="text/csv",
        key=f"{P}_download",
    )


if view == LIST:
    point_list()
else:
    map_and_card()
