"""Commands for the operator: scheduled jobs, health, and the first administrator. Each
command is an entry point: it opens one unit of work, which commits once when the command's
work is done and leaves nothing behind when it fails."""

from __future__ import annotations

import json
import sys

from samenspel.cli.common import BadInput, today


def cmd_expire(args) -> int:
    from samenspel.services.matches import expire_stale
    from samenspel.storage import db

    day = today(args.today)
    with db.unit_of_work() as session:
        count = expire_stale(session=session, today=day)
    print(f"verlopen: {count} matches")
    return 0


RETENTION_LABELS = {
    "match_reasons_removed": "redenen bij afgelopen samenwerkingen weggehaald",
    "match_notes_removed": "notities in het logboek bij afgelopen samenwerkingen weggehaald",
    "contact_reveals_unlinked": "keren dat iemand contactgegevens zag: losgemaakt van wie",
    "conversation_messages_deleted": "berichten in gesprekken van afgelopen samenwerkingen verwijderd",
    "audit_details_removed": "oude regels in het logboek zonder details",
    "suggestions_deleted": "suggesties verwijderd",
    "needs_deleted": "vragen verwijderd",
    "offers_deleted": "aanbod verwijderd",
    "needs_anonymised": "vragen anoniem bewaard (voor samenwerkingen)",
    "offers_anonymised": "aanbod anoniem bewaard (voor samenwerkingen)",
    "vectors_deleted": "rekenvectoren van teksten die niet meer bestaan verwijderd",
}


def cmd_retention(args) -> int:
    """The retention periods, applied in one transaction (for cron or a systemd timer)."""
    from samenspel.services.retention import apply_retention
    from samenspel.storage import db

    with db.unit_of_work() as session:
        report = apply_retention(session=session, dry_run=args.dry_run)
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


def cmd_embed(args) -> int:
    """Sentence vectors for every need and offer that has none (after an upgrade)."""
    from samenspel.services.embeddings import backfill
    from samenspel.storage import db

    def progress(done: int, total: int) -> None:
        print(f"... {done:,} van {total:,} teksten", file=sys.stderr, flush=True)

    with db.unit_of_work() as session:
        texts, new = backfill(session, progress)
    print(f"{texts:,} teksten van vragen en aanbod; {new:,} nieuw uitgerekend")
    return 0


def cmd_setup_token(args) -> int:
    """A new one-time code for the web page 'Eerste beheerder' (only on the server)."""
    from samenspel.services.accounts import SETUP_TOKEN_VALID, needs_first_admin, new_setup_token
    from samenspel.storage import db

    with db.unit_of_work() as session:
        if not needs_first_admin(session):
            raise BadInput(
                "er is al een beheerder; maak er nog een met: samenspel create-admin NAAM"
            )
        token = new_setup_token(session=session)
    # Printed once it is stored: a code the database does not know would not work.
    hours = int(SETUP_TOKEN_VALID.total_seconds() // 3600)
    print(token)
    print(f"{hours} uur geldig, een keer te gebruiken.", file=sys.stderr)
    return 0


def cmd_health(args) -> int:
    """Database reachable and its schema at this code's head: 0, else 1 (for monitors)."""
    from samenspel import logs
    from samenspel.services import health

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

    from samenspel.services.accounts import create_admin
    from samenspel.services.errors import InvalidInput
    from samenspel.storage import db

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Wachtwoord: ")
        if getpass.getpass("Nog een keer: ") != password:
            raise BadInput("de twee wachtwoorden zijn niet gelijk")
    try:
        with db.unit_of_work() as session:
            user = create_admin(
                session=session, username=args.username, password=password, display_name=args.name
            )
    except InvalidInput as exc:
        raise BadInput("\n".join(exc.field_errors.values())) from exc
    print(f"beheerder gemaakt: {user.username}")
    return 0


def cmd_digest(args) -> int:
    """The daily and weekly mails (services/notify.py); --now: all of them at once, whatever
    the day and hour. The worker sends them (`samenspel worker`)."""
    from samenspel.services import notify
    from samenspel.storage import db
    from samenspel.storage.models import utcnow

    with db.unit_of_work() as session:
        done = notify.digests(session, now=utcnow(), force=args.now)
    print(f"samenvattingen klaargezet: {done['digests']} voor initiatieven en partners,"
          f" {done['broker_digests']} voor buurtmakelaars")  # fmt: skip
    return 0


def register(sub) -> None:
    digest = sub.add_parser(
        "digest",
        help="queue the daily and weekly summary mails (the worker sends them)",
        description="Queue the summary mails that are due: for initiatives and partners what"
        " they chose to hear daily or weekly, for brokers the summary of their areas. Each"
        " goes out once per day or week; with --now all of them at once, whatever the day.",
    )
    digest.add_argument(
        "--now", action="store_true", help="make every summary now, not only the ones due"
    )
    digest.set_defaults(func=cmd_digest)
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
    embed = sub.add_parser(
        "embed",
        help="compute the sentence vectors of every need and offer that has none (after an upgrade)",
    )
    embed.set_defaults(func=cmd_embed)
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
