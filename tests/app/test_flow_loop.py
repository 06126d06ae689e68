"""The loop between initiative, partner and broker on the real pages: a partner answers the
suggestions for its own offers on 'Waar kunnen wij helpen?', 'Nieuw voor jullie' is the first
page after logging in and says what waits, a broker chooses "both said yes = introduced" for an
area, and the pages of initiatives and partners speak plain words (no score, no English term,
no "nan"), in Dutch and in English."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from samenspel.services import areas
from samenspel.storage import db
from samenspel.storage.models import Need, Organisation, User
from tests.app.conftest import log_in
from tests.app.test_flow_partnership import demo_match, engine, messages, open_page
from tests.app.test_login_session import PASSWORD, add_broker, submit_login
from tests.conftest import APP

HELP = "samenspel/web/views/help.py"
NEWS = "samenspel/web/views/news.py"
MINE = "samenspel/web/views/mine.py"
REVIEW = "samenspel/web/views/review.py"


def everything_shown(at: AppTest) -> str:
    """Every text a reader sees on the page, hover texts included."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info",
                 "success", "warning", "error"):  # fmt: skip
        for element in at.get(kind):
            parts.append(str(element.value))
            parts.append(str(getattr(element.proto, "help", "") or ""))
    parts.extend(b.label for b in at.button)
    return "\n".join(parts)


def test_a_partner_says_yes_on_waar_kunnen_wij_helpen_and_the_initiative_hears_it(demo_users):
    match = demo_match()
    at = open_page(demo_users["partner"], HELP)
    assert not at.exception
    page = everything_shown(at)
    # The partner reads the reasons about its own offer: its hall, their group.
    assert f"help_ask_{match.id}" in [b.key for b in at.button]
    assert "zij zijn met" in page and "jullie zijn met" not in page
    at.button(key=f"help_ask_{match.id}").click().run()
    assert not at.exception
    assert messages(at, "success") == [
        "Doorgegeven aan de buurtmakelaar: jullie willen kennismaken."
    ]
    after = demo_match()
    assert after.partner_asked_by_id == demo_users["partner"] and after.status == "suggested"

    news = open_page(demo_users["initiatief"], NEWS)
    assert not news.exception
    shown = everything_shown(news)
    assert "wil met jullie kennismaken" in shown
    mine = open_page(demo_users["initiatief"], MINE)
    assert any("wil graag met jullie kennismaken (vandaag)" in i.value for i in mine.info)


def test_a_partners_past_niet_takes_the_need_off_its_list(demo_users):
    match = demo_match()
    at = open_page(demo_users["partner"], HELP)
    at.selectbox(key=f"help_pass_why_{match.id}").set_value("andere dag of tijd nodig")
    at.button(key=f"help_pass_{match.id}").click().run()
    assert not at.exception
    after = demo_match()
    assert after.status == "declined" and after.passed_side == "partner"
    assert f"help_ask_{match.id}" not in [b.key for b in at.button]


def test_logging_in_opens_nieuw_voor_jullie(demo_users):
    add_broker("nieuwsmaker")
    at = submit_login(AppTest.from_file(str(APP), default_timeout=120).run(), "nieuwsmaker",
                      PASSWORD)  # fmt: skip
    assert not at.exception
    assert [t.value for t in at.title] == ["Nieuw voor jullie"]
    assert "suggesties" in everything_shown(at)  # the demo city's Lombok has new ones


def test_nothing_new_says_so_and_points_to_the_next_step():
    with db.unit_of_work(engine()) as session:  # a new organisation: nothing posted yet
        org = Organisation(name="Taalcafé Nieuw", neighbourhood="Lombok", role="initiative")
        session.add(org)
        session.flush()
        user = User(username="nieuw", role="initiative", organisation_id=org.id)
        session.add(user)
        session.flush()
        user_id = user.id
    at = open_page(user_id, NEWS)
    assert not at.exception
    assert [s.value for s in at.success] == ["Er is nu niets nieuws voor jullie."]
    assert [link.label for link in at.get("page_link")] == ["Vraag of aanbod plaatsen"]


def test_a_broker_chooses_both_yes_is_introduced_for_an_area(demo_users):
    match = demo_match()
    with Session(engine()) as session:
        need = session.get(Need, match.need_id)
        hood = session.get(Organisation, need.organisation_id).neighbourhood
    at = open_page(demo_users["makelaar"], REVIEW)
    at.selectbox(key="review_setting_area").set_value(hood).run()
    at.toggle(key=f"review_auto_{hood}").set_value(True).run()
    assert not at.exception
    with Session(engine()) as session:
        assert areas.auto_introduces(session, hood)
    # Both sides say yes: they are introduced, and the broker's first page says so.
    open_page(demo_users["partner"], HELP).button(key=f"help_ask_{match.id}").click().run()
    mine = open_page(demo_users["initiatief"], MINE)
    mine.button(key=f"mine_ask_{match.id}").click().run()
    assert not mine.exception
    assert any("Jullie zijn aan elkaar voorgesteld" in m for m in messages(mine, "success"))
    assert demo_match().status == "agreed"
    news = open_page(demo_users["makelaar"], NEWS)
    assert "Vanzelf aan elkaar voorgesteld" in [h.value for h in news.subheader]


SCORE = re.compile(r"\b[01][.,]\d{2}\b|\b[Ss]core\b")
ENGLISH_TERMS = re.compile(r"\b(bonding|bridging|linking)\b")
BROKEN = re.compile(r"\bnan\b|\bNone\b|\bNaT\b")


@pytest.mark.parametrize("language", ["Nederlands", "English"])
@pytest.mark.parametrize("who", ["initiatief", "partner"])
@pytest.mark.parametrize("page", [MINE, HELP, NEWS, "samenspel/web/views/partnerships.py"])
def test_pages_of_initiatives_and_partners_speak_plain_words(demo_users, language, who, page):
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, demo_users[who])
    at.run()
    at.selectbox(key="lang_choice").set_value(language).run()
    at.switch_page(page).run()
    assert not at.exception
    seen = everything_shown(at)
    visible = re.sub(
        r"(?m)^(Bonding|Bridging|Linking): .*$", "", seen
    )  # hover: the term, explained
    assert not SCORE.search(visible), SCORE.search(visible)
    assert not ENGLISH_TERMS.search(visible), ENGLISH_TERMS.search(visible)
    assert not BROKEN.search(seen), BROKEN.search(seen)
    if language == "English":
        left = [dutch for dutch in DUTCH_FRAGMENTS if dutch in seen]
        assert not left, left


def dutch_fragments() -> list[str]:
    """The fixed words of every message in the catalogue (the parts between placeholders, long
    enough not to be a name), where the English differs: on an English page, none may show."""
    from samenspel.catalogue import read_catalogue

    found = []
    for message in read_catalogue():
        if not message.id or not message.string:
            continue
        for part in re.split(r"\{[^}]*\}", message.id):
            part = part.strip(" .:,()*'")
            if len(part) >= 14 and part not in message.string:
                found.append(part)
    return found


DUTCH_FRAGMENTS = dutch_fragments()
