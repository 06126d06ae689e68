"""Wachtwoord vergeten, for someone with an account who cannot log in: ask for a mail with a
link to choose a new password (samenspel/services/signup.py). The answer is the same for every
address, known or not."""

import streamlit as st

from samenspel.i18n import t
from samenspel.services import signup
from samenspel.web.ui import client, require_page, show_field_error, submit_form, write

require_page("samenspel/web/views/forgot.py")
P = "forgot"
st.title(t("Wachtwoord vergeten"))

if st.session_state.get(f"{P}_sent"):
    st.success(t("Als dit adres bij ons bekend is, krijg je een mail met een link."))
    st.write(
        t(
            "Met die link kies je een nieuw wachtwoord. De link werkt 1 dag. Geen mail? Kijk ook bij ongewenste mail (spam)."
        )
    )
    if st.button(t("Nog een keer vragen"), key=f"{P}_again"):
        st.session_state.pop(f"{P}_sent")
        st.rerun()
    st.stop()

st.write(t("Vul je e-mailadres in. Dan sturen we je een link om een nieuw wachtwoord te kiezen."))
with st.form(f"{P}_form"):
    email = st.text_input(t("Jouw e-mailadres"), max_chars=signup.MAX_EMAIL, key=f"{P}_email")
    show_field_error(P, "email")
    submitted = st.form_submit_button(t("Stuur mij een link"), type="primary")
if submitted:

    def sent(_result) -> None:
        st.session_state[f"{P}_sent"] = True

    submit_form(
        P,
        lambda: write(signup.request_password_reset, email=email, client=client().key),
        then=sent,
    )
st.page_link("samenspel/web/views/login.py", label=t("Terug naar inloggen"),
             icon=":material/login:")  # fmt: skip
