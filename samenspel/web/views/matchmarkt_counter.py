"""The counter for the wall at a matchmarkt: the deals confirmed so far, per corner. Only
numbers and the event's name, so it opens by its link without logging in; it refreshes
itself every few seconds."""

import streamlit as st

from samenspel.i18n import t
from samenspel.services import matchmarkt, matchmarkt_deals
from samenspel.services.errors import DomainError
from samenspel.web.ui import plain, read, require_page

require_page("samenspel/web/views/matchmarkt_counter.py")
REFRESH_S = 5
wanted = st.query_params.get("id", "")
if not wanted.isdigit():
    st.error(t("Deze link klopt niet: er staat geen matchmarkt in."))
    st.stop()


@st.fragment(run_every=REFRESH_S)
def counter() -> None:
    try:
        count = read(matchmarkt_deals.counter, int(wanted))
    except DomainError as exc:
        st.error(plain(str(exc)))
        return
    st.title(plain(count.title))
    st.markdown(
        f"<p style='font-size:7rem;font-weight:700;margin:0' aria-live='polite'>{count.confirmed}</p>",
        unsafe_allow_html=True,
    )  # only a number from the database: no user text in this markup
    st.subheader(t("deals gesloten"))
    columns = st.columns(len(count.per_corner))
    for column, (corner, n) in zip(columns, count.per_corner.items(), strict=True):
        column.metric(t(matchmarkt.CORNERS[corner]), n)
    if count.waiting:
        st.caption(t("{n} deals wachten nog op de notaris.", n=count.waiting))


counter()
