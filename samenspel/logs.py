"""Logs for the operator: one JSON object per line on standard error, so that a log shipper
(journald, Docker, Loki, ...) can read them without guessing.

Every line has `time` (ISO 8601, UTC), `level`, `event` (a fixed name such as "login" or
"page_error"), `message` (a fixed English sentence) and, when known, `user_id` and
`session_id` (Streamlit's random id of the browser tab), plus the event's own ids and codes.

A line never carries personal data beyond ids: no names, e-mail addresses, titles, typed text
or IP addresses. So messages are fixed texts and callers pass ids and codes only, and a
traceback keeps its frames and exception classes but not the exception's message: database
errors repeat row values there (PostgreSQL's "DETAIL: Key (username)=(...) already exists").
The error id of a page error leads from the user's screen to its traceback here.
"""

from __future__ import annotations

import json
import logging
import secrets
import sys
import threading
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime

LOGGER_NAME = "samenspel"
_logger = logging.getLogger(LOGGER_NAME)
_lock = threading.Lock()
_handler: logging.Handler | None = None

# Who the current page run belongs to; set by ui.current_user() on every run and callback.
# A ContextVar, as the language is (i18n): each Streamlit session runs in its own thread.
_user_id: ContextVar[int | None] = ContextVar("samenspel_log_user_id", default=None)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is written (Streamlit and pytest replace
    it while the process runs; a stream kept from setup time may be closed by then)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):  # noqa: D401 - the property StreamHandler.emit writes to
        return sys.stderr


def safe_traceback(exc: BaseException) -> str:
    """The traceback's frames and exception classes, outermost first, without any exception
    message (which may hold personal data)."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if parts:
            parts.append("caused by:")
        kind = type(current)
        parts.append(f"{kind.__module__}.{kind.__qualname__}")
        # Where, not what: file, line and function find the code; no source text or locals.
        for frame in traceback.extract_tb(current.__traceback__):
            parts.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return "\n".join(parts)


class JsonFormatter(logging.Formatter):
    """A record as one JSON line with the fields described at the top of this module."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            # Records from plain loggers under "samenspel." are named by their logger.
            "event": getattr(record, "event", record.name),
            "message": record.getMessage(),
        }
        for key in ("user_id", "session_id"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[1] is not None:
            entry["error"] = type(record.exc_info[1]).__name__
            entry["traceback"] = safe_traceback(record.exc_info[1])
        return json.dumps(entry, ensure_ascii=False, default=str)


def _level() -> int:
    from samenspel import settings

    try:
        return logging.getLevelName(settings.log_level())
    except settings.SettingsError:
        return logging.INFO  # the bad setting itself is reported by settings.check()


def setup() -> bool:
    """Send the "samenspel" loggers to standard error as JSON lines: once per process (the
    app calls this on every run; the level follows SAMENSPEL_LOG_LEVEL). True the first time."""
    global _handler
    with _lock:
        _logger.setLevel(_level())
        if _handler is not None:
            return False
        _handler = _StderrHandler()
        _handler.setFormatter(JsonFormatter())
        _logger.addHandler(_handler)
        _logger.propagate = False  # not twice, and not in someone else's format
        return True


def bind_user(user_id: int | None) -> None:
    """The logged-in user of this page run (None: nobody), for every line it writes."""
    _user_id.set(user_id)


def _session_id() -> str | None:
    """Streamlit's id of this browser tab, when running inside a page (not on the command
    line: there streamlit is not even imported)."""
    if "streamlit" not in sys.modules:
        return None
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx else None


def new_error_id() -> str:
    """A short id a user can read out and the operator can search for: 8 hex digits."""
    return secrets.token_hex(4)


def event(
    name: str,
    message: str,
    *,
    level: int = logging.INFO,
    exc: BaseException | None = None,
    user_id: int | None = None,
    **fields: object,
) -> None:
    """Write one line. `message` is a fixed text and `fields` are ids and codes: never pass
    a name, an e-mail address or anything a user typed."""
    _logger.log(
        level,
        message,
        exc_info=(type(exc), exc, exc.__traceback__) if exc is not None else None,
        extra={
            "event": name,
            "user_id": user_id if user_id is not None else _user_id.get(),
            "session_id": _session_id(),
            "fields": fields,
        },
    )


def error(name: str, message: str, exc: BaseException, **fields: object) -> str:
    """Log an unexpected error with its traceback and a new error id; returns the id, which
    the page shows to the user."""
    error_id = new_error_id()
    event(name, message, level=logging.ERROR, exc=exc, error_id=error_id, **fields)
    return error_id
