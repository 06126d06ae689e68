"""Our profile, for initiatives and partners: what we do, what we can not do, where, who."""

import streamlit as st
from streamlit_folium import st_folium

from samenspel.i18n import t
from samenspel.matching.vocabulary import CONDITIONS
from samenspel.services import organisations, privacy
from samenspel.services.errors import DomainError
from samenspel.web import queries
from samenspel.web.maps import location_picker
from samenspel.web.ui import (
    ask,
    condition_label,
    current_user,
    legal_form_label,
    read,
    require_page,
    show_domain_error,
    show_field_error,
    submit_form,
    write,
)

require_page("samenspel/web/views/profile.py")
P = "profile"
user = current_user()
st.title(t("Ons profiel"))
if user.organisation_id is None:
    st.info(t("Je account hoort nog niet bij een organisatie."))
    st.stop()
if st.session_state.pop(f"{P}_saved", False):
    st.success(t("Opgeslagen."))

# The organisation as its own form (profile and contact person), as plain values.
org = ask(organisations.profile_form, organisation_id=user.organisation_id)
hoods = read(queries.neighbourhoods)
LEGAL_FORMS = organisations.LEGAL_FORMS

with st.expander(t("Waar zitten jullie? Klik op de kaart om de plek te kiezen.")):
    spot = st_folium(location_picker(org.lat, org.lon), key=f"{P}_map", height=320, use_container_width=True,
                     returned_objects=["last_clicked"])  # fmt: skip
    if spot and spot.get("last_clicked"):
        st.session_state[f"{P}_clicked"] = (
            spot["last_clicked"]["lat"],
            spot["last_clicked"]["lng"],
        )
    if st.session_state.get(f"{P}_clicked"):
        lat, lon = st.session_state[f"{P}_clicked"]
        st.caption(
            t(
                "Nieuwe plek gekozen ({lat:.5f}, {lon:.5f}). Die wordt bewaard met 'Opslaan'.",
                lat=lat,
                lon=lon,
            )
        )

with st.form(f"{P}_form"):
    name = st.text_input(t("Naam") + " *", value=org.name, max_chars=200, key=f"{P}_name")
    show_field_error(P, "name")
    description = st.text_area(
        t("Wat doen jullie?"), value=org.description, max_chars=2000, key=f"{P}_description"
    )
    boundaries = st.text_area(
        t("Wat kunnen jullie niet? (grenzen)"),
        value=org.boundaries,
        max_chars=2000,
        key=f"{P}_boundaries",
    )
    legal_form = st.selectbox(
        t("Rechtsvorm"),
        LEGAL_FORMS,
        index=LEGAL_FORMS.index(org.legal_form),
        format_func=legal_form_label,
        key=f"{P}_legal_form",
    )
    anbi = st.checkbox(t("ANBI-status"), value=org.anbi, key=f"{P}_anbi")
    hood_index = ([""] + hoods).index(org.neighbourhood) if org.neighbourhood in hoods else 0
    neighbourhood = st.selectbox(
        t("Buurt"), ["", *hoods], index=hood_index, key=f"{P}_neighbourhood"
    )
    address = st.text_input(t("Adres"), value=org.address, key=f"{P}_address")
    postcode = st.text_input(t("Postcode"), value=org.postcode, key=f"{P}_postcode")
    show_field_error(P, "address")
    st.markdown("**" + t("Vast gezicht (alleen zichtbaar na een afspraak)") + "**")
    person = st.text_input(t("Contactpersoon"), value=org.contact_person, key=f"{P}_person")
    email = st.text_input(t("E-mail"), value=org.contact_email, key=f"{P}_email")
    show_field_error(P, "contact_email")
    phone = st.text_input(t("Telefoon"), value=org.contact_phone, key=f"{P}_phone")
    conditions = st.multiselect(
        t("Waar werken jullie aan?"),
        CONDITIONS,
        default=[c for c in org.conditions if c in CONDITIONS],
        format_func=condition_label,
        key=f"{P}_conditions",
        placeholder=t("Kies..."),
    )
    themes = st.text_input(
        t("Onderwerpen (met ; ertussen)"), value=";".join(org.themes), key=f"{P}_themes"
    )
    saved = st.form_submit_button(t("Opslaan"), type="primary")

if saved:
    # A click on the map wins; an unchanged address keeps its place; a new one is looked up.
    unchanged = (address, postcode, neighbourhood) == (org.address, org.postcode, org.neighbourhood)
    place = st.session_state.get(f"{P}_clicked") or (
        (org.lat, org.lon) if unchanged else (None, None)
    )
    form = organisations.ProfileForm(
        name=name,
        description=description,
        boundaries=boundaries,
        legal_form=legal_form,
        anbi=anbi,
        neighbourhood=neighbourhood,
        address=address,
        postcode=postcode,
        lat=place[0],
        lon=place[1],
        contact_person=person,
        contact_email=email,
        contact_phone=phone,
        conditions=conditions,
        themes=[theme.strip() for theme in themes.split(";") if theme.strip()],
    )

    def saved_profile(_org) -> None:
        st.session_state[f"{P}_saved"] = True
        st.session_state.pop(f"{P}_clicked", None)

    submit_form(
        P,
        lambda: write(
            organisations.update_profile, organisation_id=user.organisation_id, form=form
        ),
        then=saved_profile,
    )

st.header(t("Jullie gegevens"))
st.write(t("Download alles wat Samenspel over jullie bewaart, of verwijder jullie organisatie."))
if st.button(t("Download klaarmaken"), key=f"{P}_prepare"):
    try:
        st.session_state[f"{P}_export"] = write(
            privacy.export_organisation, organisation_id=user.organisation_id
        )
    except DomainError as exc:
        show_domain_error(exc)
if st.session_state.get(f"{P}_export"):
    st.download_button(
        t("Download (JSON)"),
        st.session_state[f"{P}_export"],
        file_name="samenspel-gegevens.json",
        mime="application/json",
        key=f"{P}_download",
    )

with st.expander(t("Organisatie verwijderen")):
    st.warning(
        t(
            "Dit haalt jullie naam, teksten, adres en contactgegevens weg. Jullie accounts werken daarna niet meer. "
            "Samenwerkingen blijven zonder namen bestaan voor de cijfers van de buurt."
        )
    )
    confirm = st.text_input(
        t("Typ de naam van jullie organisatie om te bevestigen"), key=f"{P}_confirm"
    )
    if st.button(
        t("Definitief verwijderen"),
        key=f"{P}_delete",
        type="primary",
        disabled=confirm.strip() != org.name,
    ):
        try:
            write(privacy.delete_organisation, organisation_id=user.organisation_id)
            st.session_state.pop("user_id", None)
            st.rerun()
        except DomainError as exc:
            show_domain_error(exc)
