"""What every page shares: the engine, the current user, cached reads and messages.

Session state holds ids and plain values only. Cached reads return DataFrames or dataclasses;
`clear_reads()` is called by every write so that nobody sees stale data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from samenspel import db, queries, settings
from samenspel.i18n import t
from samenspel.models import User
from samenspel.seed import seed_demo
from samenspel.services.errors import DomainError, InvalidInput


@st.cache_resource(show_spinner=False)
def get_engine() -> Engine:
    """One engine per process: the schema is upgraded, and the demo city seeded when empty."""
    engine = db.engine_for(settings.database_url())
    if settings.demo_mode():
        seed_demo(engine)
    from samenspel.services.matches import expire_stale

    with db.session_scope(engine) as session:
        expire_stale(session)  # deadlines that passed while the app was down
    return engine


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    name: str
    role: str
    organisation_id: int | None
    areas: tuple[str, ...]


@st.cache_data(show_spinner=False, ttl=300)
def _user(user_id: int) -> CurrentUser | None:
    with db.read_session(get_engine()) as session:
        user = session.get(User, user_id)
        if user is None or (user.is_demo and not settings.demo_mode()):
            return None
        if user.role in ("initiative", "partner") and user.organisation_id is None:
            return None  # their organisation was deleted: the account no longer works
        return CurrentUser(
            user.id,
            user.username,
            user.display_name or user.username,
            user.role,
            user.organisation_id,
            tuple(a for a in user.areas.split(";") if a),
        )


def current_user() -> CurrentUser | None:
    user_id = st.session_state.get("user_id")
    return _user(user_id) if user_id else None


def current_role() -> str:
    user = current_user()
    return user.role if user else "public"


@st.cache_data(show_spinner=False, ttl=600)
def map_points(exact_areas: tuple[str, ...] = ()) -> pd.DataFrame:
    with db.read_session(get_engine()) as session:
        return queries.map_points(session, exact_areas=exact_areas)


@st.cache_data(show_spinner=False, ttl=600)
def partnership_lines(exact_areas: tuple[str, ...] = (), staff: bool = False) -> list:
    with db.read_session(get_engine()) as session:
        return queries.partnership_lines(session, exact_areas=exact_areas, staff=staff)


def exact_areas() -> tuple[str, ...]:
    """Informal initiatives are shown at their exact place only to the broker of their area."""
    user = current_user()
    return user.areas if user and user.role == "broker" else ()


@st.cache_data(show_spinner=False, ttl=600)
def counts_per_kind() -> pd.DataFrame:
    with db.read_session(get_engine()) as session:
        return queries.counts_per_kind(session)


def clear_reads() -> None:
    st.cache_data.clear()


def messages_of(exc: DomainError) -> list[str]:
    """What to tell the user: each field's message (without its key), markdown-safe."""
    if isinstance(exc, InvalidInput):
        return [plain(message) for message in exc.field_errors.values()]
    return [plain(str(exc))]


def show_domain_error(exc: DomainError) -> None:
    for message in messages_of(exc):
        st.error(message)


def kind_label(kind: str) -> str:
    return {
        "venue": t("Ruimte"),
        "volunteers": t("Vrijwilligers"),
        "money": t("Geld"),
        "art": t("Kunst en cultuur"),
        "goods": t("Spullen"),
        "expertise": t("Kennis"),
    }.get(kind, kind)


def actor():
    """The current user as the services' Actor (public when nobody is logged in)."""
    from samenspel.services.permissions import PUBLIC, Actor

    user = current_user()
    if user is None:
        return PUBLIC
    return Actor(user.id, user.role, user.organisation_id, user.areas, user.name)


def require_page(path: str) -> None:
    """Refuse a page the current role may not use, even when opened by its URL."""
    from samenspel.navigation import may_open

    if not may_open(current_role(), path):
        st.error(t("Deze pagina is niet voor jouw account. Log in met een ander account."))
        st.stop()


def field_errors(prefix: str) -> dict[str, str]:
    return st.session_state.get(f"{prefix}_errors", {})


def show_field_error(prefix: str, name: str) -> None:
    """The message for one field, right under its input."""
    message = field_errors(prefix).get(name)
    if message:
        st.error(message, icon="⚠️")


