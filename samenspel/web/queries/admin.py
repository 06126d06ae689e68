"""Lists for staff pages: users (for the administrator), organisations, neighbourhoods."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, select

from samenspel.storage.models import Organisation, User


def organisations(session: Session, role: str | None = None) -> pd.DataFrame:
    """The approved organisations (a sign-up waiting for its broker is not one to post for or
    give accounts to yet: services/signup.py)."""
    query = select(Organisation).where(Organisation.approval == "approved")
    query = query.order_by(Organisation.name)
    if role:
        query = query.where(Organisation.role == role)
    rows = [
        (o.id, o.name, o.role, o.partner_type, o.legal_form, o.neighbourhood)
        for o in session.exec(query)
    ]
    return pd.DataFrame(
        rows, columns=["id", "name", "role", "partner_type", "legal_form", "neighbourhood"]
    )


def neighbourhoods(session: Session) -> list[str]:
    names = session.exec(select(Organisation.neighbourhood).distinct()).all()
    return sorted(n for n in names if n)


def users(session: Session) -> pd.DataFrame:
    """Users for the administrator: never a password hash."""
    rows = [
        (u.id, u.username, u.display_name, u.role, u.organisation_id, u.areas, u.is_demo,
         u.is_active)
        for u in session.exec(select(User).order_by(User.username))
    ]  # fmt: skip
    return pd.DataFrame(
        rows,
        columns=["id", "username", "name", "role", "organisation_id", "areas", "demo", "active"],
    )
