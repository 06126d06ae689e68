"""Samenspel: the router. Page config, language, who is looking, and the pages they may use.

Nothing that goes wrong reaches the user as Streamlit's own error box (English, and about the
app's files): a database that cannot be reached at start gets a calm Dutch page, and any other
unexpected error a Dutch message with a short error id that leads to its traceback in the log
(samenspel.logs)."""

import logging
import re
from pathlib import Path

import streamlit as st

# st.stop, st.rerun and st.switch_page work by raising these: they must pass through untouched.
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

from samenspel import logs, settings
from samenspel.i18n import LANGUAGE_CODES, LANGUAGES, set_language, t
from samenspel.services.scope import AreaScope, area_scope
from samenspel.web import queries
from samenspel.web.cache import cached_read
from samenspel.web.chrome import page_chrome
from samenspel.web.navigation import (
    HIDDEN_PAGES,
    LOGIN,
    NEWS,
    PAGES,
    REVIEW,
    SETUP_PAGE,
    pages_for,
    start_page,
)
from samenspel.web.ui import (
    current_role,
    current_user,
    get_engine,
    log_in_from_identity,
    needs_setup,
    plain,
    read,
    remember_language,
    session_notice,
    sync_cookie,
)


def stop_before_pages() -> None:
    """Stop before any page runs, with every page registered (hidden): any URL a user comes
    back on is known, so Streamlit shows no English "page not found". The page files live in
    samenspel/web/views/, not pages/: a pages/ folder would make Streamlit run a page straight from its URL
    without this router (no login, and a list of every file) after a server start."""
    paths = [*PAGES, *HIDDEN_PAGES, SETUP_PAGE]
    st.navigation(
        [
            st.Page(path, title="Samenspel", default=(path == "samenspel/web/views/home.py"))
            for path in paths
        ],
        position="hidden",
    )
    st.stop()


st.set_page_config(
    page_title="Samenspel",
    page_icon=str(Path(__file__).parent / "static" / "samenspel.png"),
    layout="wide",
)

if logs.setup():
    logs.event("app_start", "first page run of this process")
try:
    settings.check()
except settings.SettingsError as exc:
    # For the operator: which settings, in the server log and on the page; nothing starts.
    # The values are the operator's own configuration (settings hides any password).
    logs.event("settings_invalid", "a setting is not valid", level=logging.ERROR,
               settings=exc.names, reason=str(exc))  # fmt: skip
    st.error(
        t(
            "Samenspel kan niet starten: deze instelling klopt niet: {names}. De beheerder van de server kan dit oplossen.",
            names=plain(", ".join(exc.names)),
        )
    )
    stop_before_pages()

# The messages below may come before the user's own language is known: this tab's, or the default.
set_language(st.session_state.get("lang", settings.language()))

try:
    get_engine()
except Exception as exc:  # noqa: BLE001 - whatever it is: a calm page for the user, the cause in the log
    logs.error("database_unavailable", "the database cannot be reached or migrated", exc)
    st.error(
        t(
            "Samenspel is even niet bereikbaar. Probeer het over een paar minuten opnieuw. Lukt het dan nog steeds niet? Laat het de beheerder weten."
        )
    )
    stop_before_pages()


def show_unexpected(exc: Exception, page: str) -> None:
    """A message the user can act on, and the id the operator finds the traceback by."""
    error_id = logs.error("page_error", "unexpected error on a page", exc, page=page)
    st.error(
        t(
            "Er ging iets mis. Probeer het opnieuw. Gaat het weer mis? Geef dan deze code aan de beheerder: {code}",
            code=error_id,
        )
    )


def run_page(page, default: str) -> None:
    """Run the chosen page; `default` names it in the log when it is the default page (whose
    URL path is empty)."""
    try:
        page.run()
    except (StopException, RerunException):
        raise
    except Exception as exc:  # noqa: BLE001 - any page's unexpected error: see show_unexpected
        show_unexpected(exc, page.url_path or default)


def main() -> None:
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
            "Taal / Language",
            list(LANGUAGES.values()),
            key="lang_choice",
            on_change=remember_language,
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
        setup = st.navigation(
            [st.Page(SETUP_PAGE, title=t("Eerste beheerder"), icon=":material/shield_person:")]
        )
        page_chrome(st.session_state.lang, setup.title)
        run_page(setup, default="setup")
        return
    role = current_role()
    start = start_page(role)
    pages = (
        [
            st.Page(
                path, title=page_title(path, user), icon=PAGES[path][1], default=(path == start)
            )
            for path in pages_for(role)
        ]
        + [
            st.Page(path, title=t(title), visibility="hidden")
            for path, (title, roles) in HIDDEN_PAGES.items()
            if role in roles
        ]
        + [
            # Not this role's, but known: opened by its address (a mail's link, after a logout) it
            # says in Dutch why not (ui.require_page), not Streamlit's English "Page not found".
            st.Page(path, title=t(title), visibility="hidden")
            for path, (title, _, roles) in PAGES.items()
            if role not in roles
        ]
    )
    chosen = st.navigation(pages, expanded=True)  # every page listed: no English "View more"
    page_chrome(st.session_state.lang, re.sub(r" \(\d+\)$", "", chosen.title))
    if st.session_state.pop("after_login", False):
        st.switch_page(start)  # a new login starts on what is new for them
    run_page(chosen, default=start.rsplit("/", 1)[-1].removesuffix(".py"))


@cached_read("match", "need", "offer", "organisation", ttl=300)
def waiting_count(role: str, organisation_id: int | None, scope: AreaScope, lang: str) -> int:
    """The number on the navigation: what waits for this person's answer. (`lang` is part of
    the key only because the cached rows hold words.)"""
    if role in ("broker", "admin"):
        return read(queries.broker_news, scope=scope).count
    if organisation_id is None:
        return 0
    return read(queries.side_news, organisation_id).count


def page_title(path: str, user) -> str:
    """A page's name in the navigation, with what waits there for the user."""
    if path == LOGIN and user is not None:
        return t("Uitloggen")
    counted = REVIEW if user is not None and user.role in ("broker", "admin") else NEWS
    if user is None or path != counted:
        return t(PAGES[path][0])
    scope = area_scope(user.role, user.areas)
    try:
        count = waiting_count(
            user.role, user.organisation_id, scope, st.session_state.get("lang", "nl")
        )
    except Exception as exc:  # noqa: BLE001 - a number on the menu never takes the app down
        logs.error("navigation_count_error", "could not count what waits", exc)
        count = 0
    return t(PAGES[path][0]) + (f" ({count})" if count else "")


try:
    main()
except (StopException, RerunException):
    raise
except Exception as exc:  # noqa: BLE001 - the router itself (the database gone since start)
    show_unexpected(exc, "")
