"""Settings, read from the environment so that one deployment differs from another by
configuration only.

Each setting has a type, checked by pydantic (already here through sqlmodel): `check()` runs
when the app and the command line start and refuses a bad value with the setting's name, so a
typo in a number or a URL stops the start instead of surfacing later as a crash. Values are
read on every call (tests and the command line change the environment while running).
Every setting is documented in the README's configuration table (a test checks that).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, TypeAdapter, ValidationError

DEFAULT_TILES = (
    "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png"
)


def _tile_url(url: str) -> str:
    """An http(s) URL with {z}, {x} and {y}; braces are all Jinja may see, nothing else."""
    rest = url.replace("{z}", "").replace("{x}", "").replace("{y}", "").replace("{s}", "")
    if (
        not url.startswith(("https://", "http://"))
        or any(part not in url for part in ("{z}", "{x}", "{y}"))
        or any(ch in rest for ch in "{}<>\"'` ")
    ):
        raise ValueError(f"an http(s) URL with {{z}}, {{x}} and {{y}}, for example {DEFAULT_TILES}")
    return url


def _database_url(url: str) -> str:
    if url and not url.startswith(("sqlite:", "postgresql")):
        raise ValueError("a SQLAlchemy URL such as postgresql+psycopg://user@host:5432/samenspel")
    return url


Flag = Annotated[str, AfterValidator(lambda v: v.strip().lower())]
_FLAGS = {"1": True, "true": True, "yes": True, "on": True, "ja": True,
          "0": False, "false": False, "no": False, "off": False, "nee": False}  # fmt: skip


def _flag(value: str) -> bool:
    if value not in _FLAGS:
        raise ValueError("1 or 0 (also true/false, yes/no, on/off, ja/nee)")
    return _FLAGS[value]


def _one_of(*choices: str):
    def check(value: str) -> str:
        if value not in choices:
            raise ValueError("one of " + ", ".join(choices))
        return value

    return AfterValidator(check)


@dataclass(frozen=True)
class Setting:
    default: str
    doc: str
    kind: Any = str  # a type pydantic validates the environment's text against


Days = Annotated[int, Field(ge=1, le=36500)]
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

SETTINGS: dict[str, Setting] = {
    "SAMENSPEL_DATABASE_URL": Setting(
        "",
        "SQLAlchemy URL of the database. Empty: a SQLite file in SAMENSPEL_INSTANCE_DIR.",
        Annotated[str, AfterValidator(lambda v: _database_url(v.strip()))],
    ),
    "SAMENSPEL_INSTANCE_DIR": Setting(
        "instance",
        "Folder for the embedded SQLite database and backups (relative: to the folder the app or command starts in).",
        Annotated[str, Field(min_length=1)],
    ),
    "SAMENSPEL_DEMO": Setting(
        "1",
        "1: seed the demo city into an empty database and allow demo accounts.",
        Annotated[Flag, AfterValidator(_flag)],
    ),
    "SAMENSPEL_LANGUAGE": Setting(
        "nl",
        "Default language of the interface and the reasons: nl or en.",
        Annotated[Flag, _one_of("nl", "en")],
    ),
    "SAMENSPEL_RATE_VENUE_EUR_PER_HOUR": Setting(
        "25", "Estimated value of one hour of a venue.", Annotated[float, Field(ge=0, le=10_000)]
    ),
    "SAMENSPEL_RATE_VOLUNTEER_EUR_PER_HOUR": Setting(
        "15", "Estimated value of one volunteer hour.", Annotated[float, Field(ge=0, le=10_000)]
    ),
    "SAMENSPEL_TOP_K": Setting(
        "5", "How many suggestions are kept per need.", Annotated[int, Field(ge=1, le=50)]
    ),
    "SAMENSPEL_MAP_POINTS_MAX": Setting(
        "5000",
        "The most points the map draws one by one; with more (a whole city, no filter) it counts"
        " them per neighbourhood, and choosing a neighbourhood shows its points.",
        Annotated[int, Field(ge=10, le=200_000)],
    ),
    "SAMENSPEL_SESSION_TIMEOUT_MINUTES": Setting(
        "30", "Log a user out after this many idle minutes.", Annotated[int, Field(ge=1, le=720)]
    ),
    "SAMENSPEL_TRUSTED_PROXY": Setting(
        "",
        "The address of the reverse proxy in front of the app (127.0.0.1 when it runs on the"
        " same machine). Only from there is X-Forwarded-For believed, for limits per client;"
        " empty: no proxy, forwarding headers are ignored.",
        Annotated[str, AfterValidator(str.strip)],
    ),
    "SAMENSPEL_TILE_URL": Setting(
        DEFAULT_TILES,
        "The map background: an XYZ tile URL with {z}, {x} and {y}. The only outside server a"
        " visitor's browser contacts; named on the privacy page.",
        Annotated[str, AfterValidator(lambda v: _tile_url(v.strip()))],
    ),
    "SAMENSPEL_TILE_ATTRIBUTION": Setting(
        "Kaartgegevens © Kadaster",
        "Who made the map background, shown in the map's corner (plain text).",
        Annotated[str, Field(max_length=300)],
    ),
    "SAMENSPEL_LOG_LEVEL": Setting(
        "INFO",
        "How much the app logs (JSON lines on standard error): DEBUG, INFO, WARNING or ERROR.",
        Annotated[str, AfterValidator(lambda v: v.strip().upper()), _one_of(*LOG_LEVELS)],
    ),
    "SAMENSPEL_RETENTION_CONTACT_DAYS": Setting(
        "365",
        "Days after a partnership ended (done, declined, expired) before the personal details"
        " kept with it (free-text notes and reasons, who saw whose contact details) are removed.",
        Days,
    ),
    "SAMENSPEL_RETENTION_AUDIT_DAYS": Setting(
        "730",
        "Days after which an audit event loses its details (who did what stays, for the figures).",
        Days,
    ),
    "SAMENSPEL_RETENTION_EXPIRED_POST_DAYS": Setting(
        "365",
        "Days after a need or offer expired or was closed before it is deleted, with its"
        " suggestions (partnerships that happened stay, anonymised).",
        Days,
    ),
    "SAMENSPEL_SMTP_URL": Setting(
        "",
        "The mail server: smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465"
        " (TLS). Empty: nothing is mailed; notifications are in the app only and `samenspel"
        " worker` logs what it would have sent.",
        Annotated[str, AfterValidator(lambda v: _smtp_url(v.strip()))],
    ),
    "SAMENSPEL_MAIL_FROM": Setting(
        "Samenspel <noreply@localhost>",
        "The sender of every mail, as a name and an address.",
        Annotated[str, Field(max_length=200), AfterValidator(str.strip)],
    ),
    "SAMENSPEL_BASE_URL": Setting(
        "http://localhost:8501",
        "Where people reach the app: the start of every link in a mail.",
        Annotated[str, AfterValidator(lambda v: _base_url(v.strip()))],
    ),
    "SAMENSPEL_SECRET_KEY": Setting(
        "",
        "The key that signs the links in mails (confirm, unsubscribe, one-click answers). Empty:"
        " a random key is made once and kept in SAMENSPEL_INSTANCE_DIR/secret_key. Changing it"
        " makes every link sent before invalid.",
        Annotated[str, AfterValidator(str.strip)],
    ),
    "SAMENSPEL_EMBEDDER": Setting(
        "use-multilingual-v3",
        "The sentence model behind the engine's meaning component: use-multilingual-v3 (ships"
        " inside its package), none (words only), or package.module:factory for another local"
        " model (a callable returning an object with `name` and `encode(texts)`).",
        Annotated[str, AfterValidator(lambda v: _embedder(v.strip()))],
    ),
}


def _embedder(spec: str) -> str:
    if spec in ("use-multilingual-v3", "none") or re.fullmatch(r"[\w.]+:\w+", spec):
        return spec
    raise ValueError("use-multilingual-v3, none, or package.module:factory")


def _smtp_url(url: str) -> str:
    if url and (urlsplit(url).scheme not in ("smtp", "smtps") or not urlsplit(url).hostname):
        raise ValueError("smtp://user:password@host:587 or smtps://user:password@host:465")
    return url


def _base_url(url: str) -> str:
    if not url.startswith(("https://", "http://")) or any(ch in url for ch in "<>\"'` "):
        raise ValueError("an http(s) URL such as https://samenspel.example.nl")
    return url.rstrip("/")


_ADAPTERS = {name: TypeAdapter(setting.kind) for name, setting in SETTINGS.items()}


class SettingsError(ValueError):
    """Settings with values that cannot work; the message names each of them."""

    def __init__(self, message: str, names: list[str]):
        super().__init__(message)
        self.names = names


def _raw(name: str) -> str:
    return os.environ.get(name, SETTINGS[name].default)


def value(name: str) -> Any:
    """The setting's value, typed and checked (SettingsError names it when it is wrong)."""
    raw = _raw(name)
    try:
        return _ADAPTERS[name].validate_python(raw)
    except ValidationError as exc:
        reason = "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
        shown = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", raw)  # never a password in a message
        raise SettingsError(f"{name}={shown!r} is not valid: {reason}", [name]) from None


