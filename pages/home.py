"""Home, for everyone: the neighbourhood's needs and offers on a map, with counts per kind."""

import streamlit as st
from streamlit_folium import st_folium

from samenspel.i18n import t
from samenspel.maps import KIND_COLOURS, build_map
from samenspel.ui import counts_per_kind, kind_label, map_points, partnership_lines

st.title(t("Samenspel in de buurt"))
st.write(
    t(
        "Bewoners vragen hulp, partners bieden hulp aan. Samenspel brengt ze bij elkaar. "
        "Rondjes zijn vragen, ruitjes zijn aanbod."
    )
)

counts = counts_per_kind()
columns = st.columns(len(counts))
for column, row in zip(columns, counts.itertuples(index=False), strict=True):
    column.metric(kind_label(row.kind), row.needs, help=t("Open vragen en aanbod van deze soort"))
    column.caption(t("vragen · {offers} aanbod", offers=row.offers))

points = map_points()
map_column, legend_column = st.columns([4, 1])
with map_column:
    st_folium(
        build_map(points, lines=partnership_lines()),
        key="home_map",
        height=560,
        use_container_width=True,
        returned_objects=[],  # panning and zooming must not rerun the page
    )
with legend_column:
    st.subheader(t("Legenda"))
    st.markdown(
        "● "
        + t("vraag (rondje)")
        + "  \n◆ "
        + t("aanbod (ruitje)")
        + "  \n— "
        + t("samenwerking (lijn)")
    )
    for kind, colour in KIND_COLOURS.items():
        st.markdown(
            f'<span style="display:inline-block;width:12px;height:12px;background:{colour};'
            f'margin-right:6px"></span>{kind_label(kind)}',
            unsafe_allow_html=True,  # our own fixed labels and colours, no user text
        )
    st.caption(t("{count} punten op de kaart", count=len(points)))
    st.caption(t("Initiatieven zonder rechtsvorm staan op buurtniveau, niet op hun adres."))
