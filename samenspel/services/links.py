"""Links in mails that do something without logging in (confirm an address, set a new
password, unsubscribe, answer "Is het gelukt?"): signed with the instance's key
(itsdangerous, the well-kept signer behind Flask's sessions), valid for a limited time, and
single use where the action must happen once (its token id lands in UsedLink).

A link carries only ids and a purpose, never personal data; tampering breaks the signature."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from samenspel import settings
from samenspel.i18n import t
from samenspel.services.errors import InvalidInput
from samenspel.storage.models import UsedLink

DAY = 24 * 3600
# purpose -> how long its link works, in seconds
PURPOSES = {
    "confirm_email": 3 * DAY,
    "reset_password": DAY,
    "unsubscribe": 365 * DAY,
    "follow_up": 14 * DAY,
}


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown link purpose {purpose!r}")
    return URLSafeTimedSerializer(settings.secret_key(), salt=f"samenspel:{purpose}")


def make_token(purpose: str, **data) -> str:
    """A signed token for `purpose` carrying `data` (ids and choices only) and a random id
    that makes it single use where the reader asks for that."""
    return _serializer(purpose).dumps({**data, "jti": secrets.token_urlsafe(12)})


def url(page: str, purpose: str, **data) -> str:
    """The full link to `page` (a page's url path, e.g. "link") with a fresh token."""
    query = urlencode({"token": make_token(purpose, **data)})
    return f"{settings.base_url()}/{page}?{query}"


def read_token(token: str, purpose: str) -> dict:
    """The data of a valid token, or InvalidInput with a Dutch message that says why not
    (tampered, from another purpose, or too old)."""
    try:
        return _serializer(purpose).loads(token, max_age=PURPOSES[purpose])
    except SignatureExpired:
        raise InvalidInput({"token": t("Deze link is verlopen. Vraag een nieuwe aan.")}) from None
    except BadSignature:
        raise InvalidInput({"token": t("Deze link klopt niet. Gebruik de link uit de mail, helemaal.")}) from None  # fmt: skip


def use_once(session: Session, data: dict) -> None:
    """Mark a token as used, in the caller's unit of work (so a failing action leaves it
    unused); a second use is refused. The primary key decides between two at once."""
    try:
        with session.begin_nested():
            session.add(UsedLink(token_id=str(data["jti"])))
            session.flush()
    except IntegrityError:
        raise InvalidInput({"token": t("Deze link is al gebruikt.")}) from None
