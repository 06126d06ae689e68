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
def map_points() -> pd.DataFrame:
    with db.read_session(get_engine()) as session:
        return queries.map_points(session)


@st.cache_data(show_spinner=False, ttl=600)
def counts_per_kind() -> pd.DataFrame:
    with db.read_session(get_engine()) as session:
        return queries.counts_per_kind(session)


def clear_reads() -> None:
    st.cache_data.clear()


def show_domain_error(exc: DomainError) -> None:
    if isinstance(exc, InvalidInput):
        for message in exc.field_errors.values():
            st.error(message)
    else:
        st.error(str(exc))


def kind_label(kind: str) -> str:
    return {
        "venue": t("Ruimte"),
        "volunteers": t("Vrijwilligers"),
        "money": t("Geld"),
        "art": t("Kunst en cultuur"),
        "goods": t("Spullen"),
        "expertise": t("Kennis"),
    }.get(kind, kind)
