"""The links in the account mails, for whoever got one: confirm an e-mail address after
signing up, or choose a new password after "Wachtwoord vergeten". Reached by a link only
(BASE_URL/account_link?token=...); a tampered, used or expired link is refused with a message
and changes nothing (samenspel/services/signup.py)."""

import streamlit as st

from samenspel.i18n import t
from samenspel.services import signup
from samenspel.services.errors import DomainError
from samenspel.web.ui import (
    ask,
    new_password_input,
    plain,
    require_page,
    show_domain_error,
    show_field_error,
    submit_form,
    write,
)

require_page("samenspel/web/views/account_link.py")
P = "account"
LOGIN = "samenspel/web/views/login.py"
st.title(t("Je account"))
token = st.query_params.get("token", "")

# What this link did, kept for the reruns after it (the link itself is used up by then).
done = st.session_state.get(f"{P}_done")
if done and done["token"] == token:
    if done["what"] == "password":
        st.success(t("Je nieuwe wachtwoord is bewaard. Je bent overal uitgelogd."))
        st.page_link(LOGIN, label=t("Log nu in met je nieuwe wachtwoord"), icon=":material/login:")
    elif done["approval"] == "pending":
        st.success(t("Dank je wel! Je e-mailadres is bevestigd."))
        st.write(
            t(
                "Nu kijkt de buurtmakelaar van {buurt} naar jullie aanmelding. Als die goedkeurt, krijg je een mail. Daarna kun je inloggen.",
                buurt=plain(done["neighbourhood"]),
            )
        )
    else:
        st.success(t("Dank je wel! Je e-mailadres is bevestigd."))
        st.page_link(LOGIN, label=t("Naar inloggen"), icon=":material/login:")
    st.stop()

try:
    purpose = ask(signup.link_purpose, token=token)
except DomainError as exc:
    show_domain_error(exc)
    st.write(t("Wil je een nieuw wachtwoord? Vraag dan een nieuwe link aan."))
    st.page_link("samenspel/web/views/forgot.py", label=t("Wachtwoord vergeten"),
                 icon=":material/key:")  # fmt: skip
    st.stop()

if purpose == "confirm_email":
    # A button, not on opening the page: a mail program that opens links to check them
    # would otherwise confirm an address that nobody read.
    st.write(t("Klik op de knop. Zo laat je zien dat dit jouw e-mailadres is."))
    if st.button(t("Ja, dit is mijn e-mailadres"), type="primary", key=f"{P}_confirm"):
        try:
            confirmed = write(signup.confirm_email, token=token)
        except DomainError as exc:
            show_domain_error(exc)
            st.stop()
        st.session_state[f"{P}_done"] = {"token": token, "what": "email",
                                         "approval": confirmed.approval,
                                         "neighbourhood": confirmed.neighbourhood}  # fmt: skip
        st.rerun()
    st.stop()

st.write(t("Kies een nieuw wachtwoord. Daarna log je overal opnieuw in."))
with st.form(f"{P}_form"):
    password = new_password_input(t("Nieuw wachtwoord"), f"{P}_password")
    show_field_error(P, "password")
    repeat = st.text_input(t("Nog een keer hetzelfde wachtwoord"), type="password",
                           key=f"{P}_repeat")  # fmt: skip
    show_field_error(P, "repeat")
    show_field_error(P, "token")
    submitted = st.form_submit_button(t("Wachtwoord bewaren"), type="primary")
if submitted:

    def saved(_result) -> None:
        st.session_state[f"{P}_done"] = {"token": token, "what": "password"}

    submit_form(
        P,
        lambda: write(signup.reset_password, token=token, password=password, repeat=repeat),
        then=saved,
    )
