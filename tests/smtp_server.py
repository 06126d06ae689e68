"""A real SMTP server for tests (aiosmtpd on a free port, in its own thread) that keeps every
mail it accepted, parsed, so a test reads what a mail program would get.

    with smtp_server() as server:                 # plain SMTP on 127.0.0.1
        ... SAMENSPEL_SMTP_URL = server.url ...
        (mail,) = server.inbox.wait_for(1)
        mail.message["Subject"], mail.text, mail.html

`tls="starttls"` or `tls="implicit"` serve a self-signed certificate for 127.0.0.1 and
localhost (`server.client_context` trusts it); `users={"name": "password"}` asks for a login.
The fixture `smtp_server` in tests/integration/conftest.py gives a plain one per test.
"""

from __future__ import annotations

import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from ipaddress import ip_address
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    peer: tuple  # (address, port) of the client's connection: one per connection
    encrypted: bool
    login: str | None

    def part(self, content_type: str) -> str:
        """The body part of this content type (text/plain, text/html, text/calendar)."""
        for part in self.message.walk():
            if part.get_content_type() == content_type:
                return part.get_content()
        raise KeyError(content_type)

    @property
    def text(self) -> str:
        return self.part("text/plain").replace("\r\n", "\n")  # lines end in CRLF on the wire

    @property
    def html(self) -> str:
        return self.part("text/html").replace("\r\n", "\n")


@dataclass
class Inbox:
    """The aiosmtpd handler: accepts (or refuses, when told) and keeps what it accepted."""

    mails: list[Received] = field(default_factory=list)
    refuse_rcpt: str | None = None  # e.g. "550 5.1.1 No such user"
    refuse_data: str | None = None  # e.g. "451 4.3.0 Try again later"
    delay: float = 0.0  # seconds before each answer to DATA (a slow server)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        if self.refuse_data:
            return self.refuse_data
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        login = session.auth_data.login.decode() if session.authenticated else None
        # STARTTLS shows in the session, TLS from the start only on the connection.
        encrypted = session.ssl is not None or server.transport.get_extra_info("ssl_object")
        received = Received(
            envelope.mail_from, list(envelope.rcpt_tos), message, session.peer,
            bool(encrypted), login,
        )  # fmt: skip
        with self._changed:
            self.mails.append(received)
            self._changed.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The first `count` mails, waiting for them (a worker in another thread or process)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.mails) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.mails)} mails arrived, not {count}")
                self._changed.wait(left)
            return list(self.mails)


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: Inbox
    scheme: str = "smtp"
    client_context: ssl.SSLContext | None = None

    def url(self, user: str = "", password: str = "") -> str:
        login = f"{user}:{password}@" if user else ""
        return f"{self.scheme}://{login}{self.host}:{self.port}"


def self_signed_context(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context that trusts it) for 127.0.0.1 and localhost."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


@contextmanager
def smtp_server(
    *, tls: str | None = None, users: dict[str, str] | None = None, inbox: Inbox | None = None
) -> Iterator[SmtpServer]:
    inbox = inbox or Inbox()
    port = free_port()
    options: dict = {}
    client_context = None
    scheme = "smtp"
    with tempfile.TemporaryDirectory() as folder:
        if tls:
            server_context, client_context = self_signed_context(Path(folder))
            if tls == "starttls":
                options["tls_context"] = server_context
            elif tls == "implicit":
                options["ssl_context"] = server_context
                scheme = "smtps"
            else:
                raise ValueError(tls)
        if users:

            def authenticate(server, session, envelope, mechanism, auth_data):
                ok = (
                    isinstance(auth_data, LoginPassword)
                    and users.get(auth_data.login.decode()) == auth_data.password.decode()
                )
                # handled=False: aiosmtpd answers 535 itself (its default sends nothing).
                return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

            # PLAIN only: aiosmtpd's LOGIN waits for what smtplib sent with its first line.
            # Offered, not required: a test checks who logged in (Received.login). aiosmtpd
            # counts only STARTTLS as TLS; a login over plain SMTP on the loopback is for tests.
            options.update(
                authenticator=authenticate,
                auth_exclude_mechanism=["LOGIN"],
                auth_require_tls=tls == "starttls",
            )
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        try:
            yield SmtpServer("127.0.0.1", port, inbox, scheme, client_context)
        finally:
            controller.stop()
