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

from tests.conftest import BROWSER_TIMEOUT_MS, ROOT


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
    try:
        wait_until_serving(server, url, deadline=time.monotonic() + START_SECONDS)
    except RuntimeError as exc:
        server.terminate()
        server.wait(timeout=10)
        log.close()
        pytest.fail(f"{exc}; see {instance / 'streamlit.log'}")
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


START_SECONDS = 60  # a cold start on a loaded 2-core machine takes 5-15 s


def wait_until_serving(server: subprocess.Popen, url: str, *, deadline: float) -> None:
    """A readiness poll, not a fixed sleep: ask /_stcore/health until it answers 200 or the
    deadline passes. Between two tries it waits on the server process itself, so a server
    that exits (a bad setting, a port in use) ends the wait at once instead of at the deadline."""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass  # not listening yet
        try:
            code = server.wait(timeout=0.25)
        except subprocess.TimeoutExpired:
            continue  # still starting
        raise RuntimeError(f"streamlit exited with code {code} before it served")
    raise RuntimeError(f"streamlit did not answer /_stcore/health within {START_SECONDS} s")


# --- Waiting on the app's state, never on time -----------------------------------------------

# Streamlit marks its root with the state of the script run; "notRunning" once a run has ended.
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def wait_until_idle(page) -> None:
    """The page's root says no script run is going on (after a page load; for an action,
    use `rerun`: a short run may never show as running in the page at all)."""
    from playwright.sync_api import expect  # here: without playwright, `browser` skips

    expect(page.locator(APP_IDLE)).to_be_attached()


def watch_runs(page) -> None:
    """Keep the page's Streamlit connection (`page.app_socket`), on which the server says when
    a script run has ended. Call before the page opens the app (the fixtures do)."""

    def keep(socket) -> None:
        if urlsplit(socket.url).path.endswith("/_stcore/stream"):
            page.app_socket = socket  # a reload opens a new one

    page.on("websocket", keep)


def _ends_a_run(payload) -> bool:
    """A message from the server that ends a script run (Streamlit's ForwardMsg with
    script_finished), except a run cut short because another one follows at once."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if not isinstance(payload, bytes | bytearray):
        return False
    message = ForwardMsg.FromString(bytes(payload))
    return (
        message.WhichOneof("type") == "script_finished"
        and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
    )


@contextmanager
def rerun(page):
    """The action in this block makes Streamlit run the script again: back when the server
    has said that run ended, and the page has drawn what it sent. Without this, the next step
    could read or click the page of the run before. It waits on the server's message, not on
    the page's run state: a run of a few milliseconds may never show as "running" there."""
    wait_until_idle(page)
    with page.app_socket.expect_event(
        "framereceived", predicate=_ends_a_run, timeout=BROWSER_TIMEOUT_MS
    ):
        yield
    wait_until_idle(page)
    # The page handles the message and draws on its next frames: wait for two of them.
    page.evaluate(
        "() => new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn)))"
    )


def open_card(page, marker, card) -> None:
    """Click a map point until its card shows beside the map. Under load a click can land
    while Leaflet is still drawing (or on a partnership line over the point) and start no run
    at all, so waiting for a run would wait forever: this waits for the card itself, and
    clicks again (at most three times) when it has not come within a third of the timeout."""
    from playwright.sync_api import expect

    for _ in range(3):
        marker.click()
        try:
            expect(card).to_be_visible(timeout=BROWSER_TIMEOUT_MS / 3)
            break
        except AssertionError:
            continue
    expect(card).to_be_visible()
    wait_until_idle(page)


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
    context.set_default_timeout(BROWSER_TIMEOUT_MS)  # also for the tabs a test opens
    context.on("page", watch_runs)
    page = context.new_page()
    page.external_hosts = keep_local(context)
    yield page
    context.close()
