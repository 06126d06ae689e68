"""A matchmarkt in a real browser, on a demo city of its own: the broker creates the event and
invites; the initiative registers what it seeks and the partner what it brings; the broker
plans the talks and prints the papers (the PDFs open and show the right names); on the day
three deals are recorded and confirmed; the wall's counter shows them; partij B is asked to
make contact, and the initiative's "Is het gelukt?" shows in the report.

Screenshots of each step land in the test's tmp_path (and in SAMENSPEL_SCREENSHOTS if set)."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import rerun, running_app, wait_until_idle
from tests.e2e.test_golden_path import log_in
from tests.e2e.test_loop import shot

pytestmark = pytest.mark.browser
INITIATIVE = "Buurtkeuken De Pan"  # demo 'initiatief'
PARTNER = "Buurtpand De Kade"  # demo 'partner'
NEEDS = ("Plek om op dinsdagavond samen te koken", "Buren die willen meekoken of afwassen")
OFFERS = (
    "Grote zaal met keuken op dinsdag- en woensdagavond",
    "Kleine zaal overdag voor groepsactiviteiten",
)
EVENT = "Beursvloer Utrecht"


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    """Its own app and database: deals change the demo city (needs become matched)."""
    with running_app(tmp_path_factory.mktemp("matchmarkt")) as url:
        yield url


def go(page, name: str, heading: str) -> None:
    with rerun(page):
        page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=heading).first).to_be_visible()


def pick(page, label: str, options) -> None:
    """Choose options of a multiselect inside a form (no run until submit), and close it."""
    for option in options:
        page.get_by_label(label, exact=True).click()
        page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def pick_one(page, label: str, option: str) -> None:
    """Choose the option of a select box inside a form (Escape would clear it again)."""
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.get_by_label(label, exact=True)).to_have_value(option)


def click(page, name: str) -> None:
    with rerun(page):
        page.get_by_role("button", name=name, exact=True).click()


def tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_until_idle(page)


def pdf_text(page, button: str) -> str:
    with page.expect_download() as download:
        page.get_by_role("button", name=button).click()
    data = open(download.value.path(), "rb").read()  # noqa: SIM115 - a temporary file of playwright's
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def register(page, label: str, titles) -> None:
    go(page, "Matchmarkt", "Matchmarkt")
    pick(page, label, titles)
    click(page, "Aanmelden")
    expect(page.get_by_text("Jullie zijn aangemeld.").first).to_be_visible()


def record_deal(page, need: str, offer: str, what: str) -> None:
    pick_one(page, "Wie vraagt (partij A)", f"{INITIATIVE}: {need}")
    pick_one(page, "Wie geeft (partij B)", f"{PARTNER}: {offer}")
    page.get_by_label("Wat wordt er gegeven?").fill(what)
    page.get_by_label("Wat geeft partij A terug? (de tegenprestatie)").fill("Een warme maaltijd")
    click(page, "Deal opschrijven")
    expect(page.get_by_text("De deal is opgeschreven.")).to_be_visible()
    click(page, "Bevestigen als notaris")
    expect(page.get_by_text("Bevestigd.", exact=False)).to_be_visible()


def test_a_matchmarkt_from_invitation_to_follow_up(own_app, page, tmp_path):
    page.goto(own_app)
    wait_until_idle(page)
    log_in(page, "makelaar")
    go(page, "Matchmarkt", "Matchmarkt")
    page.get_by_label("Naam", exact=True).fill(EVENT)
    page.get_by_label("Plek", exact=True).fill("Buurthuis Lombok")
    click(page, "Matchmarkt maken")
    expect(page.get_by_text("De matchmarkt is gemaakt.")).to_be_visible()
    click(page, "Organisaties uitnodigen")
    expect(page.get_by_text("Uitgenodigd:", exact=False)).to_be_visible()
    shot(page, tmp_path, "matchmarkt-broker-invited")

    log_in(page, "initiatief")
    register(page, "Wat zoeken jullie? (jullie vragen)", NEEDS)
    log_in(page, "partner")
    register(page, "Wat brengen jullie mee? (jullie aanbod)", OFFERS)

    log_in(page, "makelaar")
    go(page, "Matchmarkt", "Matchmarkt")
    tab(page, "Gesprekken")
    click(page, "Gesprekken plannen")
    expect(page.get_by_text("Gesprekken gepland:", exact=False)).to_be_visible()
    tab(page, "Gesprekken")
    expect(page.get_by_text("Organisaties met een gesprek")).to_be_visible()
    shot(page, tmp_path, "matchmarkt-plan")
    tab(page, "Afdrukken")
    agendas = pdf_text(page, "Agenda's (PDF)")
    assert f"Agenda van {INITIATIVE}" in agendas and f"Agenda van {PARTNER}" in agendas
    assert "tafel 1" in agendas.lower()
    assert "Tafel 1" in pdf_text(page, "Tafelkaarten (PDF)")
    badges = pdf_text(page, "Badges (PDF)")
    assert INITIATIVE in badges and PARTNER in badges and "Maatschappelijke organisatie" in badges

    with rerun(page):
        page.get_by_role("link", name="Naar de dag zelf", exact=False).click()
    expect(page.get_by_role("heading", name="Een deal opschrijven")).to_be_visible()
    record_deal(page, NEEDS[0], OFFERS[0], "De grote zaal op dinsdagavond, tot de zomer")
    record_deal(page, NEEDS[0], OFFERS[1], "De kleine zaal voor het spreekuur")
    record_deal(page, NEEDS[1], OFFERS[0], "Drie vrijwilligers van het buurtpand")
    expect(page.get_by_text("Deals van vandaag (3)")).to_be_visible()
    shot(page, tmp_path, "matchmarkt-day")
    with rerun(page):
        page.get_by_role("link", name="Teller voor aan de muur").click()
    expect(page.locator("p[aria-live='polite']")).to_have_text("3")
    shot(page, tmp_path, "matchmarkt-counter")

    # After: partij B is asked to make contact; the initiative answers "Is het gelukt?".
    page.goto(own_app)
    wait_until_idle(page)
    log_in(page, "partner")
    expect(page.get_by_text(f"Neem contact op met {INITIATIVE}", exact=False).first).to_be_visible()
    log_in(page, "initiatief")
    go(page, "Samenwerkingen", "Samenwerkingen")
    card = page.locator("[class*='st-key-partners_card_']").filter(has_text=OFFERS[1]).first
    card.get_by_role("button", name="Is het gelukt? Ja").click()
    with rerun(page):
        page.get_by_role("button", name="Ja, en het is klaar").click()
    log_in(page, "makelaar")
    go(page, "Matchmarkt", "Matchmarkt")
    tab(page, "Verslag")
    report = page.locator("[data-testid='stMetric']").filter(has_text="Uitgevoerd")
    expect(report).to_contain_text("33%")
    shot(page, tmp_path, "matchmarkt-report")
