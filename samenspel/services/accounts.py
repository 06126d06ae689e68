"""Accounts: passwords hashed with argon2 (argon2-cffi: maintained, memory-hard) and checked for
strength with zxcvbn, login with throttling per client, server-side login sessions, the first
administrator (only with a one-time code from the server), and user management."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select, update
from zxcvbn import zxcvbn

from samenspel.i18n import t
from samenspel.services import limits
from samenspel.services.audit import record
from samenspel.services.errors import InvalidInput, NotAllowed, NotFound
from samenspel.services.permissions import Actor, require_role
from samenspel.storage.models import (
    ROLES,
    LoginSession,
    Organisation,
    SetupGuard,
    SetupToken,
    User,
    sha256_hex,
    utcnow,
)

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200  # zxcvbn's work grows with the length; nobody types more
MIN_PASSWORD_SCORE = 3  # zxcvbn: 3 "safely unguessable", about 10^8 guesses and more
# Users who log in with the organisation's own identity provider (st.login) have no password.
NO_PASSWORD = ""
# A login ends after this long whatever the activity; the idle timeout ends it sooner.
SESSION_MAX_AGE = timedelta(hours=12)
# last_seen is written at most this often per session (not on every rerun), so the idle
# timeout is exact to within this margin.
SESSION_RENEW_AFTER = timedelta(seconds=60)
SETUP_TOKEN_VALID = timedelta(hours=24)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


# Each argon2 verify takes 64 MiB and about 0.2 s of a core: a few at a time, so that a flood
# of logins from many sessions waits instead of taking the server's memory.
_VERIFY_SLOTS = threading.BoundedSemaphore(2)


def verify_password(password_hash: str, password: str) -> bool:
    with _VERIFY_SLOTS:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


_DUMMY_HASH = _hasher.hash("not a password anyone has")


def _token_hash(token: str) -> str:
    # The tokens are 256 random bits: a fast hash is enough (no dictionary to try).
    return sha256_hex(token)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def password_problem(password: str, *, username: str = "") -> str | None:
    """What is wrong with a new password, in words that say what to do; None when it is good."""
    advice = t("Tip: kies drie of vier losse woorden die niet bij elkaar horen.")
    if len(password) < MIN_PASSWORD_LENGTH:
        return (
            t("Kies een wachtwoord van minstens {n} tekens.", n=MIN_PASSWORD_LENGTH) + " " + advice
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return t("Kies een wachtwoord van hoogstens {n} tekens.", n=MAX_PASSWORD_LENGTH)
    inputs = [part for part in (username.strip().lower(), "samenspel") if part]
    if zxcvbn(password, user_inputs=inputs)["score"] < MIN_PASSWORD_SCORE:
        return t("Dit wachtwoord is te makkelijk te raden.") + " " + advice
    return None


def _check_password(password: str, *, username: str = "") -> None:
    problem = password_problem(password, username=username)
    if problem:
        raise InvalidInput({"password": problem})


# --- Login ---------------------------------------------------------------------------------


def authenticate(
    *,
    session: Session,
    username: str,
    password: str,
    demo_mode: bool,
    client: str,
    local: bool = False,
    now: datetime | None = None,
) -> User | None:
    """The user with this name and password, or None.

    Neither the answer nor the work tells whether a name exists: one argon2 verify runs in
    every case (unknown, disabled, demo account outside demo mode, throttled), and every
    failure is counted the same way, per client and per (client, name). A client that failed
    too often waits (NotAllowed says how long); nothing is locked per account, so a stranger
    cannot lock the real user out. Demo accounts work only in demo mode and only for a client
    on the server's own machine (`local`).

    A wrong password is an answer (None), not an exception: the failure it counts must be
    committed, and an exception would roll it back with the rest of the unit of work, so the
    backoff would never start."""
    now = now or utcnow()
    name = username.strip().lower()[:100]
    wait = limits.backoff_wait(session, "login", client=client, subject=name, now=now)
    if wait > 0:
        # Decided before the name is looked up and without hash work: the throttle belongs to
        # the client and the typed name, exists or not, so this answer tells nothing, and a
        # throttled flood costs no argon2 memory.
        raise NotAllowed(limits.wait_message(wait))
    user = session.exec(select(User).where(User.username == name)).first()
    usable = (
        user is not None
        and bool(user.password_hash)
        and user.is_active
        and not (user.is_demo and not demo_mode)
    )
    correct = verify_password(user.password_hash if usable else _DUMMY_HASH, password)
    if not (usable and correct):
        limits.record_failure(session, "login", client=client, subject=name, now=now)
        return None
    org = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    if org is not None and org.approval != "approved":
        # A sign-up (services/signup.py) gets in once its address is confirmed and its area's
        # broker approved it. Said only after the right password: nobody else learns it.
        if user.email and user.email_confirmed_at is None:
            raise NotAllowed(t("Bevestig eerst je e-mailadres: kijk in je mail."))
        if org.approval == "pending":
            raise NotAllowed(t("Je aanmelding wacht nog op de buurtmakelaar."))
        raise NotAllowed(t("Je aanmelding is niet goedgekeurd. In de mail van de buurtmakelaar staat waarom."))  # fmt: skip
    if user.is_demo and not local:
        raise NotAllowed(t("Demo-accounts werken alleen op de computer waar Samenspel draait."))
    limits.clear_failures(session, "login", client=client, subject=name, now=now)
    record(session, user_id=user.id, action="login", entity="user", entity_id=user.id)
    return user


# --- Sessions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionUser:
    """Who a valid session belongs to, as plain values."""

    id: int
    username: str
    name: str
    role: str
    organisation_id: int | None
    areas: tuple[str, ...]
    language: str


@dataclass(frozen=True)
class SessionCheck:
    user: SessionUser | None
    # Why there is no user: "" (no session), "idle" (timed out), "ended" (logged out elsewhere,
    # expired, disabled, deleted, demo mode off).
    reason: str = ""
    renew: bool = False  # last_seen is old enough to be written again (touch_session)


def start_session(*, session: Session, user_id: int, now: datetime | None = None) -> str:
    """A new login session; the token is returned once and only its hash is stored."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            token_hash=_token_hash(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_MAX_AGE,
        )
    )
    return token


