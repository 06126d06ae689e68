"""The links in notification mails, for whoever got one, logged in or not: "no more mail about
this" and the one-click answers to "Is het gelukt?" (ja / nee / nog niet). Reached by a link
only (BASE_URL/mail_link?token=...&do=...). Opening the link is the click: the action runs as
the person the link was made for (services/notify.py), once; a tampered, used or expired link
is refused with a message and changes nothing."""

import streamlit as st

from samenspel.i18n import t
from samenspel.services import notify
from samenspel.services.errors import DomainError
from samenspel.web.ui import require_page, show_domain_error, write

require_page("samenspel/web/views/mail_link.py")
P = "mail_link"
st.title(t("Link uit een mail"))
token = st.query_params.get("token", "")
purpose = st.query_params.get("do", "")
NEWS = "samenspel/web/views/news.py"
LOGIN = "samenspel/web/views/login.py"


def show(done: dict) -> None:
    if done["what"] == "unsubscribe":
        st.success(t("Gelukt. Hierover krijg je geen mail meer."))
        for kind in done["kinds"]:
            st.markdown("• " + t(notify.KIND_LABELS[kind]))  # words from the catalogue only
        st.write(
            t("Je ziet het nog wel in Samenspel. Wil je toch weer mail? Kies dat bij Meldingen per mail.")
        )  # fmt: skip
    elif done["answer"] == "ja":
        st.success(t("Fijn dat het gelukt is! We vragen het over 4 weken weer."))
    elif done["answer"] == "nee":
        st.success(t("Jammer dat het niet is gelukt. Dank je wel dat je het laat weten."))
        st.write(t("Wil je vertellen waarom? Log in en kijk bij Samenwerkingen."))
    else:
        st.success(t("Goed, we vragen het over 2 weken weer."))
    st.page_link(LOGIN, label=t("Naar Samenspel"), icon=":material/login:")


# What this link did, kept for the reruns after it (the link itself is used up by then).
done = st.session_state.get(f"{P}_done")
if done and done["token"] == token:
    show(done)
    st.stop()

if not token or purpose not in ("unsubscribe", "follow_up"):
    st.error(t("Deze link klopt niet. Gebruik de link uit de mail, helemaal."))
    st.stop()

try:
    if purpose == "unsubscribe":
        done = {"what": "unsubscribe", "kinds": write(notify.unsubscribe, token=token)}
    else:
        done = {"what": "follow_up", "answer": write(notify.answer_follow_up, token=token)}
except DomainError as exc:
    show_domain_error(exc)
    st.write(t("Er is niets veranderd. In Samenspel kun je alles zelf bekijken en regelen."))
    st.page_link(LOGIN, label=t("Naar Samenspel"), icon=":material/login:")
    st.stop()
st.session_state[f"{P}_done"] = {**done, "token": token}
show(done)
