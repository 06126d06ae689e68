"""Starting a partnership through the real pages: the broker introduces a suggestion, both sides
say yes on 'Mijn vragen en aanbod', the match is agreed, and only then does each side see the
other's contact details. Declining an introduction needs a reason and ends it."""

from __future__ import annotations

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from samenspel.storage import db
from samenspel.storage.models import Contact, Match, Need, Offer, Organisation, User
from tests.app.conftest import log_in, shown
from tests.conftest import APP

NEED_TITLE = "Plek om op dinsdagavond samen te koken"  # De Pan's venue need in the demo city
OFFER_TITLE = "Grote zaal met keuken op dinsdag- en woensdagavond"  # De Kade's hall


def engine():
    return db.engine_for(db.settings.database_url())


def open_page(user_id: int, path: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, user_id)
    at.run()
    return at.switch_page(path).run()


def demo_match(need_title: str = NEED_TITLE, offer_title: str = OFFER_TITLE) -> Match:
    with Session(engine()) as session:
        return session.exec(
            select(Match)
            .join(Need, Match.need_id == Need.id)
            .join(Offer, Match.offer_id == Offer.id)
            .where(Need.title == need_title, Offer.title == offer_title)
        ).one()


def contact_of(user_id: int) -> tuple[str, Contact]:
    """The organisation name and contact person of a demo account's organisation."""
    with Session(engine()) as session:
        organisation = session.get(Organisation, session.get(User, user_id).organisation_id)
        contact = session.exec(
            select(Contact).where(Contact.organisation_id == organisation.id)
        ).one()
        return organisation.name, contact


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def messages(at: AppTest, kind: str) -> list[str]:
    return [shown(e.value) for e in at.get(kind)]


def introduce_on_the_review_page(broker_id: int, match: Match) -> None:
    at = open_page(broker_id, "samenspel/web/views/review.py")
    # Like a broker would: narrow the queue to the initiative's neighbourhood and the kind.
    with Session(engine()) as session:
        need = session.get(Need, match.need_id)
        hood = session.get(Organisation, need.organisation_id).neighbourhood
    at.selectbox(key="review_kind").set_value(need.kind).run()
    at.selectbox(key="review_hood").set_value(hood).run()
    at.button(key=f"review_ok_{match.id}").click().run()
    assert not at.exception
    assert messages(at, "success") == ["1 voorgesteld aan elkaar."]
    assert demo_match().status == "introduced"


def say_yes(user_id: int, match_id: int) -> AppTest:
    at = open_page(user_id, "samenspel/web/views/mine.py")
    at.button(key=f"mine_yes_{match_id}").click().run()
    assert not at.exception
    assert "Je hebt 'ja' gezegd." in messages(at, "success")
    return at


def reveal_contact(at: AppTest, match_id: int) -> str:
    at.button(key=f"mine_contact_{match_id}").click().run()
    assert not at.exception
    assert messages(at, "error") == []
    (card,) = [value for value in texts(at) if "@" in value]
    return card


def test_both_sides_say_yes_and_then_each_sees_the_others_contact(demo_users):
    match = demo_match()
    assert match.status == "suggested"
    introduce_on_the_review_page(demo_users["makelaar"], match)

    # The initiative says yes first: no contact details yet, it waits for the partner.
    initiative = say_yes(demo_users["initiatief"], match.id)
    assert "Jullie zeiden ja. We wachten op de andere kant." in [
        c.value for c in initiative.caption
    ]
    assert not [b for b in initiative.button if b.key == f"mine_contact_{match.id}"]
    assert not [value for value in texts(initiative) if "@" in value]
    after_first_yes = demo_match()
    assert (after_first_yes.status, after_first_yes.initiative_agreed) == ("introduced", True)

    # The partner's yes makes it a partnership; the partner sees the initiative's contact.
    partner = say_yes(demo_users["partner"], match.id)
    agreed = demo_match()
    assert (agreed.status, agreed.initiative_agreed, agreed.partner_agreed) == (
        "agreed",
        True,
        True,
    )
    name, contact = contact_of(demo_users["initiatief"])
    card = reveal_contact(partner, match.id)
    assert card.splitlines() == [name, contact.person, contact.email, contact.phone]

    # And the initiative sees the partner's contact.
    initiative = open_page(demo_users["initiatief"], "samenspel/web/views/mine.py")
    name, contact = contact_of(demo_users["partner"])
    card = reveal_contact(initiative, match.id)
    assert card.splitlines() == [name, contact.person, contact.email, contact.phone]


def test_declining_an_introduction_needs_a_reason_and_ends_it(demo_users):
    match = demo_match()
    introduce_on_the_review_page(demo_users["makelaar"], match)
    at = open_page(demo_users["partner"], "samenspel/web/views/mine.py")

    at.button(key=f"mine_no_{match.id}").click().run()  # no reason typed
    assert messages(at, "error") == ["Geef een reden op."]
    assert demo_match().status == "introduced"

    at.text_input(key=f"mine_reason_{match.id}").input("Die avond is de zaal al verhuurd")
    at.button(key=f"mine_no_{match.id}").click().run()
    assert not at.exception
    assert "Je hebt 'nee' gezegd." in messages(at, "success")
    declined = demo_match()
    assert declined.status == "declined"
    assert declined.decision_reason == "partner: Die avond is de zaal al verhuurd"
    # Nothing left to answer, and the other side cannot say yes to it any more.
    assert not [b for b in at.button if b.key in (f"mine_yes_{match.id}", f"mine_no_{match.id}")]
    initiative = open_page(demo_users["initiatief"], "samenspel/web/views/mine.py")
    assert not [b for b in initiative.button if b.key == f"mine_yes_{match.id}"]


def test_an_introduction_that_waits_for_an_answer_comes_before_the_posts(demo_users):
    """On a phone a long list of posts would push it out of sight: what waits comes first."""
    match = demo_match()
    before = open_page(demo_users["partner"], "samenspel/web/views/mine.py")
    assert top_level_order(before).index("tabs") < top_level_order(before).index("introductions")
    introduce_on_the_review_page(demo_users["makelaar"], match)
    waiting = open_page(demo_users["partner"], "samenspel/web/views/mine.py")
    assert top_level_order(waiting).index("introductions") < top_level_order(waiting).index("tabs")
    answered = say_yes(demo_users["partner"], match.id)
    assert top_level_order(answered).index("tabs") < top_level_order(answered).index(
        "introductions"
    )


def top_level_order(at: AppTest) -> list[str]:
    """The page's main blocks in order: "introductions" (its header), "tabs", others."""
    order = []
    for node in at.main.children.values():
        if getattr(node, "type", "") == "tab_container":
            order.append("tabs")
        elif getattr(node, "value", None) == "Voorstellen aan elkaar":
            order.append("introductions")
        else:
            order.append("other")
    return order
