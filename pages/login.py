"""Login, for everyone with an account: sign in or out."""

import streamlit as st

from samenspel import db, settings
from samenspel.i18n import t
from samenspel.services.accounts import authenticate
from samenspel.ui import clear_reads, current_user, get_engine

st.title(t("Inloggen"))
user = current_user()
if user:
    st.success(t("Je bent ingelogd als {name}.", name=user.name))
    if st.button(t("Uitloggen"), key="login_logout"):
        st.session_state.pop("user_id", None)
        clear_reads()
        st.rerun()
else:
    with st.form("login_form"):
        username = st.text_input(t("Gebruikersnaam"), key="login_username")
        password = st.text_input(t("Wachtwoord"), type="password", key="login_password")
        submitted = st.form_submit_button(t("Inloggen"))
    if submitted:
        with db.session_scope(get_engine()) as session:
            found = authenticate(
                session, username=username, password=password, demo_mode=settings.demo_mode()
            )
        if found is None:
            st.error(t("Gebruikersnaam of wachtwoord klopt niet."))
        else:
            st.session_state.user_id = found.id
            clear_reads()
            st.rerun()
    if settings.demo_mode():
        st.info(
            t(
                "Demo: log in als 'initiatief', 'partner', 'makelaar' of 'beheer', "
                "met wachtwoord 'demo'."
            )
        )
