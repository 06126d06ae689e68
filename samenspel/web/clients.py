"""Who is connecting: the key that limits count per client, and whether the browser runs on
the server's own machine (the only place demo accounts may log in).

Forwarding headers are only believed from the one proxy the operator names
(SAMENSPEL_TRUSTED_PROXY): anyone can send an X-Forwarded-For, X-Real-Ip or Forwarded header,
and a key taken from it would let a guesser pick a fresh key for every try. Where the address
is unknown, everyone shares one key (never one per browser session, which a reconnect resets):
the operator's fix is to name the proxy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlsplit

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-Ip")
LOOPBACK = "loopback"  # Streamlit reports a loopback connection as no address at all


@dataclass(frozen=True)
class Client:
    key: str  # for limits per client
    local: bool  # a browser on the server's own machine, not through a proxy


def host_name(host: str) -> str:
    """The host without its port: localhost:8501 -> localhost, [::1]:8501 -> [::1]."""
    host = host.strip().lower()
    return host.split("]")[0] + "]" if host.startswith("[") else host.split(":")[0]


def _address(value: str) -> str:
    """A connection or proxy address in one spelling: loopback addresses as LOOPBACK."""
    value = host_name(value).strip("[]")
    if not value or value == "localhost":
        return LOOPBACK
    try:
        return LOOPBACK if ip_address(value).is_loopback else str(ip_address(value))
    except ValueError:
        return value


def identify(ip: str, header: Callable[[str], list[str]], trusted_proxy: str = "") -> Client:
    """`ip`: the connection's address as Streamlit reports it ("" for loopback); `header`:
    all values of a request header; `trusted_proxy`: the operator's setting."""
    connection = _address(ip)
    if trusted_proxy:
        if connection == _address(trusted_proxy):
            # The proxy appends the address it saw as the last entry; the ones before are the
            # client's own claims.
            forwarded = [v for value in header("X-Forwarded-For") for v in value.split(",")]
            seen = forwarded[-1].strip()[:100] if forwarded else ""
            return Client(f"ip:{_address(seen)}" if seen else "proxy:unknown", local=False)
        return Client(f"ip:{connection}", local=False)  # around the proxy
    if connection != LOOPBACK:
        return Client(f"ip:{connection}", local=False)
    if any(header(name) for name in FORWARDING_HEADERS):
        return Client("proxy:unknown", local=False)  # a proxy nobody named: one shared key
    hosts = [host_name(h) for h in header("Host")]
    origins = [host_name(urlsplit(o).netloc) for o in header("Origin")]
    # A browser here sends Host and Origin of this machine; a proxy in front (nginx sends
    # "Host: 127.0.0.1:8501" by default) passes the visitor's public Origin through.
    local = bool(hosts) and all(h in LOOPBACK_HOSTS for h in hosts + origins)
    return Client("local" if local else LOOPBACK, local=local)
