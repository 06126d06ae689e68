"""Aanmelden, for an organisation without an account: sign up with a name, kind, neighbourhood,
contact person, e-mail address and password; then confirm the address by mail and wait for the
neighbourhood's broker (samenspel/services/signup.py)."""

import streamlit as st

from samenspel.i18n import t
from samenspel.matching.types import PARTNER_TYPES
from samenspel.services import signup
from samenspel.web.ui import (
    ask,
    client,
    new_password_input,
    partner_type_labels,
    require_page,
    show_field_error,
    submit_form,
    write,
)

require_page("samenspel/web/views/signup.py")
P = "signup"
st.title(t("Aanmelden"))

if st.session_state.get(f"{P}_done"):
    # The same words whatever happened (a new account, an address or a name known already):
    # only the mailbox's owner learns which.
    st.success(t("Dank je wel! Kijk nu in je mail. Daar staat wat je verder moet doen."))
    st.write(
        t(
            "Geen mail gekregen? Kijk ook bij ongewenste mail (spam). Na een paar minuten nog niets? Meld je dan opnieuw aan."
        )
    )
    if st.button(t("Nog een organisatie aanmelden"), key=f"{P}_again"):
        st.session_state.pop(f"{P}_done")
        st.rerun()
    st.stop()

st.write(
    t(
        "Meld jullie organisatie aan bij Samenspel. Daarna krijg je een mail met een link om je e-mailadres te bevestigen. Dan kijkt de buurtmakelaar van jullie buurt naar de aanmelding. Als die goedkeurt, kun je inloggen met je e-mailadres en je wachtwoord."
    )
)

ROLE_LABELS = {
    "initiative": t("Een initiatief: wij zoeken hulp"),
    "partner": t("Een partner: wij kunnen helpen"),
}
# The same kinds, in the same words, as the organisations page offers staff.
PARTNER_TYPE_LABELS = partner_type_labels()
hoods = ask(signup.neighbourhood_choices)

with st.form(f"{P}_form"):
    name = st.text_input(t("Naam van jullie organisatie"), max_chars=200, key=f"{P}_name")
    show_field_error(P, "name")
    role = st.radio(
        t("Wat zijn jullie?"), signup.ORG_ROLES, format_func=ROLE_LABELS.get, key=f"{P}_role"
    )
    show_field_error(P, "role")
    partner_type = st.selectbox(
        t("Soort organisatie"),
        PARTNER_TYPES,
        index=PARTNER_TYPES.index("initiative"),
        format_func=PARTNER_TYPE_LABELS.get,
        key=f"{P}_partner_type",
    )
    show_field_error(P, "partner_type")
    neighbourhood = st.selectbox(
        t("Buurt"), hoods, index=None, placeholder=t("Kies..."), key=f"{P}_neighbourhood"
    )
    show_field_error(P, "neighbourhood")
    person = st.text_input(t("Jouw naam (contactpersoon)"), max_chars=200, key=f"{P}_person")
    show_field_error(P, "contact_person")
    email = st.text_input(
        t("Jouw e-mailadres"),
        max_chars=signup.MAX_EMAIL,
        key=f"{P}_email",
        help=t("Hiermee log je straks in. Je contactgegevens ziet alleen de buurtmakelaar, en de andere kant pas als jullie allebei ja zeggen."),
    )  # fmt: skip
    show_field_error(P, "email")
    password = new_password_input(t("Kies een wachtwoord"), f"{P}_password")
    show_field_error(P, "password")
    submitted = st.form_submit_button(t("Aanmelden"), type="primary")
if submitted:
    form = signup.SignupForm(
        name=name,
        role=role,
        partner_type=partner_type,
        neighbourhood=neighbourhood or "",
        contact_person=person,
        email=email,
        password=password,
    )

    def done(_result) -> None:
        st.session_state[f"{P}_done"] = True

    submit_form(P, lambda: write(signup.register, form=form, client=client().key), then=done)

st.page_link("samenspel/web/views/login.py", label=t("Hebben jullie al een account? Log in"),
             icon=":material/login:")  # fmt: skip