def check_session(
    *,
    session: Session,
    token: str,
    idle_minutes: int,
    demo_mode: bool,
    now: datetime | None = None,
) -> SessionCheck:
    """Read only: is this session valid now (not revoked, not expired, not idle for longer
    than idle_minutes since the last_seen stored in the database, its user active)?"""
    now = now or utcnow()
    row = session.exec(
        select(LoginSession).where(LoginSession.token_hash == _token_hash(token))
    ).first()
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
        return SessionCheck(None, "ended")
    last_seen = _aware(row.last_seen_at)
    if now - last_seen > timedelta(minutes=idle_minutes):
        return SessionCheck(None, "idle")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active or (user.is_demo and not demo_mode):
        return SessionCheck(None, "ended")
    if user.role in ("initiative", "partner") and user.organisation_id is None:
        return SessionCheck(None, "ended")  # their organisation was deleted
    found = SessionUser(
        user.id, user.username, user.display_name or user.username, user.role,
        user.organisation_id, tuple(a for a in user.areas.split(";") if a), user.language,
    )  # fmt: skip
    return SessionCheck(found, renew=now - last_seen >= SESSION_RENEW_AFTER)


def touch_session(
    *, session: Session, token: str, idle_minutes: int, now: datetime | None = None
) -> None:
    """The session was used: move last_seen to now. Only a session that is still live: an idle
    one is never brought back (the condition is in the UPDATE, so two instances agree)."""
    now = now or utcnow()
    session.exec(
        update(LoginSession)
        .where(
            LoginSession.token_hash == _token_hash(token),
            LoginSession.revoked_at.is_(None),
            LoginSession.last_seen_at >= now - timedelta(minutes=idle_minutes),
        )
        .values(last_seen_at=now)
    )


def end_session(*, session: Session, token: str, now: datetime | None = None) -> None:
    """Logout: the session stops working everywhere (every tab, every app instance)."""
    session.exec(
        update(LoginSession)
        .where(LoginSession.token_hash == _token_hash(token), LoginSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )


def _end_user_sessions(session: Session, user_id: int, now: datetime | None = None) -> None:
    """Every session of this user stops, in the caller's unit of work."""
    session.exec(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )


# --- The first administrator ---------------------------------------------------------------


def needs_first_admin(session: Session) -> bool:
    """True while setup has not happened: no guard row and no real (non-demo) administrator."""
    if session.get(SetupGuard, 1) is not None:
        return False
    admins = session.exec(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.is_demo.is_(False), User.is_active.is_(True))
    ).one()
    return admins == 0


