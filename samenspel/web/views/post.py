"""Post a need (initiatives, and brokers on their behalf) or an offer (partners)."""

from datetime import date

import streamlit as st

from samenspel.i18n import t
from samenspel.matching.types import KINDS, LEGAL_FORMS
from samenspel.services import posts
from samenspel.services.errors import DomainError, InvalidInput
from samenspel.web import queries
from samenspel.web.ui import (
    current_user,
    field_errors,
    kind_label,
    legal_form_label,
    messages_of,
    plain,
    read,
    require_page,
    show_field_error,
    write,
)

require_page("samenspel/web/views/post.py")
P = "post"
user = current_user()
is_need = user.role != "partner"

st.title(t("Vraag plaatsen") if is_need else t("Aanbod plaatsen"))
if st.session_state.get(f"{P}_done"):
    st.success(st.session_state.pop(f"{P}_done"))

organisation_id = user.organisation_id
if user.role in ("broker", "admin"):
    st.write(t("Vul een vraag in voor een initiatief dat belde of langskwam."))
    initiatives = read(queries.organisations, "initiative")
    choice = st.selectbox(
        t("Voor welk initiatief?"),
        initiatives["id"].tolist(),
        format_func=dict(zip(initiatives["id"], initiatives["name"], strict=True)).get,
        key=f"{P}_org",
    )
    organisation_id = int(choice) if choice is not None else None
if organisation_id is None:
    st.info(
        t("Je account hoort nog niet bij een organisatie. Vraag de beheerder om dat te regelen.")
    )
    st.stop()

kind = st.selectbox(t("Wat voor hulp?"), KINDS, format_func=kind_label, key=f"{P}_kind")
show_field_error(P, "kind")
st.text_input(
    t("Titel") + " *",
    key=f"{P}_title",
    max_chars=200,
    placeholder=t("bijv. Plek om op dinsdagavond samen te koken")
    if is_need
    else t("bijv. Zaal met keuken"),
)
show_field_error(P, "title")

here = read(queries.organisation_location, organisation_id)  # "nearby" is near this organisation
similar = read(
    queries.similar_posts,
    kind=kind,
    title=st.session_state.get(f"{P}_title", ""),
    lat=here[0],
    lon=here[1],
    is_need=is_need,
)
if len(similar):
    with st.container(border=True):
        st.markdown("**" + t("Bestaat dit al?") + "**")
        for row in similar.itertuples(index=False):
            st.text(f"• {row.title} ({row.organisation})")
        st.caption(t("Kijk of je hierbij kunt aansluiten, voordat je iets nieuws plaatst."))

st.text_area(
    t("Vertel in je eigen woorden wat je zoekt") if is_need else t("Beschrijving"),
    key=f"{P}_description",
    max_chars=2000,
)
show_field_error(P, "description")
st.text_input(
    t("Onderwerpen (met ; ertussen)"), key=f"{P}_themes", placeholder=t("eten; ontmoeting")
)
show_field_error(P, "themes")

people_label = {
    "venue": t("Met hoeveel mensen zijn jullie?")
    if is_need
    else t("Voor hoeveel mensen is de ruimte?"),
    "volunteers": t("Hoeveel vrijwilligers zoeken jullie?")
    if is_need
    else t("Hoeveel vrijwilligers?"),
}
if kind in people_label:
    st.number_input(
        people_label[kind] + (" *" if is_need else ""),
        min_value=0,
        step=1,
        value=None,
        key=f"{P}_people",
    )
    show_field_error(P, "people")
if kind == "venue":
    st.checkbox(
        t("We hebben een keuken nodig") if is_need else t("Er is een keuken"), key=f"{P}_kitchen"
    )
    st.checkbox(
        t("Drempelvrij nodig (rolstoel)") if is_need else t("Drempelvrij (rolstoel)"),
        key=f"{P}_step_free",
    )
if kind == "volunteers":
    st.text_input(t("Welke vaardigheden?"), key=f"{P}_skills")
    show_field_error(P, "skills")
    st.number_input(t("Uren per week"), min_value=0.0, step=1.0, value=None, key=f"{P}_hours")
