"""What every page shares: the engine, the current user, cached reads and messages.

Session state holds ids and plain values only. Cached reads return DataFrames or dataclasses
and are keyed on the data versions of the tables they read (web/cache.py): a write anywhere
refreshes exactly the reads of what it changed, with no call to forget.
"""

from __future__ import annotations

import logging
import re
import time

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from samenspel import logs, settings
from samenspel.i18n import t
from samenspel.services import suggestion_jobs
from samenspel.services.accounts import MIN_PASSWORD_LENGTH, SessionUser
from samenspel.services.errors import DomainError, InvalidInput
from samenspel.services.scope import NO_AREAS, Areas, AreaScope, exact_place_scope
from samenspel.storage import db
from samenspel.storage.models import Match, Need, Offer, Organisation, SetupGuard, User
from samenspel.storage.seed import seed_demo
from samenspel.web import queries
from samenspel.web.cache import cached_read
from samenspel.web.clients import Client, identify


@st.cache_resource(show_spinner=False)
def get_engine() -> Engine:
    """One engine per process: the schema is upgraded, and the demo city seeded when empty."""
    engine = db.engine_for(settings.database_url())
    if settings.demo_mode():
        seed_demo(engine)
    from samenspel.services.accounts import needs_first_admin, new_setup_token
    from samenspel.services.matches import expire_stale

    token = None
    with db.unit_of_work(engine) as session:
        expire_stale(session=session)  # deadlines that passed while the app was down
        if not settings.demo_mode() and needs_first_admin(session):
            token = new_setup_token(session=session)
    if token:  # announced once it is stored: a code the database lost would not work
        announce_setup_token(token)
    warm_up_sentence_model()
    suggestion_jobs.kick(engine)  # what was still waiting when the app last stopped
    return engine


def warm_up_sentence_model() -> None:
    """Load the sentence model in the background at start (1-2 s), so the first post does not
    wait for it inside its transaction."""
    import threading

    from samenspel.matching.semantic import shared_semantic

    semantic = shared_semantic(settings.embedder())
    if semantic is not None:
        threading.Thread(
            target=semantic.embedder.encode, args=(["Samenspel"],), daemon=True
        ).start()