def new_setup_token(*, session: Session, now: datetime | None = None) -> str:
    """A one-time code for the setup page, for the server's log or `samenspel setup-token`."""
    now = now or utcnow()
    token = secrets.token_urlsafe(24)
    session.add(
        SetupToken(
            token_hash=_token_hash(token), created_at=now, expires_at=now + SETUP_TOKEN_VALID
        )
    )
    return token


def _new_user_errors(session: Session, username: str, password: str | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = username.strip().lower()
    if not name or len(name) > 100 or any(ch.isspace() for ch in name):
        errors["username"] = t("Kies een gebruikersnaam zonder spaties.")
    elif session.exec(select(User).where(User.username == name)).first() is not None:
        errors["username"] = t("Deze gebruikersnaam bestaat al.")
    if password is not None:
        problem = password_problem(password, username=name)
        if problem:
            errors["password"] = problem
    return errors


@dataclass(frozen=True)
class SetupOutcome:
    """What create_first_admin did: made the administrator, or refused a wrong code.

    A wrong code is returned, not raised: its failure is counted in the session (the backoff
    that stops guessing), and an exception would roll that count back with the unit of work,
    so a guesser could try forever. The entry point lets the unit of work commit, then calls
    `admin()`, which raises the refusal."""

    user: User | None = None
    refused: InvalidInput | None = None

    def admin(self) -> User:
        """The new administrator, or the refusal raised (call it after the commit)."""
        if self.refused is not None:
            raise self.refused
        return self.user


def create_first_admin(
    *,
    session: Session,
    token: str,
    username: str,
    password: str,
    display_name: str = "",
    client: str = "",
    now: datetime | None = None,
) -> SetupOutcome:
    """The first administrator, for whoever holds a valid setup code. Exactly once: the guard
    row (primary key 1) goes into the same transaction, so of two simultaneous setups one
    commits and the other is refused, on SQLite and on PostgreSQL alike. Refusals that change
    nothing are raised (NotAllowed, InvalidInput); a wrong code is returned (SetupOutcome)."""
    now = now or utcnow()
    limits.require_no_backoff(session, "setup", client=client, subject="", now=now)
    if not needs_first_admin(session):
        raise NotAllowed(t("Er is al een beheerder."))
    code = session.exec(
        select(SetupToken).where(SetupToken.token_hash == _token_hash(token.strip()))
    ).first()
    if code is None or code.used_at is not None or _aware(code.expires_at) <= now:
        limits.record_failure(session, "setup", client=client, subject="", now=now)
        return SetupOutcome(
            refused=InvalidInput(
                {
                    "token": t(
                        "Deze code klopt niet of is verlopen. Vraag een nieuwe code met 'samenspel setup-token' op de server."
                    )
                }
            )
        )
    errors = _new_user_errors(session, username, password)
    if errors:
        raise InvalidInput(errors)
    user = User(username=username.strip().lower(), display_name=display_name or username,
                role="admin", password_hash=hash_password(password))  # fmt: skip
    try:
        # Two setups at the same moment on PostgreSQL both pass the check above; the second
        # one's guard row then conflicts at this flush. The savepoint takes only these rows
        # back, so the session stays usable (PostgreSQL would refuse every further statement
        # of an aborted transaction) and the refusal below is a clean NotAllowed, which rolls
        # the rest of the unit of work back. On SQLite, BEGIN IMMEDIATE makes the second
        # setup wait for the first and then fail the check above instead.
        with session.begin_nested():
            session.add(user)
            session.flush()
            session.add(SetupGuard(id=1, user_id=user.id, created_at=now))
            code.used_at = now
    except IntegrityError:
        raise NotAllowed(t("Er is al een beheerder.")) from None
    record(session, user_id=user.id, action="create_first_admin", entity="user", entity_id=user.id)
    return SetupOutcome(user=user)


def create_admin(*, session: Session, username: str, password: str, display_name: str = "") -> User:
    """An administrator made on the server (`samenspel create-admin`): whoever runs it can read
    the database anyway. Also closes the setup page when this is the first one."""
    errors = _new_user_errors(session, username, password)
    if errors:
        raise InvalidInput(errors)
    user = User(username=username.strip().lower(), display_name=display_name or username,
                role="admin", password_hash=hash_password(password))  # fmt: skip
    try:
        # As in create_first_admin: a setup (or the same name) at the same moment conflicts
        # here, and only the savepoint is undone, so the refusal stays a clean message.
        with session.begin_nested():
            session.add(user)
            session.flush()
            if session.get(SetupGuard, 1) is None:
                session.add(SetupGuard(id=1, user_id=user.id))
    except IntegrityError:
        raise NotAllowed(
            t("Tegelijk werd er een andere beheerder gemaakt. Probeer het opnieuw.")
        ) from None
    record(session, user_id=None, action="create_admin", entity="user", entity_id=user.id)
    return user


# --- User management -----------------------------------------------------------------------


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
    errors = _new_user_errors(session, username, password)
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
    return user


def set_password(*, session: Session, actor: Actor, user_id: int, password: str) -> None:
    """Users change their own password; administrators reset anyone's. Either way every session
    of that user ends, the changer's own included: whoever knew the old password is out."""
    if actor.user_id != user_id:
        require_role(actor, "admin")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(t("Deze gebruiker bestaat niet."))
    _check_password(password, username=user.username)
    user.password_hash = hash_password(password)
    _end_user_sessions(session, user.id)
    record(session, user_id=actor.user_id, action="set_password", entity="user", entity_id=user.id)


def user_for_identity(session: Session, *, email: str | None) -> User | None:
    """Map an identity from the organisation's login (st.login, OIDC) to a local active user:
    the identity provider says who someone is, Samenspel's own table says what they may do."""
    if not email:
        return None
    return session.exec(
        select(User).where(
            User.username == email.strip().lower(),
            User.is_demo.is_(False),
            User.is_active.is_(True),
        )
    ).first()


def set_language(*, session: Session, actor: Actor, language: str) -> None:
    """Remember a user's language, so it is there again at the next login."""
    if actor.user_id is None or language not in ("nl", "en"):
        return
    user = session.get(User, actor.user_id)
    if user is not None and user.language != language:
        user.language = language


def update_user(
    *, session: Session, actor: Actor, user_id: int, role: str, organisation_id: int | None,
    areas: tuple[str, ...], display_name: str | None = None,
) -> User:  # fmt: skip
    """An administrator changes someone's name, role, organisation and areas. Whether they may
    log in is not part of it: that is set_active, an explicit choice of its own, so saving this
    form (from a page that may be older than the last change) never enables or disables anyone.
    display_name None keeps the name."""
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
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        errors["organisation_id"] = t("Deze organisatie bestaat niet.")
    if user.id == actor.user_id and role != "admin":
        errors["role"] = t("Je kunt je eigen beheerrechten niet weghalen.")
    name = None if display_name is None else display_name.strip()
    if name is not None and len(name) > 200:  # the column's own limit
        errors["display_name"] = t("Deze tekst is te lang: hoogstens {n} tekens.", n=200)
    if errors:
        raise InvalidInput(errors)
    user.role, user.organisation_id, user.areas = role, organisation_id, ";".join(areas)
    if name is not None:
        user.display_name = name or user.username
    record(session, user_id=actor.user_id, action="update_user", entity="user", entity_id=user.id,
           detail=role)  # fmt: skip
    # Every session of a changed user reads the new role on its next rerun (no cache).
    return user


def set_active(*, session: Session, actor: Actor, user_id: int, active: bool) -> User:
    """An administrator disables someone (every session of theirs ends at once; their history
    stays) or lets them log in again. Only when it changes anything is it done and audited."""
    require_role(actor, "admin")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(t("Deze gebruiker bestaat niet."))
    if user.id == actor.user_id and not active:
        raise InvalidInput({"active": t("Je kunt je eigen beheerrechten niet weghalen.")})
    if user.is_active != active:
        user.is_active = active
        if not active:
            _end_user_sessions(session, user.id)
        record(session, user_id=actor.user_id, action="enable_user" if active else "disable_user",
               entity="user", entity_id=user.id)  # fmt: skip
    return user
