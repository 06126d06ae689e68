"""Login, for everyone with an account: sign in (password or the organisation's own login)
or out."""

import streamlit as st

from samenspel import logs, settings
from samenspel.i18n import t
from samenspel.services.accounts import authenticate
from samenspel.services.errors import NotAllowed
from samenspel.storage import db
from samenspel.web.ui import (
    client,
    current_user,
    get_engine,
    identity_login_configured,
    log_in_as,
    log_out,
    plain,
    show_domain_error,
)

P = "login"
st.title(t("Inloggen"))


user = current_user()
if user:
    st.success(t("Je bent ingelogd als {name}.", name=plain(user.name)))
    if st.button(t("Uitloggen"), key=f"{P}_logout"):
        log_out()
        if identity_login_configured() and st.user.is_logged_in:
            st.logout()
        st.rerun()
    st.stop()

if identity_login_configured():
    # app.py takes a verified identity over on any page (st.login comes back on the root) and
    # says so when it has no Samenspel account; here is the way in, and the way to try again.
    if st.button(t("Inloggen met je organisatie-account"), key=f"{P}_oidc"):
        st.login()
    st.divider()

with st.form(f"{P}_form"):
    username = st.text_input(t("Gebruikersnaam"), key=f"{P}_username")
    password = st.text_input(t("Wachtwoord"), type="password", key=f"{P}_password")
    submitted = st.form_submit_button(t("Inloggen"))
if submitted:
    here = client()
    try:
        with db.session_scope(get_engine()) as session:
            found = authenticate(
                session,
                username=username,
                password=password,
                demo_mode=settings.demo_mode(),
                client=here.key,
                local=here.local,
            )
        if found is None:
            logs.event("login_failed", "login failed")  # no name: it may be a typed password
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
        + " "
        + t("Dit werkt alleen op de computer waar Samenspel draait.")
    )
