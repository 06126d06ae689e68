"""The day of a matchmarkt, for its crew: a matchmaker records a deal in a few taps (who, what,
the tegenprestatie, by when), the notaris confirms it, and it becomes an agreed partnership.
Reached from the Matchmarkt page (its link carries the event's id)."""

from datetime import timedelta

import streamlit as st

from samenspel.i18n import t
from samenspel.services import matchmarkt, matchmarkt_deals
from samenspel.services.errors import DomainError
from samenspel.web.ui import (
    ask,
    messages_of,
    plain,
    require_page,
    show_field_error,
    submit_form,
    write,
)

require_page("samenspel/web/views/matchmarkt_day.py")
P = "mmday"
st.title(t("Matchmarkt: de dag"))
for message in st.session_state.pop(f"{P}_messages", []):
    st.success(message)

lines = ask(matchmarkt.event_lines)
by_id = {line.id: line for line in lines}
wanted = st.query_params.get("id", "")
if not wanted.isdigit() or int(wanted) not in by_id:
    st.info(t("Kies eerst een matchmarkt op de pagina Matchmarkt."))
    st.page_link(
        "samenspel/web/views/matchmarkt.py",
        label=t("Naar Matchmarkt"),
        icon=":material/storefront:",
    )
    st.stop()
try:
    view = ask(matchmarkt.overview, matchmarkt_id=int(wanted))
    deals = ask(matchmarkt_deals.day_deals, matchmarkt_id=view.id)
except DomainError as exc:
    for message in messages_of(exc):
        st.error(message)
    st.stop()
st.subheader(plain(view.title))
st.page_link("samenspel/web/views/matchmarkt_counter.py", label=t("Teller voor aan de muur"),
             icon=":material/scoreboard:", query_params={"id": view.id})  # fmt: skip


def noted(message: str, *, new_form: bool = False):
    """After a write: the message for the next run, and (new_form) an empty deal form."""

    def note(_result) -> None:
        st.session_state.setdefault(f"{P}_messages", []).append(message)
        if new_form:  # a new key: the form comes back empty (a refused one keeps what was typed)
            st.session_state[f"{P}_form_n"] = st.session_state.get(f"{P}_form_n", 0) + 1

    return note


needs = {i: f"{p.name}: {title}" for p in view.parties for i, title, _ in p.needs}
offers = {i: f"{p.name}: {title}" for p in view.parties for i, title, _ in p.offers}
if matchmarkt.MATCHMAKER in view.roles:
    st.header(t("Een deal opschrijven"))
    if not needs or not offers:
        st.info(t("Er doen nog geen organisaties mee met een vraag en een aanbod."))
    else:
        with st.form(f"{P}_deal_{st.session_state.get(f'{P}_form_n', 0)}"):
            need_id = st.selectbox(t("Wie vraagt (partij A)"), list(needs), format_func=needs.get, index=None,
                                   placeholder=t("Kies een vraag"))  # fmt: skip
            show_field_error(P, "need_id")
            offer_id = st.selectbox(t("Wie geeft (partij B)"), list(offers), format_func=offers.get, index=None,
                                    placeholder=t("Kies een aanbod"))  # fmt: skip
            show_field_error(P, "offer_id")
            what = st.text_input(t("Wat wordt er gegeven?"), max_chars=500,
                                 placeholder=t("bijvoorbeeld: 10 uur hulp bij de administratie"))  # fmt: skip
            show_field_error(P, "what")
            in_return = st.text_input(t("Wat geeft partij A terug? (de tegenprestatie)"), max_chars=500,
                                      placeholder=t("bijvoorbeeld: een rondleiding en een bedankje in de nieuwsbrief"))  # fmt: skip
            left, mid, right = st.columns(3)
            due_on = left.date_input(
                t("Gedaan vóór"), value=view.held_on + timedelta(days=60), format="DD-MM-YYYY"
            )
            show_field_error(P, "due_on")
            corners = ["", *matchmarkt.CORNERS]
            corner = mid.selectbox(t("Hoek"), corners, format_func=lambda c: t(matchmarkt.CORNERS[c]) if c
                                   else t("vanzelf (uit de soort hulp)"))  # fmt: skip
            value = right.number_input(
                t("Geschatte waarde in euro (niet verplicht)"), min_value=0, value=None, step=50
            )
            show_field_error(P, "value_eur")
            if st.form_submit_button(t("Deal opschrijven"), type="primary"):
                form = matchmarkt_deals.DealForm(need_id, offer_id, what, in_return, due_on, corner,
                                                 None if value is None else float(value))  # fmt: skip
                submit_form(P, lambda: write(matchmarkt_deals.record_deal, matchmarkt_id=view.id, form=form),
                            noted(t("De deal is opgeschreven. Nu bevestigt de notaris hem."), new_form=True))  # fmt: skip

st.header(t("Deals van vandaag ({n})", n=len(deals)))
if not deals:
    st.info(t("Nog geen deals. Die komen vanzelf!"))
for deal in deals:
    with st.container(border=True):
        st.markdown(f"**{plain(deal.giver)}** → **{plain(deal.seeker)}**: {plain(deal.what)}")
        st.caption(t("Voor de vraag: {need}. Terug: {back}. Gedaan vóór {due}. Hoek: {corner}.",
                     need=plain(deal.need), back=plain(deal.in_return or "-"),
                     due=deal.due_on.strftime("%d-%m-%Y"), corner=t(matchmarkt.CORNERS[deal.corner])))  # fmt: skip
        if deal.confirmed:
            st.markdown(
                ":material/check_circle: " + t("Bevestigd door de notaris: nu een samenwerking.")
            )
        elif matchmarkt.NOTARIS in view.roles:
            if st.button(t("Bevestigen als notaris"), key=f"{P}_confirm_{deal.id}", type="primary"):
                submit_form(P, lambda d=deal: write(matchmarkt_deals.confirm_deal, deal_id=d.id),
                            noted(t("Bevestigd. Beide kanten zien nu elkaars contactgegevens; partij B neemt binnen twee weken contact op.")))  # fmt: skip
        else:
            st.markdown(":material/hourglass_top: " + t("Wacht op de notaris."))
