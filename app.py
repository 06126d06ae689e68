"""Samenspel: the router. Page config, language, who is looking, and the pages they may use."""

from pathlib import Path

import streamlit as st

from samenspel import settings
from samenspel.i18n import LANGUAGE_CODES, LANGUAGES, set_language, t
from samenspel.navigation import PAGES, SETUP_PAGE, pages_for
from samenspel.ui import (
    current_role,
    current_user,
    expire_idle_session,
    get_engine,
    needs_setup,
    plain,
    remember_language,
)

st.set_page_config(page_title="Samenspel", page_icon=str(Path(__file__).parent / "static" / "samenspel.png"), layout="wide")

if "lang" not in st.session_state:
    st.session_state.lang = settings.language()
if "lang_pending" in st.session_state:  # the user's own language, set at login
    st.session_state.lang = st.session_state.pop("lang_pending")
    st.session_state.lang_choice = LANGUAGES[st.session_state.lang]
if "lang_choice" not in st.session_state:
    st.session_state.lang_choice = LANGUAGES[st.session_state.lang]
set_language(st.session_state.lang)
get_engine()
expired = expire_idle_session()

with st.sidebar:
    # The options are the languages' own names: readable whatever language is shown now.
    choice = st.selectbox(
        "Taal / Language", list(LANGUAGES.values()), key="lang_choice", on_change=remember_language
    )
    st.session_state.lang = LANGUAGE_CODES[choice]
    set_language(st.session_state.lang)
    user = current_user()
    if user:
        st.caption(t("Ingelogd als {name}", name=plain(user.name)))
if expired:
    st.info(t("Je was een tijd niet actief en bent uitgelogd. Log opnieuw in."))

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