def check() -> None:
    """Refuse to start with any bad setting: every wrong one in one message."""
    problems: list[SettingsError] = []
    for name in SETTINGS:
        try:
            value(name)
        except SettingsError as exc:
            problems.append(exc)
    if problems:
        raise SettingsError(
            "\n".join(str(p) for p in problems), [n for p in problems for n in p.names]
        )


def get(name: str) -> str:
    """The setting as text (for settings that are text, and the administrator's overview)."""
    return str(value(name))


def database_url() -> str:
    url = value("SAMENSPEL_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{Path(value('SAMENSPEL_INSTANCE_DIR')) / 'samenspel.db'}"


def demo_mode() -> bool:
    return value("SAMENSPEL_DEMO")


def language() -> str:
    return value("SAMENSPEL_LANGUAGE")


def rate(name: str) -> float:
    return value(name)


def top_k() -> int:
    return value("SAMENSPEL_TOP_K")


def embedder() -> str:
    return value("SAMENSPEL_EMBEDDER")


def map_points_max() -> int:
    return value("SAMENSPEL_MAP_POINTS_MAX")


def session_timeout_minutes() -> int:
    return value("SAMENSPEL_SESSION_TIMEOUT_MINUTES")


def tile_url() -> str:
    return value("SAMENSPEL_TILE_URL")


def tile_host() -> str:
    return urlsplit(tile_url().replace("{s}", "a")).hostname or ""


def trusted_proxy() -> str:
    return value("SAMENSPEL_TRUSTED_PROXY")


def log_level() -> str:
    return value("SAMENSPEL_LOG_LEVEL")


def retention_days(kind: Literal["contact", "audit", "expired_post"]) -> int:
    return value(f"SAMENSPEL_RETENTION_{kind.upper()}_DAYS")


def smtp_url() -> str:
    return value("SAMENSPEL_SMTP_URL")


def mail_from() -> str:
    return value("SAMENSPEL_MAIL_FROM")


def base_url() -> str:
    return value("SAMENSPEL_BASE_URL")


def secret_key() -> str:
    """The link-signing key: the setting, or one made once and kept in the instance folder
    (readable by the app's own user only)."""
    configured = value("SAMENSPEL_SECRET_KEY")
    if configured:
        return configured
    path = Path(value("SAMENSPEL_INSTANCE_DIR")) / "secret_key"
    if not path.exists():
        import secrets
        import tempfile

        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as new:
            new.write(secrets.token_urlsafe(48))  # created readable by this user only
        try:
            os.link(new.name, path)  # atomic: of two processes at once, one key wins
        except FileExistsError:
            pass
        finally:
            os.unlink(new.name)
    return path.read_text().strip()
