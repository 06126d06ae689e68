"""`samenspel worker`: the second process next to the app, which sends the outbox and runs the
other periodic jobs (services/mail_worker.py JOBS). Without --once it runs until SIGTERM or
SIGINT (a systemd unit); with --once it does what is due and exits (cron)."""

from __future__ import annotations

import signal


def cmd_worker(args) -> int:
    from samenspel import logs
    from samenspel.services import mail_worker
    from samenspel.storage import db

    logs.setup()
    engine = db.get_engine()
    if args.once:
        for name, result in mail_worker.run_round(engine):
            print(_describe(name, result))
        return 0

    def stop(_signum, _frame) -> None:
        mail_worker.stopping.set()  # the mail being sent finishes; nothing new starts

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    mail_worker.run(engine, pause=args.pause)
    return 0


def _describe(name: str, result: object) -> str:
    from samenspel.services.mail_worker import Delivered

    if name == "work_out_suggestions":
        return f"suggesties: {result} posten bijgewerkt"
    if isinstance(result, Delivered):
        return (
            f"mail: {result.sent} verstuurd, {result.logged} alleen gelogd (geen mailserver"
            f" ingesteld), {result.retrying} later opnieuw, {result.failed} mislukt"
        )
    return f"{name}: {result}"


def register(sub) -> None:
    worker = sub.add_parser(
        "worker",
        help="send the mail outbox and run the periodic jobs (runs until stopped)",
        description="Work out the suggestions of posts that no app process got to, send the"
        " mails in the outbox (SAMENSPEL_SMTP_URL; without it they are only logged) and run"
        " the other periodic jobs, every few seconds, until SIGTERM or SIGINT."
        " Run it as a second process next to the app (e.g. a systemd unit); several workers"
        " may run at once on PostgreSQL. With --once: do what is due now and exit (cron).",
    )
    worker.add_argument("--once", action="store_true", help="one round, then exit")
    worker.add_argument(
        "--pause", type=float, default=5.0, help="seconds between rounds (default 5)"
    )
    worker.set_defaults(func=cmd_worker)
