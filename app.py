"""Samenspel: the router. Page config, language, who is looking, and the pages they may use."""

import streamlit as st

from samenspel import settings
from samenspel.i18n import LANGUAGES, set_language, t
from samenspel.ui import current_role, current_user, get_engine

st.set_page_config(page_title="Samenspel", page_icon="🧩", layout="wide")

if "lang" not in st.session_state:
    st.session_state.lang = settings.language()
set_language(st.session_state.lang)
get_engine()

with st.sidebar:
    st.selectbox(
        "Taal / Language",
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        key="lang",
    )
    set_language(st.session_state.lang)
    user = current_user()
    if user:
        st.caption(t("Ingelogd als {name}", name=user.name))

PAGES = {
    # page file: (title msgid, icon, roles that may open it)
    "pages/home.py": ("Kaart", "🗺️", {"public", "initiative", "partner", "broker", "admin"}),
    "pages/login.py": ("Inloggen", "🔑", {"public", "initiative", "partner", "broker", "admin"}),
}

role = current_role()
pages = [
    st.Page(path, title=t(title), icon=icon, default=(path == "pages/home.py"))
    for path, (title, icon, roles) in PAGES.items()
    if role in roles
]
st.navigation(pages).run()
