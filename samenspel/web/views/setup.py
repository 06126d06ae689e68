"""First run, for whoever installs Samenspel: create the first administrator. Only with the
one-time code from the server (its log, or `samenspel setup-token`): a visitor who merely
finds a new installation cannot take it over."""

import streamlit as st

from samenspel.i18n import t
from samenspel.web.ui import new_password_input, set_up_first_admin, show_field_error, submit_form

P = "setup"
st.title(t("Welkom bij Samenspel"))
st.write(
    t(
        "Dit is een nieuwe installatie. Maak eerst een beheerder aan. Die kan daarna anderen toevoegen."
    )
)
st.write(
    t(
        "Je hebt een code nodig. Die staat in het logboek van de server bij het starten, of je vraagt een nieuwe met het commando 'samenspel setup-token' op de server."
    )
)
with st.form(f"{P}_form"):
    token = st.text_input(t("Code van de server"), type="password", key=f"{P}_token")
    show_field_error(P, "token")
    username = st.text_input(t("Gebruikersnaam"), key=f"{P}_username")
    show_field_error(P, "username")
    name = st.text_input(t("Naam"), key=f"{P}_name")
    password = new_password_input(t("Wachtwoord"), f"{P}_password")
    show_field_error(P, "password")
    submitted = st.form_submit_button(t("Beheerder aanmaken"), type="primary")
if submitted:
    submit_form(
        P,
        lambda: set_up_first_admin(
            token=token, username=username, password=password, display_name=name
        ),
    )
