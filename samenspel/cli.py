"""The `samenspel` command line. It parses arguments, calls the engine or a service and prints;
bad input gives a message with row, column and reason and exit code 2, never a traceback."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from samenspel import settings

EXIT_BAD_INPUT = 2


class BadInput(Exception):
    """Input the user can fix; the message says how."""


def _read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise BadInput(f"{path}: kan het bestand niet lezen ({exc.strerror})") from exc


def _load(path: str, parse):
    from matching.csvformat import FileError, fatal

    try:
        rows, errors = parse(_read_bytes(path))
    except FileError as exc:
        raise BadInput(f"{path}: {exc}") from exc
    for warning in (e for e in errors if e.warning):
        print(f"{path}: {warning}", file=sys.stderr)
    problems = fatal(errors)
    if problems:
        raise BadInput("\n".join(f"{path}: {e}" for e in problems))
    return rows


def _today(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadInput(f"--today: '{value}' is geen datum (JJJJ-MM-DD)") from exc


def _engine(args):
    from matching.csvformat import parse_needs, parse_offers
    from matching.engine import Engine

    needs = _load(args.needs, parse_needs)
    offers = _load(args.offers, parse_offers)
    return needs, Engine(offers, today=_today(args.today), lang=args.lang)


def cmd_suggest(args) -> int:
    if args.top < 1:
        raise BadInput("--top moet 1 of meer zijn")
    needs, engine = _engine(args)
    results = engine.suggest(needs, top_k=args.top)
    if args.format == "json":
        payload = [
            {
                "need_id": result.need_id,
                "suggestions": [
                    {"offer_id": s.offer_id, "score": s.score, "reasons": s.reasons}
                    for s in result.suggestions
                ],
            }
            for result in results
        ]
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        from matching.csvformat import write_csv  # formulas made inert, as in every export

        write_csv(
            sys.stdout,
            ["need_id", "rank", "offer_id", "score", "tie", "reasons"],
            (
                [result.need_id, rank, s.offer_id, s.score, s.tie, "; ".join(s.reasons)]
                for result in results
                for rank, s in enumerate(result.suggestions, start=1)
            ),
        )
    return 0


def cmd_explain(args) -> int:
    from matching.types import Exclusion

    needs, engine = _engine(args)
    need = next((n for n in needs if n.id == args.need_id), None)
    if need is None:
        raise BadInput(f"vraag '{args.need_id}' staat niet in {args.needs}")
    if args.offer_id not in engine.by_id:
        raise BadInput(f"aanbod '{args.offer_id}' staat niet in {args.offers}")
    result = engine.explain(need, args.offer_id)
    if isinstance(result, Exclusion):
        payload = {
            "need_id": need.id,
            "offer_id": args.offer_id,
            "excluded": True,
            "code": result.code,
            "reason": result.reason,
        }
    else:
        payload = {
            "need_id": need.id,
            "offer_id": args.offer_id,
            "excluded": False,
            "score": result.score,
            "components": result.components,
            "tie": result.tie,
            "reasons": result.reasons,
        }
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


def cmd_fund_plan(args) -> int:
    from matching.csvformat import parse_needs, parse_offers
    from matching.funding import plan_funding
    from matching.funds import CatalogueError, load_catalogue

    needs = _load(args.needs, parse_needs)
    need = next((n for n in needs if n.id == args.need), None)
    if need is None:
        raise BadInput(f"vraag '{args.need}' staat niet in {args.needs}")
    if need.kind != "money":
        raise BadInput(f"vraag '{args.need}' is geen vraag om geld (kind = {need.kind})")
    if need.amount_eur is None:
        raise BadInput(f"vraag '{args.need}': amount_eur is leeg")
    try:
        funds = load_catalogue(args.funds) if args.funds else load_catalogue()
    except CatalogueError as exc:
        raise BadInput(
            "\n".join(f"{args.funds or 'data/funds.csv'}: {e}" for e in exc.errors)
        ) from exc
    except OSError as exc:
        raise BadInput(f"{args.funds}: kan het bestand niet lezen ({exc.strerror})") from exc
    offers = _load(args.offers, parse_offers) if args.offers else []
    start = _today(args.start) if args.start else None
    plan = plan_funding(
        need, funds, offers, today=_today(args.today), start=start, anbi=args.anbi, lang=args.lang
    )
    if args.format == "json":
        payload = {
            "need_id": plan.need_id, "amount": plan.amount, "covered": plan.covered, "missing": plan.missing,
            "start": plan.start.isoformat(), "summary": plan.summary,
            "lines": [
                {"source_id": line.source_id, "name": line.name, "kind": line.kind, "amount": line.amount,
                 "apply_by": line.apply_by.isoformat() if line.apply_by else None, "reasons": line.reasons,
                 "url": line.url, "uncertain": line.uncertain}
                for line in plan.lines
            ],
            "excluded": [{"source_id": e.source_id, "name": e.name, "code": e.code, "reason": e.reason}
                         for e in plan.excluded],
            "referrals": [{"source_id": r.source_id, "name": r.name, "reason": r.reason} for r in plan.referrals],
        }  # fmt: skip
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for sentence in plan.summary:
            print(sentence)
        for line in plan.lines:
            when = f" (aanvragen voor {line.apply_by.isoformat()})" if line.apply_by else ""
            print(f"+ {line.name}: EUR {line.amount:,.2f}{when}")
            for reason in line.reasons:
                print(f"    - {reason}")
        for item in plan.excluded:
            print(f"- {item.name}: {item.reason}")
    return 0


def cmd_bench(args) -> int:
    from matching.bench import run

    if min(args.needs, args.offers, args.sample) < 1:
        raise BadInput("--needs, --offers en --sample moeten 1 of meer zijn")
    result = run(args.needs, args.offers, sample=args.sample, seed=args.seed,
                 progress=lambda step: print(f"... {step}", file=sys.stderr, flush=True))  # fmt: skip
    print("\n".join(result.lines()))
    return 0


def _cli_actor():
    """The command line runs as the machine's administrator: whoever can run it can read
    the database file anyway. Actions are audited as such (no user id)."""
    from samenspel.services.permissions import Actor

    return Actor(user_id=None, role="admin", name="command line", system=True)


def _progress_bar(label: str):
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


def cmd_import(args) -> int:
    from samenspel import db
    from samenspel.services.errors import InvalidInput
    from samenspel.services.transfer import import_file

    content = _read_bytes(args.file)
    with db.session_scope() as session:
        try:
            report = import_file(session=session, actor=_cli_actor(), filename=args.file, content=content,
                                 kind=args.kind, progress=_progress_bar(Path(args.file).name))  # fmt: skip
        except InvalidInput as exc:
            raise BadInput(f"{args.file}: {'; '.join(exc.field_errors.values())}") from exc
    for error in report.errors:
        print(f"{args.file}: {error}", file=sys.stderr)
    print(
        f"{report.kind}: {report.created} nieuw, {report.updated} bijgewerkt, {len(report.errors)} rijen met fouten"
    )
    return 0


def cmd_export(args) -> int:
    from samenspel import db
    from samenspel.exports import to_csv_bytes, to_excel_bytes
    from samenspel.services import funding, transfer

    with db.session_scope() as session:
        if args.what == "hsds":
            import zipfile

            with zipfile.ZipFile(args.output, "w") as archive:
                for name, frame in transfer.export_hsds(session).items():
                    archive.writestr(name, to_csv_bytes(frame))
            print(f"hsds: {args.output}")
            return 0
        frame = {
            "needs": lambda s: transfer.export_needs(s, actor=_cli_actor(), full=args.full),
            "offers": lambda s: transfer.export_offers(s, actor=_cli_actor(), full=args.full),
            "matches": transfer.export_matches,
            "funds": funding.catalogue_frame,
            "organisations": lambda s: transfer.export_organisations(s, actor=_cli_actor(),
                                                                     with_contacts=args.with_contacts or args.full),
        }[args.what](session)  # fmt: skip
    data = (
        to_excel_bytes(frame, args.what)
        if args.output.lower().endswith(".xlsx")
        else to_csv_bytes(frame)
    )
    Path(args.output).write_bytes(data)
    print(f"{args.what}: {len(frame)} rijen -> {args.output}")
    return 0


def cmd_backup(args) -> int:
    from samenspel import db
    from samenspel.services.backup import BackupError, default_path, make_backup

    engine = db.get_engine()
    try:
        path = make_backup(engine, Path(args.path) if args.path else default_path(engine),
                           actor=_cli_actor(), detail="command line")  # fmt: skip
    except (BackupError, OSError) as exc:
        raise BadInput(str(exc)) from exc
    print(f"backup: {path}")
    return 0


def cmd_restore(args) -> int:
    from samenspel import db
    from samenspel.services.backup import BackupError, restore

    if not args.yes:
        raise BadInput("restore vervangt alle gegevens in de database; bevestig met --yes")
    try:
        kept = restore(db.get_engine(), Path(args.path))
    except (BackupError, OSError) as exc:
        raise BadInput(str(exc)) from exc
    print(f"restored: {args.path}")
    print(f"wat er stond, is bewaard in: {kept}")
    return 0


def cmd_plan(args) -> int:
    from matching.allocation import allocate
    from matching.slots import format_slot

    needs, engine = _engine(args)
    suggestions = [s for result in engine.suggest(needs, args.top) for s in result.suggestions]
    plan = allocate(needs, engine.offers, suggestions)
    chosen = {a.need_id: a for a in plan}
    if args.format == "json":
        payload = [
            {"need_id": n.id, "offer_id": chosen[n.id].offer_id if n.id in chosen else None,
             "score": chosen[n.id].score if n.id in chosen else None,
             "slot": format_slot(chosen[n.id].slot, args.lang) if n.id in chosen and chosen[n.id].slot else None}
            for n in needs
        ]  # fmt: skip
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        from matching.csvformat import write_csv  # formulas made inert, as in every export

        rows = []
        for need in needs:
            a = chosen.get(need.id)
            slot = format_slot(a.slot, args.lang) if a and a.slot else ""
            rows.append([need.id, a.offer_id if a else "", a.score if a else "", slot])
        write_csv(sys.stdout, ["need_id", "offer_id", "score", "slot"], rows)
    return 0


def cmd_expire(args) -> int:
    from samenspel import db
    from samenspel.services.matches import expire_stale

    with db.session_scope() as session:
        count = expire_stale(session, today=_today(args.today))
    print(f"verlopen: {count} matches")
    return 0


RETENTION_LABELS = {
    "match_reasons_removed": "redenen bij afgelopen samenwerkingen weggehaald",
    "match_notes_removed": "notities in het logboek bij afgelopen samenwerkingen weggehaald",
    "contact_reveals_unlinked": "keren dat iemand contactgegevens zag: losgemaakt van wie",
    "audit_details_removed": "oude regels in het logboek zonder details",
    "suggestions_deleted": "suggesties verwijderd",
    "needs_deleted": "vragen verwijderd",
    "offers_deleted": "aanbod verwijderd",
    "needs_anonymised": "vragen anoniem bewaard (voor samenwerkingen)",
    "offers_anonymised": "aanbod anoniem bewaard (voor samenwerkingen)",
}


def cmd_retention(args) -> int:
    """The retention periods, applied in one transaction (for cron or a systemd timer)."""
    from samenspel import db
    from samenspel.services.retention import apply_retention

    with db.session_scope() as session:
        report = apply_retention(session, dry_run=args.dry_run)
    if args.format == "json":
        json.dump(report.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    print(
        f"bewaartermijnen: contact {report.contact_days} dagen, logboek {report.audit_days} dagen,"
        f" verlopen vragen en aanbod {report.expired_post_days} dagen"
    )
    if args.dry_run:
        print("proef (--dry-run): er is niets veranderd; dit zou er gebeuren:")
    for name, count in report.counts().items():
        print(f"{count:>7}  {RETENTION_LABELS[name]}")
    return 0


def cmd_setup_token(args) -> int:
    """A new one-time code for the web page 'Eerste beheerder' (only on the server)."""
    from samenspel import db
    from samenspel.services.accounts import SETUP_TOKEN_VALID, needs_first_admin, new_setup_token

    with db.session_scope() as session:
        if not needs_first_admin(session):
            raise BadInput(
                "er is al een beheerder; maak er nog een met: samenspel create-admin NAAM"
            )
        token = new_setup_token(session)
    hours = int(SETUP_TOKEN_VALID.total_seconds() // 3600)
    print(token)
    print(f"{hours} uur geldig, een keer te gebruiken.", file=sys.stderr)
    return 0


def cmd_health(args) -> int:
    """Database reachable and its schema at this code's head: 0, else 1 (for monitors)."""
    from samenspel import health, logs

    logs.setup()  # a failure is also logged as a JSON line on standard error
    result = health.check()
    if args.format == "json":
        json.dump(result.as_json(), sys.stdout, ensure_ascii=False)
        print()
    else:
        print(result.as_text())
    return 0 if result.ok else 1


