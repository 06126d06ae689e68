"""Settings, read from the environment so that one deployment differs from another by
configuration only. Every setting is documented in the README (a test checks that)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_DIR / "data"

# name -> (default, what it does); the README's configuration table lists each of these.
SETTINGS: dict[str, tuple[str, str]] = {
    "SAMENSPEL_DATABASE_URL": (
        "",
        "SQLAlchemy URL of the database. Empty: a SQLite file in SAMENSPEL_INSTANCE_DIR.",
    ),
    "SAMENSPEL_INSTANCE_DIR": (
        str(PROJECT_DIR / "instance"),
        "Folder for the embedded SQLite database and backups.",
    ),
    "SAMENSPEL_DEMO": (
        "1",
        "1: seed the demo city into an empty database and allow demo accounts.",
    ),
    "SAMENSPEL_LANGUAGE": ("nl", "Default language of the interface and the reasons: nl or en."),
    "SAMENSPEL_RATE_VENUE_EUR_PER_HOUR": ("25", "Estimated value of one hour of a venue."),
    "SAMENSPEL_RATE_VOLUNTEER_EUR_PER_HOUR": ("15", "Estimated value of one volunteer hour."),
    "SAMENSPEL_TOP_K": ("5", "How many suggestions are kept per need."),
    "SAMENSPEL_SESSION_TIMEOUT_MINUTES": ("30", "Log a user out after this many idle minutes."),
    "SAMENSPEL_TRUSTED_PROXY": (
        "",
        "The address of the reverse proxy in front of the app (127.0.0.1 when it runs on the"
        " same machine). Only from there is X-Forwarded-For believed, for limits per client;"
        " empty: no proxy, forwarding headers are ignored.",
    ),
    "SAMENSPEL_TILE_URL": (
        "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png",
        "The map background: an XYZ tile URL with {z}, {x} and {y}. The only outside server a"
        " visitor's browser contacts; named on the privacy page.",
    ),
    "SAMENSPEL_TILE_ATTRIBUTION": (
        "Kaartgegevens © Kadaster",
        "Who made the map background, shown in the map's corner (plain text).",
    ),
}


def get(name: str) -> str:
    default, _ = SETTINGS[name]
    return os.environ.get(name, default)


def database_url() -> str:
    url = get("SAMENSPEL_DATABASE_URL").strip()
    if url:
        return url
    return f"sqlite:///{Path(get('SAMENSPEL_INSTANCE_DIR')) / 'samenspel.db'}"


def demo_mode() -> bool:
    return get("SAMENSPEL_DEMO").strip().lower() in {"1", "true", "yes", "on", "ja"}


def language() -> str:
    lang = get("SAMENSPEL_LANGUAGE").strip().lower()
    return lang if lang in {"nl", "en"} else "nl"


def rate(name: str) -> float:
    try:
        return float(get(name))
    except ValueError:
        return float(SETTINGS[name][0])


def top_k() -> int:
    try:
        return max(1, int(get("SAMENSPEL_TOP_K")))
    except ValueError:
        return 5


def session_timeout_minutes() -> int:
    try:
        return max(1, int(get("SAMENSPEL_SESSION_TIMEOUT_MINUTES")))
    except ValueError:
        return 30


def tile_url() -> str:
    """The tile server, refused at start when it is not an http(s) URL with {z}, {x} and {y}
    (a typo would otherwise show as an empty map, and braces are all Jinja may see)."""
    url = get("SAMENSPEL_TILE_URL").strip()
    rest = url.replace("{z}", "").replace("{x}", "").replace("{y}", "").replace("{s}", "")
    if (
        not url.startswith(("https://", "http://"))
        or any(part not in url for part in ("{z}", "{x}", "{y}"))
        or any(ch in rest for ch in "{}<>\"'` ")
    ):
        raise ValueError(
            "SAMENSPEL_TILE_URL must be an http(s) URL with {z}, {x} and {y}, for example "
            + SETTINGS["SAMENSPEL_TILE_URL"][0]
        )
    return url


def tile_host() -> str:
    from urllib.parse import urlsplit

    return urlsplit(tile_url().replace("{s}", "a")).hostname or ""


def trusted_proxy() -> str:
    return get("SAMENSPEL_TRUSTED_PROXY").strip()
