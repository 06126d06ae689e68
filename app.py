"""Samenspel: the router. Page config, language, who is looking, and the pages they may use."""

import sys
from pathlib import Path

import streamlit as st

from samenspel import settings
from samenspel.i18n import LANGUAGE_CODES, LANGUAGES, set_language, t
from samenspel.navigation import PAGES, SETUP_PAGE, pages_for
from samenspel.ui import (
    current_role,
    current_user,
    get_engine,
    log_in_from_identity,
    needs_setup,
    plain,
    remember_language,
    session_notice,
    sync_cookie,
)

st.set_page_config(
    page_title="Samenspel",
    page_icon=str(Path(__file__).parent / "static" / "samenspel.png"),
    layout="wide",
)

try:
    settings.check()
except settings.SettingsError as exc:
    # For the operator: which settings, in the server log and on the page; nothing starts.
    print(f"samenspel: een instelling klopt niet:\n{exc}", file=sys.stderr, flush=True)
    st.error(
        t(
            "Samenspel kan niet starten: deze instelling klopt niet: {names}. De beheerder van de server kan dit oplossen.",
            names=plain(", ".join(exc.names)),
        )
    )
    st.stop()

get_engine()
# The login session, checked in the database (callbacks check it too, through ui.actor()).
# First, so that a login taken over from the cookie brings the user's language along.
user = current_user()
identity_refused = False
if user is None:
    identity_refused = not log_in_from_identity()
    user = current_user()
if "lang" not in st.session_state:
    st.session_state.lang = settings.language()
if "lang_pending" in st.session_state:  # the user's own language, set at login
    st.session_state.lang = st.session_state.pop("lang_pending")
    st.session_state.lang_choice = LANGUAGES[st.session_state.lang]
if "lang_choice" not in st.session_state:
    st.session_state.lang_choice = LANGUAGES[st.session_state.lang]
set_language(st.session_state.lang)

with st.sidebar:
    # The options are the languages' own names: readable whatever language is shown now.
    choice = st.selectbox(
        "Taal / Language", list(LANGUAGES.values()), key="lang_choice", on_change=remember_language
    )
    st.session_state.lang = LANGUAGE_CODES[choice]
    set_language(st.session_state.lang)
    if user:
        st.caption(t("Ingelogd als {name}", name=plain(user.name)))
    sync_cookie()
if identity_refused:
    st.error(
        t(
            "Je bent bekend bij je organisatie, maar nog niet bij Samenspel. Vraag de beheerder om je toe te voegen."
        )
    )
notice = session_notice()
if notice:
    st.info(notice)

if needs_setup():
    # A new installation without demo data: first create the administrator, nothing else.
    st.navigation(
        [st.Page(SETUP_PAGE, title=t("Eerste beheerder"), icon=":material/shield_person:")]
    ).run()
else:
    role = current_role()
    pages = [
        st.Page(
            path, title=t(PAGES[path][0]), icon=PAGES[path][1], default=(path == "pages/home.py")
        )
        for path in pages_for(role)
    ]
    st.navigation(pages).run()
