"""axe-core (npm's axe-core, vendored in tests/e2e/vendor/axe-core) run on a page and on every
frame in it (the map is an iframe), in a real browser. Used by test_accessibility.py; run as a
script against a running app to list what it finds:

    python -m tests.e2e.axe http://127.0.0.1:8501
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

AXE_JS = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
# WCAG 2.1 A and AA: what Dutch public-sector sites must meet.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")

_RUN = """
async (tags) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                            iframes: false, resultTypes: ['violations']});
    return result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary),
        count: v.nodes.length,
    }));
}
"""


def findings(page) -> list[dict]:
    """The serious and critical WCAG 2.1 AA violations in the page and each of its frames, each
    with the frame's URL."""
    found = []
    for frame in page.frames:
        if frame.is_detached() or frame.url.startswith("about:blank") and frame != page.main_frame:
            continue
        if not frame.evaluate("() => typeof axe !== 'undefined'"):
            frame.add_script_tag(content=AXE_JS)
        for violation in frame.evaluate(_RUN, TAGS):
            if violation["impact"] in BLOCKING:
                found.append({**violation, "frame": frame.url.split("?")[0]})
    return found


def describe(found: list[dict]) -> str:
    return json.dumps(found, indent=1, ensure_ascii=False)


def _main(url: str) -> None:  # pragma: no cover - a tool for a person at a terminal
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
        page.wait_for_timeout(3000)
        print(describe(findings(page)))
        browser.close()


if __name__ == "__main__":  # pragma: no cover
    _main(sys.argv[1])
