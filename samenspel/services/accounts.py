"""Accounts: passwords hashed with argon2 (argon2-cffi: maintained, memory-hard), login with
throttling, the first administrator, and user management by administrators."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from samenspel.i18n import t
from samenspel.models import ROLES, Organisation, User, utcnow
from samenspel.services.audit import record
from samenspel.services.errors import InvalidInput, NotAllowed, NotFound
from samenspel.services.permissions import Actor, require_role

_hasher = PasswordHasher()
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
# Users who log in with the organisation's own identity provider (st.login) have no password.
NO_PASSWORD = ""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def authenticate(
    session: Session, *, username: str, password: str, demo_mode: bool, now: datetime | None = None
) -> User | None:
    """The user with this name and password, or None. After MAX_FAILED_LOGINS wrong tries
    the account waits LOCK_MINUTES (NotAllowed says so). Demo accounts only in demo mode."""
    now = now or utcnow()
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None or not user.password_hash or (user.is_demo and not demo_mode):
        verify_password(_DUMMY_HASH, password)  # the same work either way: no user enumeration
        return None
    locked_until = _aware(user.locked_until)
    if locked_until is not None and locked_until > now:
        minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
        raise NotAllowed(
            t("Te vaak een verkeerd wachtwoord. Probeer het over {n} minuten opnieuw.", n=minutes)
        )
    if verify_password(user.password_hash, password):
        user.failed_logins, user.locked_until = 0, None
        record(session, user_id=user.id, action="login", entity="user", entity_id=user.id)
        session.commit()
        return user
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        user.failed_logins = 0
    record(session, user_id=user.id, action="login_failed", entity="user", entity_id=user.id)
    session.commit()
    return None


_DUMMY_HASH = _hasher.hash("not a password anyone has")


def needs_first_admin(session: Session) -> bool:
    """True while no real (non-demo) administrator exists: the app then offers to create one."""
    admins = session.exec(
        select(func.count()).select_from(User).where(User.role == "admin", User.is_demo.is_(False))
    ).one()
    return admins == 0


def _validate_new_user(session: Session, username: str, password: str | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = username.strip().lower()
    if not name or len(name) > 100 or any(ch.isspace() for ch in name):
        errors["username"] = t("Kies een gebruikersnaam zonder spaties.")
    elif session.exec(select(User).where(User.username == name)).first() is not None:
        errors["username"] = t("Deze gebruikersnaam bestaat al.")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = t(
            "Kies een wachtwoord van minstens {n} tekens.", n=MIN_PASSWORD_LENGTH
        )
    return errors


def create_first_admin(
    *, session: Session, username: str, password: str, display_name: str = ""
) -> User:
    """The first administrator of a new installation. Refused once one exists."""
    if not needs_first_admin(session):
        raise NotAllowed(t("Er is al een beheerder."))
    errors = _validate_new_user(session, username, password)
    if errors:
        raise InvalidInput(errors)
    user = User(username=username.strip().lower(), display_name=display_name or username, role="admin",
                password_hash=hash_password(password))  # fmt: skip
    session.add(user)
    session.flush()
    record(session, user_id=user.id, action="create_first_admin", entity="user", entity_id=user.id)
    session.commit()
    return user


def create_user(
    *,
    session: Session,
    actor: Actor,
    username: str,
    role: str,
    password: str | None,
    display_name: str = "",
    organisation_id: int | None = None,
    areas: tuple[str, ...] = (),
) -> User:
    """An administrator adds a user. password None: the user logs in through the identity
    provider (st.login) with this username as e-mail address."""
    require_role(actor, "admin")
    errors = _validate_new_user(session, username, password)
    if role not in ROLES:
        errors["role"] = t("Kies een rol.")
    if role == "broker" and not areas:
        errors["areas"] = t("Kies de buurten van deze buurtmakelaar.")
    if role in ("initiative", "partner") and organisation_id is None:
        errors["organisation_id"] = t("Kies de organisatie van deze gebruiker.")
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        errors["organisation_id"] = t("Deze organisatie bestaat niet.")
    if errors:
        raise InvalidInput(errors)
    user = User(
        username=username.strip().lower(), display_name=display_name or username, role=role,
        password_hash=hash_password(password) if password else NO_PASSWORD,
        organisation_id=organisation_id, areas=";".join(areas),
    )  # fmt: skip
    session.add(user)
    session.flush()
    record(
        session,
        user_id=actor.user_id,
        action="create_user",
        entity="user",
        entity_id=user.id,
        detail=role,
    )
    session.commit()
    return user


def set_password(*, session: Session, actor: Actor, user_id: int, password: str) -> None:
    """Users change their own password; administrators reset anyone's."""
    if actor.user_id != user_id:
        require_role(actor, "admin")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(t("Deze gebruiker bestaat niet."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            {"password": t("Kies een wachtwoord van minstens {n} tekens.", n=MIN_PASSWORD_LENGTH)}
        )
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    record(session, user_id=actor.user_id, action="set_password", entity="user", entity_id=user.id)
    session.commit()


def user_for_identity(session: Session, *, email: str | None) -> User | None:
    """Map an identity from the organisation's login (st.login, OIDC) to a local user: the
    identity provider says who someone is, Samenspel's own table says what they may do."""
    if not email:
        return None
    user = session.exec(
        select(User).where(User.username == email.strip().lower(), User.is_demo.is_(False))
    ).first()
    disabled = (
        user is not None
        and user.locked_until is not None
        and _aware(user.locked_until).year == 9999
    )
    return None if disabled else user


def set_language(*, session: Session, actor: Actor, language: str) -> None:
    """Remember a user's language, so it is there again at the next login."""
    if actor.user_id is None or language not in ("nl", "en"):
        return
    user = session.get(User, actor.user_id)
    if user is not None and user.language != language:
        user.language = language
        session.commit()


def update_user(
    *, session: Session, actor: Actor, user_id: int, role: str, organisation_id: int | None,
    areas: tuple[str, ...], active: bool,
) -> User:  # fmt: skip
    """An administrator changes someone's role, organisation and areas, or disables them
    (a disabled user has no password and cannot log in; the history stays)."""
    require_role(actor, "admin")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(t("Deze gebruiker bestaat niet."))
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = t("Kies een rol.")
    if role == "broker" and not areas:
        errors["areas"] = t("Kies de buurten van deze buurtmakelaar.")
    if role in ("initiative", "partner") and organisation_id is None:
        errors["organisation_id"] = t("Kies de organisatie van deze gebruiker.")
    if user.id == actor.user_id and (role != "admin" or not active):
        errors["role"] = t("Je kunt je eigen beheerrechten niet weghalen.")
    if errors:
        raise InvalidInput(errors)
    user.role, user.organisation_id, user.areas = role, organisation_id, ";".join(areas)
    if not active:
        user.password_hash = NO_PASSWORD
        user.locked_until = datetime(9999, 1, 1, tzinfo=UTC)
    elif user.locked_until is not None and user.locked_until.year == 9999:
        user.locked_until = None  # enabled again; an administrator sets a new password
    record(session, user_id=actor.user_id, action="update_user", entity="user", entity_id=user.id,
           detail=f"{role} {'active' if active else 'disabled'}")  # fmt: skip
    session.commit()
    return user
