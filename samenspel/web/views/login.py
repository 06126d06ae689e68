"""Login, for everyone with an account: sign in (password or the organisation's own login)
or out."""

import streamlit as st

from samenspel import settings
from samenspel.i18n import t
from samenspel.services.errors import NotAllowed
from samenspel.web.ui import (
    current_user,
    identity_login_configured,
    log_in_with_password,
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
    username = st.text_input(t("Gebruikersnaam"), key=f"{P}_username",
                             help=t("Hebben jullie je zelf aangemeld? Dan is dit je e-mailadres."))  # fmt: skip
    password = st.text_input(t("Wachtwoord"), type="password", key=f"{P}_password")
    submitted = st.form_submit_button(t("Inloggen"))
if submitted:
    try:
        logged_in = log_in_with_password(username, password)
    except NotAllowed as exc:
        show_domain_error(exc)
    else:
        if logged_in:
            st.session_state["after_login"] = True  # app.py then opens "Nieuw voor jullie"
            st.rerun()
        st.error(t("Gebruikersnaam of wachtwoord klopt niet."))
st.page_link("samenspel/web/views/forgot.py", label=t("Wachtwoord vergeten?"),
             icon=":material/key:")  # fmt: skip
st.page_link("samenspel/web/views/signup.py", label=t("Nog geen account? Meld je organisatie aan"),
             icon=":material/person_add:")  # fmt: skip
if settings.demo_mode():
    st.info(
        t(
            "Demo: log in als 'initiatief', 'partner', 'makelaar' of 'beheer', met wachtwoord 'demo'."
        )
        + " "
        + t("Dit werkt alleen op de computer waar Samenspel draait.")
    )
