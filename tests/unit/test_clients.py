"""Who is connecting: forwarding headers are believed only from the named proxy, an unknown
address never gets a fresh key per try, and only a browser on this machine counts as local."""

from __future__ import annotations

import pytest

from samenspel.web.clients import identify


def headers(**values):
    table = {k.replace("_", "-").lower(): v for k, v in values.items()}
    return lambda name: table.get(name.lower(), [])


def test_a_local_browser_is_local():
    found = identify("", headers(Host=["localhost:8501"], Origin=["http://localhost:8501"]))
    assert found.local and found.key == "local"


@pytest.mark.parametrize(
    "sent",
    [
        {"X_Real_Ip": ["10.0.0.1"]},
        {"X_Forwarded_For": ["10.0.0.2"]},
        {"Forwarded": ["for=10.0.0.3"]},
    ],
)
def test_forwarding_headers_without_a_named_proxy_give_one_shared_key_and_no_local(sent):
    """A guesser sending a new X-Real-Ip each try must not get a new key each try."""
    keys = {identify("", headers(Host=["localhost"], **sent)).key for _ in range(3)}
    other = identify("", headers(Host=["localhost"], X_Real_Ip=["10.9.9.9"]))
    assert keys == {"proxy:unknown"} == {other.key} and not other.local


def test_behind_the_named_proxy_the_last_forwarded_address_is_the_client():
    found = identify(
        "",
        headers(X_Forwarded_For=["1.2.3.4, 203.0.113.7"], X_Real_Ip=["10.0.0.1"]),
        trusted_proxy="127.0.0.1",
    )
    assert found.key == "ip:203.0.113.7" and not found.local
    # Headers the client added itself (X-Real-Ip, its own X-Forwarded-For entries) count for
    # nothing: only the entry the proxy appended.
    spoofed = identify("", headers(X_Forwarded_For=["9.9.9.9, 203.0.113.7"]), "127.0.0.1")
    assert spoofed.key == found.key


def test_a_connection_around_the_proxy_counts_by_its_own_address():
    found = identify("198.51.100.4", headers(X_Forwarded_For=["1.1.1.1"]), "10.0.0.5")
    assert found.key == "ip:198.51.100.4" and not found.local


def test_a_proxy_that_rewrites_host_to_loopback_does_not_make_visitors_local():
    """nginx sends "Host: 127.0.0.1:8501" by default and passes the visitor's Origin."""
    found = identify("", headers(Host=["127.0.0.1:8501"], Origin=["https://samenspel.example"]))
    assert not found.local


def test_no_headers_at_all_is_not_local():
    assert not identify("", headers()).local