def _sync_language() -> None:
    """Callbacks and fragment reruns do not pass through app.py, where the language is set."""
    from samenspel.i18n import set_language

    set_language(st.session_state.get("lang", settings.language()))


def read(fn, *args, **kwargs):
    """Run a read-only query function in a short read session."""
    _sync_language()
    with db.read_session(get_engine()) as session:
        return fn(session, *args, **kwargs)


def write(fn, **kwargs):
    """Run a service in its own session; domain errors come back to the page as messages."""
    _sync_language()
    with db.session_scope(get_engine()) as session:
        result = fn(session=session, actor=actor(), **kwargs)
    clear_reads()
    return result


def legal_form_label(form: str) -> str:
    return {
        "informal": t("informele groep"),
        "association": t("vereniging"),
        "foundation": t("stichting"),
        "company": t("bedrijf"),
        "public": t("overheid"),
    }.get(form, form)


def status_label(status: str) -> str:
    return {
        "suggested": t("voorgesteld"),
        "introduced": t("voorgesteld aan elkaar"),
        "agreed": t("afgesproken"),
        "active": t("loopt"),
        "done": t("klaar"),
        "rejected": t("afgewezen"),
        "declined": t("afgeslagen"),
        "expired": t("verlopen"),
        "open": t("open"),
        "closed": t("gesloten"),
        "matched": t("gematcht"),
        "paused": t("gepauzeerd"),
    }.get(status, status)


def tie_label(tie: str) -> str:
    return {
        "bonding": t("bonding: binnen de eigen kring"),
        "bridging": t("bridging: buiten de eigen kring"),
        "linking": t("linking: naar een instelling"),
    }.get(tie, tie)


_MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-.!|~$:"


def plain(text: object) -> str:
    """User text for places that render markdown (labels, captions): every markdown and
    LaTeX character escaped, so "![x](http://...)" or "$x$" shows as typed."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in str(text)).replace(
        "\n", " "
    )


def condition_label(condition: str) -> str:
    """The plain word first, the system term after it (design.md, "The shared language")."""
    return {
        "security": t("basis op orde (bestaanszekerheid)"),
        "inclusion": t("toegang (sociale inclusie)"),
        "cohesion": t("verbindingen (sociale cohesie)"),
        "empowerment": t("ontwikkeling (sociale empowerment)"),
    }.get(condition, condition)


def expire_idle_session() -> bool:
    """Log out after SAMENSPEL_SESSION_TIMEOUT_MINUTES without activity. True when it did."""
    import time

    now = time.monotonic()
    last = st.session_state.get("last_seen")
    st.session_state["last_seen"] = now
    if st.session_state.get("user_id") and last is not None:
        if now - last > settings.session_timeout_minutes() * 60:
            st.session_state.pop("user_id", None)
            return True
    return False


@st.cache_data(ttl=30, show_spinner=False)
def _needs_first_admin() -> bool:
    from samenspel.services.accounts import needs_first_admin

    with db.read_session(get_engine()) as session:
        return needs_first_admin(session)


def needs_setup() -> bool:
    return not settings.demo_mode() and _needs_first_admin()


def log_in_as(user_id: int) -> None:
    st.session_state["user_id"] = user_id
    clear_reads()
    with db.read_session(get_engine()) as session:
        user = session.get(User, user_id)
        # The language widget already exists in this run: app.py applies this on the next one.
        st.session_state["lang_pending"] = user.language if user else settings.language()


def remember_language() -> None:
    """on_change of the language switch: keep the choice with the user."""
    from samenspel.services.accounts import set_language

    if st.session_state.get("user_id"):
        with db.session_scope(get_engine()) as session:
            from samenspel.i18n import LANGUAGE_CODES

            choice = LANGUAGE_CODES[st.session_state.lang_choice]
            set_language(session=session, actor=actor(), language=choice)


def ask(fn, **kwargs):
    """Run a read-only service that checks the actor (no cache to clear afterwards)."""
    _sync_language()
    with db.read_session(get_engine()) as session:
        return fn(session=session, actor=actor(), **kwargs)


def act(fn, **kwargs):
    """Run a service that writes only its audit trail (a contact reveal): no cache to clear."""
    _sync_language()
    with db.session_scope(get_engine()) as session:
        return fn(session=session, actor=actor(), **kwargs)
