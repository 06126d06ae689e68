"""Login, for everyone with an account: sign in (password or the organisation's own login)
or out."""

import streamlit as st

from samenspel import db, settings
from samenspel.i18n import t
from samenspel.services.accounts import authenticate, user_for_identity
from samenspel.services.errors import NotAllowed
from samenspel.ui import clear_reads, current_user, get_engine, log_in_as, plain, show_domain_error

P = "login"
st.title(t("Inloggen"))


def identity_login_configured() -> bool:
    """st.login (OIDC) is on when .streamlit/secrets.toml has an [auth] section."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


user = current_user()
if user:
    st.success(t("Je bent ingelogd als {name}.", name=plain(user.name)))
    if st.button(t("Uitloggen"), key=f"{P}_logout"):
        st.session_state.pop("user_id", None)
        clear_reads()
        if identity_login_configured() and st.user.is_logged_in:
            st.logout()
        st.rerun()
    st.stop()

if identity_login_configured():
    if st.user.is_logged_in:
        with db.read_session(get_engine()) as session:
            # Only an address the identity provider has verified may open a Samenspel account.
            verified = st.user.get("email_verified") is True
            found = user_for_identity(session, email=st.user.get("email")) if verified else None
        if found is None:
            st.error(
                t(
                    "Je bent bekend bij je organisatie, maar nog niet bij Samenspel. Vraag de beheerder om je toe te voegen."
                )
            )
        else:
            log_in_as(found.id)
            st.rerun()
    elif st.button(t("Inloggen met je organisatie-account"), key=f"{P}_oidc"):
        st.login()
    st.divider()

with st.form(f"{P}_form"):
    username = st.text_input(t("Gebruikersnaam"), key=f"{P}_username")
    password = st.text_input(t("Wachtwoord"), type="password", key=f"{P}_password")
    submitted = st.form_submit_button(t("Inloggen"))
if submitted:
    try:
        with db.session_scope(get_engine()) as session:
            found = authenticate(
                session, username=username, password=password, demo_mode=settings.demo_mode()
            )
        if found is None:
            st.error(t("Gebruikersnaam of wachtwoord klopt niet."))
        else:
            log_in_as(found.id)
            st.rerun()
    except NotAllowed as exc:
        show_domain_error(exc)
if settings.demo_mode():
    st.info(
        t(
            "Demo: log in als 'initiatief', 'partner', 'makelaar' of 'beheer', met wachtwoord 'demo'."
        )
    )
