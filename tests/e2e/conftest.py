"""A real app in a real browser: `streamlit run app.py` on 127.0.0.1 with a fresh SQLite
database, driven by Playwright in Debian's chromium. The app serves the map's Leaflet files
itself (static/vendor); every request to another host (map tiles) is refused and its host
recorded in `page.external_hosts`, so nothing downloads at test time and a test can check that
the browser contacts no third party."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("instance")) as url:
        yield url


@contextmanager
def running_app(
    instance: Path, *, port: int | None = None, env: dict | None = None, args: tuple = ()
):
    """`streamlit run app.py` on a free port (or `port`) with its database in `instance` (the
    demo city is seeded when that database is empty, so a test may prepare one first); `env`
    adds to or overrides the environment, `args` go to streamlit."""
    port = port or free_port()
    base = {**os.environ, "SAMENSPEL_INSTANCE_DIR": str(instance), "SAMENSPEL_DEMO": "1"}
    base.pop("SAMENSPEL_DATABASE_URL", None)
    env = {**base, **(env or {})}
    log = (instance / "streamlit.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            *args,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        server.terminate()
        pytest.fail("streamlit did not start within 60 s; see " + str(instance / "streamlit.log"))
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def _is_local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("127.0.0.1", "localhost") or url.startswith(("data:", "blob:", "about:"))


def keep_local(context) -> set[str]:
    """Refuse every request of this browser context to another host (tiles: no network
    here), and return the set in which those hosts are recorded."""
    hosts: set[str] = set()

    def route(request_route):
        url = request_route.request.url
        if _is_local(url):
            return request_route.continue_()
        hosts.add(urlsplit(url).hostname)
        return request_route.abort()

    context.route("**/*", route)
    return hosts


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.external_hosts = keep_local(context)
    yield page
    context.close()
