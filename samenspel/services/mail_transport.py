"""Mail on the wire: one mail composed as a MIME message, and an SMTP connection that sends it.

SAMENSPEL_SMTP_URL says how to reach the server:
- `smtp://user:password@host:587`: plain SMTP upgraded with STARTTLS, which is required (a
  server that does not offer it is refused, so no password or mail crosses the network in
  clear text), except on the machine itself (localhost, 127.0.0.1, ::1): a local relay such
  as Postfix on port 25 is reached without TLS, since nothing leaves the machine;
- `smtps://user:password@host:465`: TLS from the first byte.
Certificates are checked against the system's trusted ones (SSL_CERT_FILE adds one). User and
password are URL-encoded in the URL (`%40` for an @ in a user name). Every network step has a
timeout, so a hanging server costs a worker round at most SMTP_TIMEOUT per message.

This module knows nothing of the database: services/mail_worker.py reads the outbox, composes
with `compose` and sends with a `SmtpTransport`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import smtplib
import ssl
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Protocol
from urllib.parse import unquote, urlsplit

SMTP_TIMEOUT = 30  # seconds per network step (connect, each command)
DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
LOCAL_HOSTS = frozenset({"localhost", "localhost.localdomain"})
ERROR_LENGTH = 1000  # OutboxMessage.last_error


class MailError(Exception):
    """A mail did not go out. `permanent`: the server said the address itself is refused
    (5xx for every recipient), so trying again later does not help."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason[:ERROR_LENGTH])
        self.permanent = permanent


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


def message_id(key: str, sender: str) -> str:
    """The Message-ID of the mail for idempotency key `key`: the same for every attempt, so a
    mail sent again after a worker died between sending and marking it is the same mail to
    the receiving servers and mail programs (which drop a second copy of a Message-ID). A
    hash, so the key's ids do not show."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "samenspel.invalid"
    return f"<{digest}.samenspel@{domain}>"


def compose(
    *,
    key: str,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    language: str = "nl",
    attachments: Sequence[dict] = (),
    unsubscribe_url: str = "",
    date: datetime | None = None,
) -> EmailMessage:
    """One mail: text and HTML as multipart/alternative (a mail program shows the best one it
    can), then attachments ({"filename", "content_type", "text"}, e.g. text/calendar)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    # One line: a line break in a header value would end the header (and start another).
    message["Subject"] = " ".join(subject.split())
    message["Message-ID"] = message_id(key, sender)
    if date is not None:
        message["Date"] = format_datetime(date)
    # RFC 3834: sent by a program, so out-of-office replies are not sent back to it.
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        # RFC 2369: mail programs show their own "unsubscribe" button for this link. Not the
        # one-click POST of RFC 8058: the link opens a page, which asks nothing more.
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for attachment in attachments:
        maintype, _, rest = attachment["content_type"].partition("/")
        subtype, *options = (part.strip() for part in rest.split(";"))
        params = dict(option.split("=", 1) for option in options if "=" in option)
        if maintype != "text":
            raise ValueError(f"only text attachments are supported, not {maintype}")
        message.add_attachment(
            attachment["text"], subtype=subtype, filename=attachment["filename"], params=params
        )
    # Last: setting the content moves or clears every Content-* header set before it.
    message["Content-Language"] = language
    return message


def is_local(host: str) -> bool:
    """Is `host` this machine itself (where a connection never leaves it)?"""
    if host.lower() in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SmtpTransport:
    """Sends mails over one SMTP connection, opened at the first mail and reused for the
    next ones; any error closes it, and the next mail opens a new one."""

    def __init__(
        self,
        url: str,
        *,
        sender: str,
        timeout: float = SMTP_TIMEOUT,
        context: ssl.SSLContext | None = None,
    ):
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError("smtp://user:password@host:587 or smtps://user:password@host:465")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or DEFAULT_PORTS[parts.scheme]
        self.user = unquote(parts.username or "")
        self._password = unquote(parts.password or "")
        self.envelope_from = parseaddr(sender)[1]
        self.timeout = timeout
        self.context = context or ssl.create_default_context()
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self.context
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if self.scheme == "smtp" and not is_local(self.host):
                if not smtp.has_extn("starttls"):
                    raise MailError(
                        f"the server at {self.host}:{self.port} offers no STARTTLS; use"
                        " smtps:// or a server that encrypts"
                    )
                smtp.starttls(context=self.context)
                smtp.ehlo()
            if self.user:
                smtp.login(self.user, self._password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Hand `message` to the server; MailError says why not."""
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(
                message, from_addr=self.envelope_from, to_addrs=[parseaddr(message["To"])[1]]
            )
        except MailError:
            self.close()
            raise
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            codes = [code for code, _ in exc.recipients.values()]
            raise MailError(_reason(exc), permanent=all(500 <= c < 600 for c in codes)) from exc
        except (smtplib.SMTPException, OSError) as exc:  # OSError: refused, timeout, TLS
            self.close()
            raise MailError(_reason(exc)) from exc

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def _reason(exc: BaseException) -> str:
    """What the administrator reads: the server's own answer where there is one. Never the
    password (smtplib's messages do not hold it)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = [
            f"{code} {_decode(text)}" for code, text in exc.recipients.values()
        ]  # one recipient per mail
        return "recipient refused: " + "; ".join(answers)
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__}: {exc.smtp_code} {_decode(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def _decode(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
