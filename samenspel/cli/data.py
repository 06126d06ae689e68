"""Commands that move data in and out of the database: import, export, backup, restore."""

from __future__ import annotations

import sys
from pathlib import Path

from samenspel.cli.common import BadInput, cli_actor, progress_bar, read_bytes


def cmd_import(args) -> int:
    from samenspel.services.errors import InvalidInput
    from samenspel.services.transfer import import_file
    from samenspel.storage import db

    content = read_bytes(args.file)
    try:
        with db.unit_of_work() as session:  # one commit, or nothing at all
            report = import_file(session=session, actor=cli_actor(), filename=args.file, content=content,
                                 kind=args.kind, progress=progress_bar(Path(args.file).name))  # fmt: skip
    except InvalidInput as exc:
        raise BadInput(f"{args.file}: {'; '.join(exc.field_errors.values())}") from exc
    for error in report.errors:
        print(f"{args.file}: {error}", file=sys.stderr)
    print(
        f"{report.kind}: {report.created} nieuw, {report.updated} bijgewerkt, {len(report.errors)} rijen met fouten"
    )
    return 0


def cmd_export(args) -> int:
    from samenspel.services.transfer import export_file
    from samenspel.storage import db

    output = Path(args.output)
    with db.unit_of_work() as session:
        exported = export_file(session=session, actor=cli_actor(), what=args.what, full=args.full,
                               with_contacts=args.with_contacts, excel=output.suffix.lower() == ".xlsx")  # fmt: skip
        try:
            # Written before the unit of work ends: an export that could not be written is
            # not in the audit trail either.
            output.write_bytes(exported.data)
        except OSError as exc:
            raise BadInput(
                f"{args.output}: kan het bestand niet schrijven ({exc.strerror})"
            ) from exc
    if exported.rows is None:
        print(f"{args.what}: {args.output}")
    else:
        print(f"{args.what}: {exported.rows} rijen -> {args.output}")
    return 0


def cmd_backup(args) -> int:
    from samenspel.services.backup import BackupError, default_path, make_backup
    from samenspel.storage import db

    engine = db.get_engine()
    try:
        path = make_backup(engine, Path(args.path) if args.path else default_path(engine),
                           actor=cli_actor(), detail="command line")  # fmt: skip
    except (BackupError, OSError) as exc:
        raise BadInput(str(exc)) from exc
    print(f"backup: {path}")
    return 0


def cmd_restore(args) -> int:
    from samenspel.services.backup import BackupError, restore
    from samenspel.storage import db

    if not args.yes:
        raise BadInput("restore vervangt alle gegevens in de database; bevestig met --yes")
    try:
        kept = restore(db.get_engine(), Path(args.path))
    except (BackupError, OSError) as exc:
        raise BadInput(str(exc)) from exc
    print(f"restored: {args.path}")
    print(f"wat er stond, is bewaard in: {kept}")
    return 0


def register(sub) -> None:
    importer = sub.add_parser(
        "import", help="import organisations, needs, offers or funds (CSV or Excel)"
    )
    importer.add_argument(
        "file", metavar="FILE", help=".csv (UTF-8) or .xlsx in the exchange format"
    )
    importer.add_argument(
        "--kind",
        choices=["organisations", "needs", "offers", "funds"],
        help="what the file holds (default: recognised from its columns)",
    )
    importer.set_defaults(func=cmd_import)
    exporter = sub.add_parser(
        "export", help="export to CSV or Excel (.xlsx), or a sociale kaart (hsds)"
    )
    exporter.add_argument(
        "what", choices=["needs", "offers", "matches", "funds", "organisations", "hsds"]
    )
    exporter.add_argument(
        "-o", "--output", required=True, help="file to write (.csv, .xlsx, or .zip for hsds)"
    )
    exporter.add_argument(
        "--with-contacts",
        action="store_true",
        help="organisations: include contact details (administrators only)",
    )
    exporter.add_argument(
        "--full",
        action="store_true",
        help="exact places of informal groups and contacts: for moving to another database",
    )
    exporter.set_defaults(func=cmd_export)
    backup = sub.add_parser("backup", help="back up the whole database")
    backup.add_argument("path", nargs="?", help="file to write (default: instance/backups/...)")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="replace the database by a backup")
    restore.add_argument("path", help="a file made by 'samenspel backup'")
    restore.add_argument("--yes", action="store_true", help="yes, replace everything")
    restore.set_defaults(func=cmd_restore)
