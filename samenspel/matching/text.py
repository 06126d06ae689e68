"""Text normalisation shared by the vocabulary, the fuzzy scorer and the place lookup."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise(text: str | None) -> str:
    """Lowercase, strip accents and punctuation: "Taalcafé 'De Brug'!" -> "taalcafe de brug"."""
    if not text:
        return ""
    lowered = text.lower()
    if not lowered.isascii():  # most text is plain ASCII: skip the per-character pass
        decomposed = unicodedata.normalize("NFKD", lowered)
        lowered = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", lowered).strip()


def tokens(text: str | None) -> list[str]:
    return normalise(text).split()


def format_number(value: float, lang: str, decimals: int = 0) -> str:
    """1234.5 -> "1.234,5" in Dutch, "1,234.5" in English."""
    formatted = f"{value:,.{decimals}f}"
    if lang == "nl":
        formatted = formatted.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return formatted
