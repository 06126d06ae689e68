"""A real app in a real browser: `streamlit run app.py` on 127.0.0.1 with a fresh SQLite
database, driven by Playwright in Debian's chromium. folium loads Leaflet from CDNs; those
requests are answered from local npm copies (tests/e2e/vendor, installed by .ci/run), and
everything else outside 127.0.0.1 is refused, so nothing downloads at test time."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, unavailable

VENDOR = Path(
    os.environ.get("SAMENSPEL_VENDOR_DIR", ROOT / "tests" / "e2e" / "vendor" / "node_modules")
)
# CDN file name -> local file. Assets the map does not need to show markers get an empty body.
ASSETS = {
    "leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet.css": "leaflet/dist/leaflet.css",
    "leaflet.markercluster.js": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "MarkerCluster.css": "leaflet.markercluster/dist/MarkerCluster.css",
    "MarkerCluster.Default.css": "leaflet.markercluster/dist/MarkerCluster.Default.css",
    "jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "leaflet_heat.min.js": "leaflet.heat/dist/leaflet-heat.js",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    if not (VENDOR / "leaflet" / "dist" / "leaflet.js").exists():
        unavailable(f"no local Leaflet copy in {VENDOR} (npm install, see .ci/run)")
    port = _free_port()
    instance = tmp_path_factory.mktemp("instance")
    env = {**os.environ, "SAMENSPEL_INSTANCE_DIR": str(instance), "SAMENSPEL_DEMO": "1"}
    env.pop("SAMENSPEL_DATABASE_URL", None)
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
    yield url
    server.terminate()
    server.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        unavailable("Debian's chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def _route(route):
    url = route.request.url
    if url.startswith("http://127.0.0.1") or url.startswith("http://localhost"):
        return route.continue_()
    name = url.split("?")[0].rsplit("/", 1)[-1]
    if name in ASSETS:
        body = (VENDOR / ASSETS[name]).read_bytes()
        content_type = "text/css" if name.endswith(".css") else "application/javascript"
        return route.fulfill(status=200, body=body, content_type=content_type)
    if name.endswith((".js", ".css")):
        return route.fulfill(status=200, body=b"", content_type="text/plain")
    return route.abort()  # tiles and anything else: no network here


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", _route)
    page = context.new_page()
    yield page
    context.close()
