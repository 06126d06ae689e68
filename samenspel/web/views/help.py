"""Waar kunnen wij helpen? For partners (and initiatives that offer something too): per own
offer, the needs the engine suggests for it, with the same two answers an initiative has."""

import streamlit as st

from samenspel.i18n import t
from samenspel.web import queries, suggestion_card
from samenspel.web.ui import current_user, kind_label, plain, read, require_page

require_page("samenspel/web/views/help.py")
P = "help"
user = current_user()
st.title(t("Waar kunnen wij helpen?"))
if user.organisation_id is None:
    st.info(t("Je account hoort nog niet bij een organisatie."))
    st.stop()
for message in st.session_state.pop(f"{P}_messages", []):
    st.success(message)
for message in st.session_state.pop(f"{P}_error", []):
    st.error(message)  # escaped once by messages_of

_, offers = read(queries.own_posts, user.organisation_id)
offers = offers[offers["status"] == "open"]
if offers.empty:
    st.write(
        t(
            "Jullie hebben nog geen aanbod staan. Plaats aanbod, dan zoekt Samenspel vragen waar het bij past."
        )
    )
    st.page_link(
        "samenspel/web/views/post.py", label=t("Aanbod plaatsen"), icon=":material/edit_note:"
    )
    st.stop()

st.write(
    t(
        "Dit zijn vragen uit de buurt waar jullie aanbod bij past. Zeg ja als jullie willen kennismaken: de buurtmakelaar stelt jullie dan aan elkaar voor."
    )
)
rows = read(queries.matches_of_organisation, user.organisation_id)
suggested = rows[
    (rows["status"] == "suggested")
    & rows["passed_at"].isna()
    & (rows["offer_organisation_id"] == user.organisation_id)
]
for offer in offers.itertuples(index=False):
    own = suggested[suggested["offer_id"] == offer.id]
    st.subheader(f"{plain(offer.title)} · {kind_label(offer.kind)}")
    if own.empty:
        st.caption(t("Nog geen vragen die bij dit aanbod passen. Kijk ook op de kaart."))
    for m in own.itertuples(index=False):
        suggestion_card.show(m, side="partner", page=P)