def announce_setup_token(token: str) -> None:
    """Into the server's log only: whoever reads it runs the server, and may set it up.

    The code itself is in the line (field "setup_code"): the operator needs it, and the log is
    where they look. It is not personal data, works once, for 24 hours, only while there is no
    administrator, and only its hash is stored. Its own event name lets a log shipper drop or
    mask the field with one rule; `samenspel setup-token` makes a fresh code on the server."""
    from samenspel.services.accounts import SETUP_TOKEN_VALID

    hours = int(SETUP_TOKEN_VALID.total_seconds() // 3600)
    # The message keeps the words the operator saw before (in Dutch, as the setup page is).
    logs.event(
        "setup_token",
        f"samenspel: nog geen beheerder. Code voor de pagina 'Eerste beheerder' ({hours} uur"
        f" geldig, een keer te gebruiken): {token} - of maak een beheerder met: samenspel"
        " create-admin GEBRUIKERSNAAM",
        level=logging.WARNING,
        setup_code=token,
        valid_hours=hours,
    )


# The logged-in user as plain values (what a valid session belongs to).
CurrentUser = SessionUser


# --- Who is connecting ----------------------------------------------------------------------


def _text(value: object) -> str:
    """A value from st.context as text; anything else (AppTest has a stand-in client whose
    fields are mock objects) counts as absent."""
    return value if isinstance(value, str) else ""


def client() -> Client:
    """Where this session comes from (samenspel.web.clients). Under AppTest there are no headers:
    such a client is not known to be local, so demo accounts cannot log in there; tests log in
    with a session row instead (tests/app/conftest.py)."""
    headers = st.context.headers

    def header(name: str) -> list[str]:
        return [_text(v) for v in headers.get_all(name) if _text(v)] if headers else []

    return identify(_text(st.context.ip_address), header, settings.trusted_proxy())


# --- Login sessions -------------------------------------------------------------------------

# session_state[TOKEN_KEY] holds this tab's session token. The browser keeps it in a cookie
# so that a reload and a second tab stay logged in; the database holds only its hash.
TOKEN_KEY = "auth_token"
COOKIE_NAME = "samenspel_session"
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")  # what secrets.token_urlsafe makes


def _sent_cookie() -> str:
    """The session cookie as the browser sent it when this tab connected ("" when none)."""
    cookie = _text(st.context.cookies.get(COOKIE_NAME))
    return cookie if _TOKEN_SHAPE.match(cookie) else ""


def _session_token() -> str | None:
    token = st.session_state.get(TOKEN_KEY)
    if token:
        return token
    cookie = _sent_cookie()
    if cookie and cookie not in st.session_state.get("refused_tokens", ()):
        st.session_state[TOKEN_KEY] = cookie  # a reload or a new tab: the browser's login
        st.session_state["token_from_cookie"] = True
        return cookie
    return None


def _forget(token: str, reason: str) -> None:
    st.session_state.pop(TOKEN_KEY, None)
    st.session_state.pop("token_from_cookie", None)
    st.session_state["refused_tokens"] = (*st.session_state.get("refused_tokens", ()), token)
    st.session_state["session_ended"] = reason


def current_user() -> CurrentUser | None:
    """The logged-in user, checked in the database on every call: the session is live (not
    logged out, not expired, not idle longer than SAMENSPEL_SESSION_TIMEOUT_MINUTES since its
    last use on any instance) and the user may still log in. Callbacks, which run before
    app.py, pass here too (through actor()), so a stale session cannot act."""
    from samenspel.services.accounts import check_session, touch_session

    token = _session_token()
    logs.bind_user(None)
    if not token:
        return None
    idle = settings.session_timeout_minutes()
    with db.unit_of_work(get_engine(), read_only=True) as session:
        found = check_session(
            session=session, token=token, idle_minutes=idle, demo_mode=settings.demo_mode()
        )
    if found.user is None:
        _forget(token, found.reason)
        return None
    if found.renew:
        # A unit of work of its own, and only about once a minute: every other run only reads.
        with db.unit_of_work(get_engine()) as session:
            touch_session(session=session, token=token, idle_minutes=idle)
    user = found.user
    logs.bind_user(user.id)  # every log line of this run says whose it is (the id only)
    if st.session_state.pop("token_from_cookie", False):
        st.session_state["lang_pending"] = user.language  # as at login (app.py applies it)
    return user


def session_notice() -> str | None:
    """Why this tab was just logged out, once; None when it was not."""
    reason = st.session_state.pop("session_ended", None)
    if reason == "idle":
        return t("Je was een tijd niet actief en bent uitgelogd. Log opnieuw in.")
    if reason:
        return t("Je bent uitgelogd. Log opnieuw in.")
    return None


def sync_cookie() -> None:
    """Make the browser's cookie follow this tab's login. Streamlit can read cookies
    (st.context.cookies, as sent when the tab connected) but not set them, so a small script
    on the page writes document.cookie. It is written on every run until the browser shows it
    (idempotent), so a rerun that interrupts a run cannot lose it."""
    wanted = st.session_state.get(TOKEN_KEY)
    sent = _sent_cookie()
    written = st.session_state.get("cookie_written", "")
    scripts = []
    for stale in {sent, written} - {wanted, ""}:
        if _TOKEN_SHAPE.match(stale):
            # Only that old value: another tab may have logged in since and set a new one.
            scripts.append(
                f"if (document.cookie.split('; ').includes('{COOKIE_NAME}={stale}')) "
                f"document.cookie = '{COOKIE_NAME}=; path=/; max-age=0; SameSite=Strict';"
            )
    if wanted and wanted != sent:
        # A browser-session cookie (no max-age): closing the browser on a shared computer
        # ends the login there; the session row still expires on its own.
        scripts.append(
            f"document.cookie = '{COOKIE_NAME}={wanted}; path=/; "
            "SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');"
        )
        st.session_state["cookie_written"] = wanted
    if scripts:
        st.html("<script>" + "\n".join(scripts) + "</script>", unsafe_allow_javascript=True)


def current_role() -> str:
    user = current_user()
    return user.role if user else "public"


@cached_read(Need, Offer, Organisation)
def map_points(exact_in: AreaScope = NO_AREAS) -> pd.DataFrame:
    with db.unit_of_work(get_engine(), read_only=True) as session:
        return queries.map_points(session, exact_in=exact_in)


@cached_read(Match, Need, Offer, Organisation)
def partnership_lines(exact_in: AreaScope = NO_AREAS, staff: bool = False) -> list:
    with db.unit_of_work(get_engine(), read_only=True) as session:
        return queries.partnership_lines(session, exact_in=exact_in, staff=staff)


def exact_areas() -> Areas:
    """Informal initiatives are shown at their exact place only to the broker of their area
    (scope.exact_place_scope)."""
    user = current_user()
    return exact_place_scope(user.role, user.areas) if user else NO_AREAS


@cached_read(Need, Offer)
def counts_per_kind() -> pd.DataFrame:
    with db.unit_of_work(get_engine(), read_only=True) as session:
        return queries.counts_per_kind(session)


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
    return Actor(
        user.id, user.role, user.organisation_id, user.areas, user.name, client=client().key
    )


def require_page(path: str) -> None:
    """Refuse a page the current role may not use, even when opened by its URL."""
    from samenspel.web.navigation import may_open

    role = current_role()
    if not may_open(role, path):
        if role == "public":
            st.info(t("Log eerst in om deze pagina te zien. Dat kan bij 'Inloggen' in het menu."))
        else:
            st.error(t("Deze pagina is niet voor jouw account. Log in met een ander account."))
        st.stop()


def field_errors(prefix: str) -> dict[str, str]:
    return st.session_state.get(f"{prefix}_errors", {})


def show_field_error(prefix: str, name: str) -> None:
    """The message for one field, right under its input. Messages echo what was typed
    ("We kennen de plek '...' niet"), and st.error renders markdown: escaped here."""
    message = field_errors(prefix).get(name)
    if message:
        st.error(plain(message), icon="⚠️")


def _sync_language() -> None:
    """Callbacks and fragment reruns do not pass through app.py, where the language is set."""
    from samenspel.i18n import set_language

    set_language(st.session_state.get("lang", settings.language()))


def read(fn, *args, **kwargs):
    """Run a read-only query function in a read-only unit of work (no write can happen in it)."""
    _sync_language()
    with db.unit_of_work(get_engine(), read_only=True) as session:
        return fn(session, *args, **kwargs)


class UnexpectedError(DomainError):
    """A service failed in a way nobody planned for (a bug, the database gone). Pages already
    show every DomainError as a message, also in callbacks and fragments, which app.py's
    safety net does not reach: so the user gets this message with its error id."""


def _run_logged(fn, who, kwargs):
    """Run a service in one unit of work and log its outcome: the service's name and the
    user's id, nothing of what was typed. The commit is inside the logged part, so a failing
    commit is an unexpected error with a code too, and "action done" means committed."""
    service = f"{fn.__module__.rsplit('.', 1)[-1]}.{getattr(fn, '__name__', type(fn).__name__)}"
    try:
        with db.unit_of_work(get_engine()) as session:
            result = fn(session=session, actor=who, **kwargs)
    except DomainError as exc:
        logs.event("write", "action refused", user_id=who.user_id, service=service,
                   outcome=type(exc).__name__)  # fmt: skip
        raise
    except Exception as exc:
        error_id = logs.error("write_error", "unexpected error in an action", exc,
                              user_id=who.user_id, service=service)  # fmt: skip
        raise UnexpectedError(
            t(
                "Er ging iets mis. Probeer het opnieuw. Gaat het weer mis? Geef dan deze code aan de beheerder: {code}",
                code=error_id,
            )
        ) from exc
    logs.event("write", "action done", user_id=who.user_id, service=service, outcome="ok")
    if suggestion_jobs.queued_in(session):  # committed: its suggestions are worked out now
        suggestion_jobs.kick(get_engine())
    return result


def write(fn, **kwargs):
    """Run a service in its own unit of work (one commit; any error rolls all of it back);
    domain errors come back to the page as messages."""
    _sync_language()
    return _run_logged(fn, actor(), kwargs)


def restart_suggestions() -> None:
    """Have this process work out the suggestion jobs that nobody is doing (a process that
    queued or took them stopped): returns at once (services/suggestion_jobs.py)."""
    suggestion_jobs.kick(get_engine())


def submit_form(errors_prefix: str, action, then=None) -> None:
    """What every form does after its submit button: run `action` (a `write`); when it works,
    forget the form's field errors, let `then(result)` note what to show, and rerun. A refused
    field is kept under `errors_prefix` for the next run (shown by show_field_error beside its
    widget, nothing typed lost); any other refusal shows as a message."""
    try:
        result = action()
    except InvalidInput as exc:
        st.session_state[f"{errors_prefix}_errors"] = exc.field_errors
        st.rerun()
    except DomainError as exc:
        show_domain_error(exc)
        return
    st.session_state.pop(f"{errors_prefix}_errors", None)
    if then is not None:
        then(result)
    st.rerun()


def legal_form_label(form: str) -> str:
    return {
        "informal": t("informele groep"),
        "association": t("vereniging"),
        "foundation": t("stichting"),
        "company": t("bedrijf"),
        "public": t("overheid"),
    }.get(form, form)


def status_label(status: str) -> str:
    """A match's status in the lifecycle's own word, or a need's or offer's status."""
    from samenspel.services import lifecycle

    if status in lifecycle.LABELS:
        return t(lifecycle.label_key(status))  # "expired" too: a need expires the same way
    return {
        "open": t("open"),
        "closed": t("gesloten"),
        "matched": t("gematcht"),
        "paused": t("gepauzeerd"),
    }.get(status, status)


def ago(moment) -> str:
    """How long ago a stored moment (UTC) was, in days: "vandaag", "gisteren", "3 dagen
    geleden"."""
    moment = pd.Timestamp(moment)
    if moment.tzinfo is None:  # the database gave it back without its zone: it is UTC
        moment = moment.tz_localize("UTC")
    days = (pd.Timestamp.now(tz="UTC").normalize() - moment.tz_convert("UTC").normalize()).days
    if days <= 0:
        return t("vandaag")
    if days == 1:
        return t("gisteren")
    return t("{n} dagen geleden", n=days)


def tie_label(tie: str) -> str:
    return {
        "bonding": t("bonding: binnen de eigen kring"),
        "bridging": t("bridging: buiten de eigen kring"),
        "linking": t("linking: naar een instelling"),
    }.get(tie, tie)


_MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-.!|~$:"


def bullets(*lines: str) -> None:
    """A markdown list of our own sentences (a statement page's points)."""
    st.markdown("\n".join(f"- {line}" for line in lines))


def page_number(total: int, per_page: int, key: str) -> int:
    """Which page of `total` items to show, 1 when they fit on one; with more, a number input
    to choose it (drawn where this is called). A list that shrank (a filter) shows its last
    page."""
    pages = max(1, -(-total // per_page))
    if pages == 1:
        return 1
    if st.session_state.get(key, 1) > pages:
        st.session_state[key] = pages
    return st.number_input(
        t("Bladzijde (van {n})", n=pages), min_value=1, max_value=pages, step=1, key=key
    )


def plain(text: object) -> str:
    """User text for places that render markdown (labels, captions): every markdown and
    LaTeX character escaped, so "![x](http://...)" or "$x$" shows as typed."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in str(text)).replace(
        "\n", " "
    )


def condition_label(condition: str) -> str:
    """The plain word first, the system term after it (docs/design.md, "The shared language")."""
    return {
        "security": t("basis op orde (bestaanszekerheid)"),
        "inclusion": t("toegang (sociale inclusie)"),
        "cohesion": t("verbindingen (sociale cohesie)"),
        "empowerment": t("ontwikkeling (sociale empowerment)"),
    }.get(condition, condition)


@cached_read(SetupGuard, User)
def _needs_first_admin() -> bool:
    from samenspel.services.accounts import needs_first_admin

    with db.unit_of_work(get_engine(), read_only=True) as session:
        return needs_first_admin(session)


def needs_setup() -> bool:
    return not settings.demo_mode() and _needs_first_admin()


def _start_login(session, user_id: int) -> tuple[str, str]:
    """A new login session for this user in the caller's unit of work: (token, language)."""
    from samenspel.services.accounts import start_session

    token = start_session(session=session, user_id=user_id)
    user = session.get(User, user_id)
    return token, user.language if user else settings.language()


def _remember_login(user_id: int, token: str, language: str) -> None:
    """This tab is logged in; called once the unit of work that stored the session committed,
    so the tab never holds a token the database does not know."""
    st.session_state[TOKEN_KEY] = token
    # The language widget already exists in this run: app.py applies this on the next one.
    st.session_state["lang_pending"] = language
    st.session_state.pop("session_ended", None)
    logs.bind_user(user_id)
    logs.event("login", "login ok", user_id=user_id)


def log_in_as(user_id: int) -> None:
    """Start a login session for this user in this tab (and, through the cookie, in the
    browser's other tabs). The caller has checked who it is."""
    with db.unit_of_work(get_engine()) as session:
        token, language = _start_login(session, user_id)
    _remember_login(user_id, token, language)


def log_in_with_password(username: str, password: str) -> bool:
    """The login form: the password is checked and the login session started in one unit of
    work. A wrong name or password is False, not an exception, so that unit of work commits
    the failure it counted (the backoff that slows a guesser down). NotAllowed (wait first, or
    a demo account from another computer) leaves nothing behind."""
    from samenspel.services.accounts import authenticate

    _sync_language()
    here = client()
    with db.unit_of_work(get_engine()) as session:
        found = authenticate(session=session, username=username, password=password,
                             demo_mode=settings.demo_mode(), client=here.key, local=here.local)  # fmt: skip
        login = _start_login(session, found.id) if found is not None else None
    if login is None:
        logs.event("login_failed", "login failed")  # no name: it may be a typed password
        return False
    _remember_login(found.id, *login)
    return True


def set_up_first_admin(*, token: str, username: str, password: str, display_name: str) -> None:
    """The setup page: the first administrator is made and logged in, in one unit of work.
    A wrong code is raised (InvalidInput) only after that unit of work committed the failure
    it counted, the backoff against guessing codes; every other refusal leaves nothing."""
    from samenspel.services.accounts import create_first_admin

    _sync_language()
    with db.unit_of_work(get_engine()) as session:
        outcome = create_first_admin(session=session, token=token, username=username,
                                     password=password, display_name=display_name,
                                     client=client().key)  # fmt: skip
        login = _start_login(session, outcome.user.id) if outcome.user is not None else None
    admin = outcome.admin()  # the refusal of a wrong code, raised now that its count is stored
    _remember_login(admin.id, *login)


def log_out() -> None:
    """End this login everywhere: the session is revoked in the database (every tab and
    instance that uses it is out on its next rerun) and the cookie is cleared (sync_cookie)."""
    from samenspel.services.accounts import end_session

    token = st.session_state.pop(TOKEN_KEY, None)
    if token:
        with db.unit_of_work(get_engine()) as session:
            end_session(session=session, token=token)
        logs.event("logout", "logout")  # the user id is still bound from this run
        logs.bind_user(None)
        st.session_state["refused_tokens"] = (*st.session_state.get("refused_tokens", ()), token)


def remember_language() -> None:
    """on_change of the language switch: keep the choice with the user."""
    from samenspel.i18n import LANGUAGE_CODES
    from samenspel.services.accounts import set_language

    if current_user() is not None:
        who = actor()
        with db.unit_of_work(get_engine()) as session:
            choice = LANGUAGE_CODES[st.session_state.lang_choice]
            set_language(session=session, actor=who, language=choice)


def ask(fn, **kwargs):
    """Run a read-only service that checks the actor, in a read-only unit of work."""
    _sync_language()
    who = actor()
    with db.unit_of_work(get_engine(), read_only=True) as session:
        return fn(session=session, actor=who, **kwargs)


def deferred(fn, **kwargs):
    """A read-only service made into a function without arguments, for a download button that
    makes its file only when clicked: Streamlit runs it on a thread of its own, without this
    session, so who is asking and their language are taken along now."""
    from samenspel.i18n import language, set_language

    who, lang, engine = actor(), language(), get_engine()

    def run():
        set_language(lang)
        with db.unit_of_work(engine, read_only=True) as session:
            return fn(session=session, actor=who, **kwargs)

    return run


def identity_login_configured() -> bool:
    """st.login (OIDC) is on when the secrets have an [auth] section."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def log_in_from_identity() -> bool:
    """st.login always comes back on the app's root, so app.py takes the identity over on
    every page: the local user whose username is the provider's verified e-mail. False when
    the identity has no Samenspel account (or its e-mail is not verified)."""
    from samenspel.services.accounts import user_for_identity

    if not identity_login_configured() or not st.user.is_logged_in:
        return True
    issued = st.user.get("iat")
    if not isinstance(issued, int | float) or time.time() - issued > 300:
        return True  # an old identity cookie: it must not reopen a session that ended
    verified = st.user.get("email_verified") is True
    with db.unit_of_work(get_engine(), read_only=True) as session:
        found = user_for_identity(session, email=st.user.get("email")) if verified else None
        user_id = found.id if found is not None else None
    if user_id is None:
        return False
    log_in_as(user_id)
    return True


def partner_type_labels() -> dict[str, str]:
    """The kinds of organisation in plain words, in the reader's language (organisations page,
    sign-up)."""
    return {
        "business": t("bedrijf"), "art_collective": t("kunstenaars of kunstcollectief"),
        "venue": t("ruimte (buurthuis, zaal)"), "welfare": t("welzijnsorganisatie"),
        "municipality": t("gemeente"), "fund": t("fonds"), "crowdfunding": t("crowdfunding"),
        "education": t("school of opleiding"), "housing": t("woningcorporatie"),
        "initiative": t("bewonersinitiatief"), "volunteers": t("vrijwilligersgroep"),
        "intermediary": t("vrijwilligerscentrale of matchingsplatform"),
    }  # fmt: skip


def new_password_input(label: str, key: str) -> str:
    """A field for a password someone chooses, with the rule it must meet (accounts.py checks
    it)."""
    return st.text_input(
        label,
        type="password",
        key=key,
        help=t(
            "Minstens {n} tekens en niet makkelijk te raden, bijvoorbeeld drie of vier losse woorden.",
            n=MIN_PASSWORD_LENGTH,
        ),
    )
