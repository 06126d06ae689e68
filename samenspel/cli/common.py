"""What every command shares: bad input the user can fix, reading files, dates, the actor."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

EXIT_BAD_INPUT = 2


class BadInput(Exception):
    """Input the user can fix; the message says how."""


def read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise BadInput(f"{path}: kan het bestand niet lezen ({exc.strerror})") from exc


def load_rows(path: str, parse):
    from samenspel.matching.csvformat import FileError, fatal

    try:
        rows, errors = parse(read_bytes(path))
    except FileError as exc:
        raise BadInput(f"{path}: {exc}") from exc
    for warning in (e for e in errors if e.warning):
        print(f"{path}: {warning}", file=sys.stderr)
    problems = fatal(errors)
    if problems:
        raise BadInput("\n".join(f"{path}: {e}" for e in problems))
    return rows


def today(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadInput(f"--today: '{value}' is geen datum (JJJJ-MM-DD)") from exc


def cli_actor():
    """The command line runs as the machine's administrator: whoever can run it can read
    the database file anyway. Actions are audited as such (no user id)."""
    from samenspel.services.permissions import Actor

    return Actor(user_id=None, role="admin", name="command line", system=True)


def progress_bar(label: str):
    width = 30

    def show(fraction: float) -> None:
        filled = int(width * min(1.0, fraction))
        print(
            f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%}",
            end="",
            file=sys.stderr,
            flush=True,
        )
        if fraction >= 1.0:
            print(file=sys.stderr)

    return show
