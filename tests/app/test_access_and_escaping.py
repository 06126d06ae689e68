"""Pages a role may not use are not in its navigation and refuse direct access; user text
that carries HTML, markdown or LaTeX shows as plain text on every page that shows user text."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from samenspel.matching.reasons import Reason, to_data
from samenspel.storage import db
from samenspel.storage.models import Match, Need, Offer, Organisation, User
from samenspel.web.navigation import PAGES, pages_for
from tests.app.test_pages_smoke import ROLE_USERS, run_app
from tests.conftest import ROOT

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "![x](http://evil.example/x.png)",
    "[klik hier](javascript:alert(1))",
    "$\\alpha$ en **vet** en `code`",
    "${alert(document.domain)}",
]
PAYLOAD_TITLE = " | ".join(PAYLOADS)
# Stored as the engine stores them: user text is a parameter of a fixed template.
PAYLOAD_REASONS = to_data(
    [Reason("their_words", {"need_word": PAYLOAD_TITLE, "offer_word": PAYLOAD_TITLE})]
)


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_a_page_of_another_role_opened_by_its_address_is_refused_in_dutch(role, demo_users):
    """Registered hidden (so no English "Page not found"), it says why and shows nothing."""
    forbidden = [path for path in PAGES if path not in pages_for(role)]
    user_id = demo_users[ROLE_USERS[role]] if ROLE_USERS[role] else None
    at = run_app(user_id)
    for path in forbidden:
        at.switch_page(path).run()
        assert not at.exception
        assert not at.title, f"{path} as {role} shows its page"
        if role == "public":
            assert [e.value for e in at.info] == [
                "Log eerst in om deze pagina te zien. Dat kan bij 'Inloggen' in het menu."
            ]
        else:
            assert [e.value for e in at.error] == [
                "Deze pagina is niet voor jouw account. Log in met een ander account."
            ]


@pytest.mark.parametrize("path", [p for p in PAGES if p not in pages_for("public")])
def test_opening_a_page_file_directly_without_the_right_role_is_refused(path, demo_users):
    at = AppTest.from_file(str(ROOT / path), default_timeout=60)
    at.run()  # nobody logged in
    assert [e.value for e in at.info] == [
        "Log eerst in om deze pagina te zien. Dat kan bij 'Inloggen' in het menu."
    ]
    assert not at.title
    assert not at.exception


@pytest.fixture
def payload_world(demo_users):
    """A need, an offer and an organisation whose texts are attack payloads, with a suggestion
    (review page) and an introduction (partnerships and 'mine' pages) between them."""
    engine = db.engine_for(db.settings.database_url())
    with Session(engine) as session:
        initiative = session.get(User, demo_users["initiatief"]).organisation_id
        partner = session.get(User, demo_users["partner"]).organisation_id
        evil = Organisation(
            name=PAYLOAD_TITLE, role="initiative", neighbourhood="Lombok", lat=52.09, lon=5.10
        )
        session.add(evil)
        session.flush()
        need = Need(
            organisation_id=initiative,
            kind="goods",
            title=PAYLOAD_TITLE,
            description=PAYLOAD_TITLE,
            lat=52.09,
            lon=5.10,
        )
        offer = Offer(
            organisation_id=partner, kind="goods", title=PAYLOAD_TITLE, description=PAYLOAD_TITLE
        )
        evil_need = Need(organisation_id=evil.id, kind="goods", title=PAYLOAD_TITLE)
        session.add_all([need, offer, evil_need])
        session.flush()
        session.add_all([
            Match(need_id=evil_need.id, offer_id=offer.id, score=0.99, reasons=PAYLOAD_REASONS),
            Match(need_id=need.id, offer_id=offer.id, score=0.98, status="introduced", reasons=PAYLOAD_REASONS,
                  decision_reason=PAYLOAD_TITLE, follow_up_on=date(2026, 1, 1)),
        ])  # fmt: skip
        session.commit()
    yield
    with Session(engine) as session:
        for match in session.exec(select(Match).where(Match.score >= 0.98)):
            session.delete(match)
        session.commit()


def markdown_values(at: AppTest) -> list[str]:
    """Everything Streamlit renders as markdown: where an unescaped payload would be live."""
    values = [e.value for kind in ("markdown", "caption", "title", "header", "subheader", "info",
                                   "success", "warning", "error") for e in at.get(kind)]  # fmt: skip
    values += [e.label for e in at.get("expander")] + [e.label for e in at.get("tab")]
    return [str(v) for v in values]


PAGES_WITH_USER_TEXT = [
    ("samenspel/web/views/home.py", "public"),
    ("samenspel/web/views/mine.py", "initiative"),
    ("samenspel/web/views/mine.py", "partner"),
    ("samenspel/web/views/review.py", "broker"),
    ("samenspel/web/views/partnerships.py", "broker"),
    ("samenspel/web/views/partnerships.py", "initiative"),
    ("samenspel/web/views/dashboard.py", "broker"),
]


@pytest.mark.parametrize(("path", "role"), PAGES_WITH_USER_TEXT)
def test_payloads_show_as_plain_text(path, role, demo_users, payload_world):
    user_id = demo_users[ROLE_USERS[role]] if ROLE_USERS[role] else None
    at = run_app(user_id)
    at.switch_page(path).run()
    if path == "samenspel/web/views/home.py":  # the map's text alternative: the list view
        at.session_state["home_view"] = "list"
        at.run()
    assert not at.exception
    for value in markdown_values(at):
        for payload in PAYLOADS:
            assert payload not in value, f"{path} as {role} renders {payload!r} as markdown"
    tables = " ".join(frame.value.to_csv() for frame in at.dataframe)  # data grids render text only
    shown = " ".join(str(e.value) for e in at.get("text")) + " ".join(markdown_values(at)) + tables
    assert "alert" in shown, f"{path} as {role} does not show the payload text at all"