if kind == "money":
    if is_need:
        st.number_input(
            t("Hoeveel geld (EUR)?") + " *", min_value=0.0, step=50.0, value=None, key=f"{P}_amount"
        )
        show_field_error(P, "amount_eur")
        st.date_input(t("Wanneer begint het?"), value=None, key=f"{P}_start", format="DD-MM-YYYY")
        show_field_error(P, "start_date")
    else:
        st.number_input(
            t("Vanaf (EUR)"), min_value=0.0, step=50.0, value=None, key=f"{P}_amount_min"
        )
        st.number_input(
            t("Tot en met (EUR)"), min_value=0.0, step=50.0, value=None, key=f"{P}_amount_max"
        )
        show_field_error(P, "amount_max_eur")
        st.multiselect(
            t("Alleen voor (leeg = iedereen)"),
            LEGAL_FORMS,
            format_func=legal_form_label,
            key=f"{P}_forms",
            placeholder=t("Kies..."),
        )

st.text_input(t("Wanneer? (bijv. di avond; za ochtend)"), key=f"{P}_when")
show_field_error(P, "when")
st.text_input(t("Waar? (buurt, postcode of plaats; leeg = jullie eigen adres)"), key=f"{P}_place")
show_field_error(P, "place")
st.number_input(
    t("Hoe ver mag het hoogstens zijn (km)?") if is_need else t("Tot hoe ver komen jullie (km)?"),
    min_value=0.0,
    step=0.5,
    value=None,
    key=f"{P}_distance",
)
st.date_input(
    t("Geldig tot"), value=None, key=f"{P}_valid_until", format="DD-MM-YYYY", min_value=date.today()
)
show_field_error(P, "valid_until")


def _form() -> posts.PostForm:
    s = st.session_state
    return posts.PostForm(
        kind=s.get(f"{P}_kind", ""),
        title=s.get(f"{P}_title", ""),
        description=s.get(f"{P}_description", ""),
        themes=[x.strip() for x in s.get(f"{P}_themes", "").split(";") if x.strip()],
        people=s.get(f"{P}_people"),
        amount_eur=s.get(f"{P}_amount"),
        amount_min_eur=s.get(f"{P}_amount_min"),
        amount_max_eur=s.get(f"{P}_amount_max"),
        hours_per_week=s.get(f"{P}_hours"),
        skills=s.get(f"{P}_skills", ""),
        kitchen=s.get(f"{P}_kitchen", False),
        step_free=s.get(f"{P}_step_free", False),
        start_date=s.get(f"{P}_start"),
        when=s.get(f"{P}_when", ""),
        place=s.get(f"{P}_place", ""),
        distance_km=s.get(f"{P}_distance"),
        eligible_legal_forms=s.get(f"{P}_forms", []),
        valid_until=s.get(f"{P}_valid_until"),
    )


def _submit(organisation_id: int) -> None:
    service = posts.create_need if is_need else posts.create_offer
    try:
        created = write(service, organisation_id=organisation_id, form=_form())
    except InvalidInput as exc:
        st.session_state[f"{P}_errors"] = exc.field_errors
        return
    except DomainError as exc:
        st.session_state[f"{P}_errors"] = {"_": " ".join(messages_of(exc))}
        return
    st.session_state[f"{P}_errors"] = {}
    for key in [
        k for k in st.session_state if k.startswith(f"{P}_") and k not in (f"{P}_org", f"{P}_kind")
    ]:
        del st.session_state[key]
    st.session_state[f"{P}_done"] = t(
        "Geplaatst: '{title}'. Kijk bij 'Mijn vragen en aanbod' voor suggesties.",
        title=plain(created.title),
    )


st.button(
    t("Plaatsen"), type="primary", key=f"{P}_submit", on_click=_submit, args=(organisation_id,)
)
if field_errors(P):
    st.error(t("Niet geplaatst. Verbeter wat hierboven in rood staat."))
    if "_" in field_errors(P):
        st.error(field_errors(P)["_"])  # made markdown-safe once, in _submit
st.caption(t("Velden met * zijn verplicht."))
