"""Keep the English catalogue in step with the code: `python -m samenspel.catalogue`.

Extracts every t("...") from app.py and samenspel/ with Babel, adds new messages to
samenspel/locale/en.po (untranslated), keeps existing translations, and drops messages the
code no longer uses. A test fails while any message has no English translation.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PO_FILE = Path(__file__).parent / "locale" / "en.po"
SOURCES = [
    ROOT / "app.py",
    *sorted((ROOT / "samenspel").rglob("*.py")),
]


def extract_messages() -> dict[str, list[tuple[str, int]]]:
    """msgid -> places it is used."""
    found: dict[str, list[tuple[str, int]]] = {}
    for path in SOURCES:
        if "migrations" in path.parts:
            continue
        for lineno, message, _comments, _context in extract_from_file(
            "python", str(path), keywords={"t": None, "N_": None}, comment_tags=()
        ):
            if isinstance(message, str) and message:
                found.setdefault(message, []).append((str(path.relative_to(ROOT)), lineno))
    return found


def read_catalogue() -> Catalog:
    if PO_FILE.exists():
        with PO_FILE.open("rb") as handle:
            return read_po(handle, locale="en")
    return Catalog(locale="en")


def update() -> tuple[int, int]:
    messages = extract_messages()
    old = read_catalogue()
    new = Catalog(locale="en", project="Samenspel", fuzzy=False)
    for msgid, locations in sorted(messages.items()):
        existing = old.get(msgid)
        new.add(msgid, existing.string if existing else "", locations=locations)
    PO_FILE.parent.mkdir(parents=True, exist_ok=True)
    with PO_FILE.open("wb") as handle:
        write_po(handle, new, width=100, sort_output=True, include_lineno=False)
    missing = sum(1 for m in new if m.id and not m.string)
    return len(messages), missing


if __name__ == "__main__":
    total, missing = update()
    print(f"{total} messages, {missing} without English translation -> {PO_FILE.relative_to(ROOT)}")
    sys.exit(0)
