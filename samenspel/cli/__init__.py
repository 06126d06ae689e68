"""The `samenspel` command line. It parses arguments, calls the engine or a service and prints;
bad input gives a message with row, column and reason and exit code 2, never a traceback.
Each command lives with its parser in one module: engine (files in, no database), data
(import, export, backup, restore) and operations (jobs, health, first administrator)."""

from __future__ import annotations

import argparse
import sys

from samenspel import settings
from samenspel.cli import data, engine, operations, worker
from samenspel.cli.common import EXIT_BAD_INPUT, BadInput


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="samenspel",
        description="Samenspel: buurtinitiatieven en partners vinden elkaar.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for commands in (engine, data, operations, worker):
        commands.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        settings.check()
    except settings.SettingsError as exc:
        print(f"samenspel: een instelling klopt niet, er is niets gedaan:\n{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return args.func(args)
    except BadInput as exc:
        print(f"samenspel: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - a domain error or a broken database: a message, no traceback
        from samenspel.services.errors import DomainError

        if isinstance(exc, DomainError):
            print(f"samenspel: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"samenspel: er ging iets mis: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`samenspel suggest ... | head`)
        return 0
