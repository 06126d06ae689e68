"""Translation layer. Dutch is the source language (msgid); English comes from a gettext
catalogue (locale/en.po), read with Babel so no compile step is needed.

The current language lives in a ContextVar: every Streamlit session runs its script in its own
thread, so one user's choice never leaks into another's page.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar

from babel.messages.pofile import read_po

from samenspel import paths

LOCALE_DIR = paths.LOCALE_DIR
LANGUAGES = {"nl": "Nederlands", "en": "English"}
LANGUAGE_CODES = {name: code for code, name in LANGUAGES.items()}

_language: ContextVar[str] = ContextVar("samenspel_language", default="nl")


def set_language(lang: str) -> None:
    _language.set(lang if lang in LANGUAGES else "nl")


def language() -> str:
    return _language.get()


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    path = LOCALE_DIR / f"{lang}.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a message for extraction where it is defined; `t()` translates it where shown."""
    return message


def t(message: str, /, **values) -> str:
    """Translate a Dutch message into the current language, then fill in {placeholders}."""
    lang = language()
    text = message if lang == "nl" else catalogue(lang).get(message, message)
    return text.format(**values) if values else text