def cmd_create_admin(args) -> int:
    """An administrator, made on the server: the way to start for real (demo mode off)."""
    import getpass

    from samenspel import db
    from samenspel.services.accounts import create_admin
    from samenspel.services.errors import InvalidInput

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Wachtwoord: ")
        if getpass.getpass("Nog een keer: ") != password:
            raise BadInput("de twee wachtwoorden zijn niet gelijk")
    try:
        with db.session_scope() as session:
            user = create_admin(
                session=session, username=args.username, password=password, display_name=args.name
            )
    except InvalidInput as exc:
        raise BadInput("\n".join(exc.field_errors.values())) from exc
    print(f"beheerder gemaakt: {user.username}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="samenspel",
        description="Samenspel: buurtinitiatieven en partners vinden elkaar.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def engine_args(p):
        p.add_argument("needs", metavar="NEEDS.csv", help="needs in the exchange format")
        p.add_argument("offers", metavar="OFFERS.csv", help="offers in the exchange format")
        p.add_argument("--lang", choices=["nl", "en"], default="nl", help="language of the reasons")
        p.add_argument("--today", help="reference date for deadlines (YYYY-MM-DD); default today")

    suggest = sub.add_parser("suggest", help="best offers per need, with reasons")
    engine_args(suggest)
    suggest.add_argument("--top", type=int, default=5, metavar="K", help="suggestions per need")
    suggest.add_argument("--format", choices=["json", "csv"], default="json")
    suggest.set_defaults(func=cmd_suggest)

    explain = sub.add_parser("explain", help="score components of one pair, or why it is excluded")
    engine_args(explain)
    explain.add_argument("need_id", metavar="NEED_ID")
    explain.add_argument("offer_id", metavar="OFFER_ID")
    explain.set_defaults(func=cmd_explain)

    plan = sub.add_parser(
        "plan", help="a recommended plan: one offer per need, within every offer's capacity"
    )
    engine_args(plan)
    plan.add_argument(
        "--top", type=int, default=10, metavar="K", help="suggestions considered per need"
    )
    plan.add_argument("--format", choices=["json", "csv"], default="json")
    plan.set_defaults(func=cmd_plan)

    fund_plan = sub.add_parser("fund-plan", help="a funding plan for one money need")
    fund_plan.add_argument("needs", metavar="NEEDS.csv", help="needs in the exchange format")
    fund_plan.add_argument("--need", required=True, metavar="ID", help="the id of the money need")
    fund_plan.add_argument(
        "--offers", metavar="OFFERS.csv", help="business money offers to include"
    )
    fund_plan.add_argument(
        "--funds", metavar="FUNDS.csv", help="fund catalogue (default: data/funds.csv)"
    )
    fund_plan.add_argument(
        "--start", help="project start (YYYY-MM-DD); default the need's deadline"
    )
    fund_plan.add_argument("--today", help="reference date (YYYY-MM-DD); default today")
    fund_plan.add_argument("--anbi", action="store_true", help="the applicant has ANBI status")
    fund_plan.add_argument("--lang", choices=["nl", "en"], default="nl")
    fund_plan.add_argument("--format", choices=["text", "json"], default="text")
    fund_plan.set_defaults(func=cmd_fund_plan)

    bench = sub.add_parser("bench", help="benchmark the engine on synthetic national data")
    bench.add_argument("--needs", type=int, default=50_000)
    bench.add_argument("--offers", type=int, default=50_000)
    bench.add_argument(
        "--sample", type=int, default=2_000, help="size of the naive-reference sample"
    )
    bench.add_argument("--seed", type=int, default=2026)
    bench.set_defaults(func=cmd_bench)

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

    expire = sub.add_parser("expire", help="expire needs and open matches whose deadline passed")
    expire.add_argument("--today", help="reference date (YYYY-MM-DD); default today")
    expire.set_defaults(func=cmd_expire)

    retention = sub.add_parser(
        "retention",
        help="remove what the retention periods say (run daily from cron or a systemd timer)",
        description="Apply SAMENSPEL_RETENTION_CONTACT_DAYS, SAMENSPEL_RETENTION_AUDIT_DAYS and"
        " SAMENSPEL_RETENTION_EXPIRED_POST_DAYS in one transaction, write one audit event and"
        " print the counts. Meant to run unattended, e.g. daily from cron"
        " ('15 3 * * * samenspel retention') or a systemd timer (OnCalendar=daily);"
        " exit code 0 when it worked.",
    )
    retention.add_argument(
        "--dry-run", action="store_true", help="only count what would be removed; change nothing"
    )
    retention.add_argument("--format", choices=["text", "json"], default="text")
    retention.set_defaults(func=cmd_retention)

    backup = sub.add_parser("backup", help="back up the whole database")
    backup.add_argument("path", nargs="?", help="file to write (default: instance/backups/...)")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="replace the database by a backup")
    restore.add_argument("path", help="a file made by 'samenspel backup'")
    restore.add_argument("--yes", action="store_true", help="yes, replace everything")
    restore.set_defaults(func=cmd_restore)

    setup_token = sub.add_parser(
        "setup-token", help="a one-time code for creating the first administrator in the app"
    )
    setup_token.set_defaults(func=cmd_setup_token)

    health_check = sub.add_parser(
        "health", help="is the database reachable and its schema up to date? (exit 0 or 1)"
    )
    health_check.add_argument("--format", choices=["text", "json"], default="text")
    health_check.set_defaults(func=cmd_health)

    create_admin = sub.add_parser("create-admin", help="create an administrator account")
    create_admin.add_argument("username", metavar="USERNAME")
    create_admin.add_argument("--name", default="", help="display name (default: the username)")
    create_admin.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input (for scripts)",
    )
    create_admin.set_defaults(func=cmd_create_admin)
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


if __name__ == "__main__":
    sys.exit(main())
