"""Every page in a real browser, for every role, on a database full of payloads: needs, offers
and organisations named after them, with suggestions, introductions and partnerships between
them. Detectors go in before any page script runs; afterwards nothing may have run."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from samenspel.matching.csvformat import NEED_COLUMNS, OFFER_COLUMNS
from samenspel.services import matches, transfer
from samenspel.services.permissions import Actor
from samenspel.storage import db
from samenspel.storage.models import Match, Need, Offer, User
from samenspel.storage.seed import seed_demo
from samenspel.web.navigation import PAGES, pages_for
from tests.e2e.conftest import (
    _is_local,
    open_card,
    rerun,
    running_app,
    wait_until_idle,
    watch_runs,
)
from tests.e2e.test_golden_path import TIMEOUT, log_in
from tests.security.payloads import PAYLOADS, evaluated_in, summary

pytestmark = pytest.mark.browser
SYSTEM = Actor(user_id=None, role="admin", system=True)
SHOWN = [p for p in PAYLOADS if len(p.text) <= 200 and "\x00" not in p.text]
ROLES = {"public": None, "initiative": "initiatief", "partner": "partner", "broker": "makelaar",
         "admin": "beheer"}  # fmt: skip

# Installed in every frame before its scripts run. A payload that ran leaves a trace: a
# dialog, a write to window.__pwned, or an element carrying its code. The signature needs a
# quote right after the code word: escaped text (&#x27;) never matches it, live code does.
DETECTORS = r"""
(() => {
  if (window.__ss) return;
  const ss = window.__ss = {dialogs: [], pwned: [], injected: []};
  for (const name of ["alert", "confirm", "prompt"]) {
    window[name] = (message) => { ss.dialogs.push(name + ":" + String(message)); return null; };
  }
  Object.defineProperty(window, "__pwned", {
    configurable: false,
    get() { return ss.pwned[0]; },
    set(value) { ss.pwned.push(String(value)); },
  });
  const sign = /__pwned\s*=\s*['"]|alert\(\s*['"]/;
  const live = /^\s*(javascript|vbscript|data\s*:\s*text\/html)/i;
  const check = (node) => {
    if (!(node instanceof Element)) return;
    if (node.tagName === "SCRIPT" && sign.test(node.textContent + (node.getAttribute("src") || "")))
      ss.injected.push("script: " + node.textContent.slice(0, 80));
    for (const attr of Array.from(node.attributes)) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on") && sign.test(attr.value)) ss.injected.push(name + "=" + attr.value.slice(0, 80));
      if (["href", "src", "action", "formaction", "xlink:href", "data"].includes(name) && live.test(attr.value))
        ss.injected.push(name + "=" + attr.value.slice(0, 80));
      if (name === "srcdoc" && sign.test(attr.value)) ss.injected.push("iframe srcdoc=" + attr.value.slice(0, 80));
    }
  };
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "attributes") check(record.target);
      for (const node of record.addedNodes) {
        check(node);
        if (node.querySelectorAll) node.querySelectorAll("*").forEach(check);
      }
    }
  }).observe(document, {childList: true, subtree: true, attributes: true});
})();
"""


def _file(columns, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), restval="")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def seed_hostile(url: str) -> None:
    """The demo city, plus every payload as a need of the demo initiative, as a need of an
    organisation named after it, and as an offer of the demo partner; then introductions and
    agreed partnerships between payload needs and offers, so every page shows payloads."""
    engine = db.make_engine(url)
    db.upgrade(engine)
    seed_demo(engine)
    needs, offers = [], []
    for number, payload in enumerate(SHOWN):
        place = {"lat": f"{52.085 + number * 0.0004:.4f}", "lon": "5.105", "kind": "goods",
                 "title": payload.text, "description": payload.text, "themes": "stoelen"}  # fmt: skip
        needs.append({"id": f"PN{number}", "initiative": "Buurtkeuken De Pan", **place})
        needs.append({"id": f"PO{number}", "initiative": payload.text, "legal_form": "foundation",
                      **place})  # fmt: skip
        offers.append({"id": f"PF{number}", "partner": "Buurtpand De Kade", **place})
    with db.unit_of_work(engine) as session:  # as `samenspel import` does: one commit
        for name, columns, rows in (("offers.csv", OFFER_COLUMNS, offers),
                                    ("needs.csv", NEED_COLUMNS, needs)):  # fmt: skip
            report = transfer.import_file(
                session=session, actor=SYSTEM, filename=name, content=_file(columns, rows)
            )
            assert report.errors == [], report.errors[:3]
        users = {u.username: u for u in session.exec(select(User))}
        side = {name: Actor(u.id, u.role, u.organisation_id, (), u.display_name)
                for name, u in users.items() if name in ("initiatief", "partner")}  # fmt: skip
        payload_matches = session.exec(
            select(Match).join(Need, Match.need_id == Need.id).join(Offer, Match.offer_id == Offer.id)
            .where(Match.status == "suggested", Need.external_id.like("PN%"),
                   Offer.external_id.like("PF%")).order_by(Match.id).limit(8)
        ).all()  # fmt: skip
        ids = [(m.id, m.version) for m in payload_matches]
    for number, (match_id, version) in enumerate(ids):
        with Session(engine) as session:
            match = matches.introduce(
                session=session, actor=SYSTEM, match_id=match_id, seen_version=version
            )
            if number % 2:
                continue  # half stay introduced, half become partnerships
            for name in ("initiatief", "partner"):
                match = matches.respond(session=session, actor=side[name], match_id=match_id,
                                        seen_version=match.version, accept=True)  # fmt: skip
    engine.dispose()


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("hostile")
    seed_hostile(f"sqlite:///{instance / 'samenspel.db'}")
    with running_app(instance) as url:
        yield url


def new_page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(DETECTORS)

    def route(request_route):
        if _is_local(request_route.request.url):
            return request_route.continue_()
        return request_route.abort()  # no network here

    context.route("**/*", route)
    context.on("page", watch_runs)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    return context, page


def settle(page) -> None:
    """Wait until Streamlit finished this run (its root says so) and the page has a title."""
    wait_until_idle(page)
    expect(page.locator("h1").first).to_be_visible()


def open_page(page, title: str) -> None:
    """Through the sidebar, inside the same session (the login stays), and wait for its run.
    A link may carry what waits there ("Nieuw voor jullie (3)"); the login page is called
    "Uitloggen" while logged in."""
    names = ("Inloggen", "Uitloggen") if title == "Inloggen" else (title,)
    name = re.compile("^(" + "|".join(map(re.escape, names)) + r")( \(\d+\))?$")
    link = page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=name)
    href = link.get_attribute("href") or ""
    if page.url.rstrip("/") != href.rstrip("/"):
        with rerun(page):
            link.click()
        page.wait_for_url(href, wait_until="commit")  # a client-side navigation: no load event
    settle(page)


def traces(page) -> dict[str, list[str]]:
    """What the detectors saw in every frame, and any evaluated payload in the visible text."""
    found = {"dialogs": [], "pwned": [], "injected": [], "evaluated": []}
    for frame in page.frames:
        try:
            report = frame.evaluate(
                "() => window.__ss ? {...window.__ss, text: document.body ? document.body.innerText : ''} : null"
            )
        except Exception:  # noqa: BLE001 - a frame that went away while we asked
            continue
        if report:
            for key in ("dialogs", "pwned", "injected"):
                found[key] += report[key]
            found["evaluated"] += evaluated_in(report["text"])
    return found


def open_a_map_card(page) -> None:
    """Search the map for a payload title, hover its marker (the tooltip) and click it: its
    card opens beside the map."""
    page.get_by_text("Filters").first.click()
    field = page.get_by_label("Zoek in titel of organisatie").first
    field.fill("Kookplek {{")  # one payload: its three points share a spot, and spiderfy
    with rerun(page):
        field.press("Tab")
    settle(page)
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
    # Points of informal groups share their neighbourhood's centre: a cluster there opens
    # (spiderfies) on a click.
    frame.locator(".ss-marker, .ss-cluster").first.wait_for()
    if not frame.locator(".ss-marker").count():
        # dispatched: polylines drawn over it may take a pointer click
        frame.locator(".ss-cluster").first.dispatch_event("click")
    marker = frame.locator(".ss-marker").first
    marker.wait_for()
    marker.hover()
    expect(frame.locator(".leaflet-tooltip").first).to_be_visible()
    open_card(page, marker, page.locator("[class*='st-key-home_card_']").first)
    settle(page)


def test_every_page_for_every_role_runs_no_payload(hostile_app, browser):
    totals = {"dialogs": [], "pwned": [], "injected": [], "evaluated": []}
    visits = 0
    for role, username in ROLES.items():
        context, page = new_page(browser)
        try:
            page.goto(hostile_app)
            settle(page)
            if username:
                log_in(page, username)
            for path in pages_for(role):
                open_page(page, PAGES[path][0])
                visits += 1
                if (
                    path == "samenspel/web/views/home.py" and role == "public"
                ):  # informal: a lone marker
                    open_a_map_card(page)
                for key, values in traces(page).items():
                    totals[key] += [f"{role} {path}: {v}" for v in values]
        finally:
            context.close()
    summary("browser", payloads=len(SHOWN), roles=len(ROLES), pages=visits,
            records=len(SHOWN) * 3, dialogs=len(totals["dialogs"]),
            pwned=len(totals["pwned"]), injected=len(totals["injected"]),
            evaluated=len(totals["evaluated"]))  # fmt: skip
    assert totals == {"dialogs": [], "pwned": [], "injected": [], "evaluated": []}, {
        key: values[:5] for key, values in totals.items()
    }


def test_the_detectors_see_a_payload_that_runs(browser):
    """The control: the same detectors, a page where a payload does run."""
    context, page = new_page(browser)
    try:
        page.set_content("<html><body><div id='app'></div></body></html>")
        page.evaluate("""() => {
            document.getElementById('app').innerHTML = `<img src=x onerror="window.__pwned='ctl';alert('ctl')">`;
            const a = document.createElement('a'); a.href = "javascript:void(0)"; document.body.append(a);
        }""")
        page.wait_for_function("() => window.__ss.pwned.length > 0")
        found = traces(page)
    finally:
        context.close()
    assert found["pwned"] == ["ctl"] and found["dialogs"] == ["alert:ctl"]
    assert len(found["injected"]) == 2  # the onerror attribute and the javascript: link
