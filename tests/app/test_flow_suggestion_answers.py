"""An initiative answers its own suggestions on 'Mijn vragen en aanbod' ("Ja, hier willen we
mee kennismaken", "Past niet"), and the broker's queue shows what people asked for first, with
who asked and since when."""

from __future__ import annotations

from sqlmodel import Session, select

from samenspel.services import matches, suggestions
from samenspel.services.permissions import Actor
from samenspel.storage import db
from samenspel.storage.models import Match, Need, Offer, User
from tests.app.test_flow_partnership import demo_match, engine, messages, open_page


def card_order(at) -> list[int]:
    """The match ids of the review page's cards, top to bottom."""
    return [
        int(b.key.removeprefix("review_ok_")) for b in at.button if b.key.startswith("review_ok_")
    ]


def member(session, organisation_id: int) -> Actor:
    """Someone of this organisation (made for the test when the demo city has nobody)."""
    user = session.exec(select(User).where(User.organisation_id == organisation_id)).first()
    if user is None:
        user = User(
            username=f"lid{organisation_id}", role="partner", organisation_id=organisation_id
        )
        session.add(user)
        session.flush()
    return Actor(user_id=user.id, role=user.role, organisation_id=organisation_id)


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def test_the_initiatives_yes_goes_to_the_top_of_the_brokers_queue(demo_users):
    match = demo_match()
    assert match.status == "suggested" and match.asked_sides == 0
    at = open_page(demo_users["initiatief"], "samenspel/web/views/mine.py")
    at.button(key=f"mine_ask_{match.id}").click().run()
    assert not at.exception
    assert "Doorgegeven aan de buurtmakelaar: jullie willen kennismaken." in messages(at, "success")
    after = demo_match()
    assert after.status == "suggested" and after.asked_sides == 1
    assert after.initiative_asked_by_id == demo_users["initiatief"]
    # The answer is given: the buttons are gone, the page says what happens next.
    assert not [b for b in at.button if b.key == f"mine_ask_{match.id}"]
    assert any("Jullie vroegen om kennis te maken (vandaag)" in c for c in captions(at))

    review = open_page(demo_users["makelaar"], "samenspel/web/views/review.py")
    assert not review.exception
    assert card_order(review)[0] == match.id
    assert any("1 voorstellen waar een initiatief of partner zelf om vroeg" in c
               for c in captions(review))  # fmt: skip
    assert "**Gevraagd door het initiatief, vandaag**" in [m.value for m in review.markdown]
    review.selectbox(key="review_asked").set_value("engine").run()
    assert match.id not in card_order(review) and card_order(review)
    review.selectbox(key="review_asked").set_value("one").run()
    assert card_order(review) == [match.id]


def test_the_initiatives_no_takes_it_off_their_list_and_a_refresh_does_not_bring_it_back(
    demo_users,
):
    match = demo_match()
    at = open_page(demo_users["initiatief"], "samenspel/web/views/mine.py")
    at.selectbox(key=f"mine_pass_why_{match.id}").set_value("we hebben dit al geregeld")
    at.text_input(key=f"mine_pass_note_{match.id}").input("<b>De buurman</b> helpt al")
    at.button(key=f"mine_pass_{match.id}").click().run()
    assert not at.exception
    assert "Jullie zeiden dat dit niet past. Samenspel stelt dit niet meer voor." in messages(
        at, "success"
    )
    after = demo_match()
    assert after.status == "declined" and after.passed_at is not None
    assert (
        after.decision_reason == "initiative: we hebben dit al geregeld. <b>De buurman</b> helpt al"
    )
    assert not [b for b in at.button if b.key in (f"mine_ask_{match.id}", f"mine_pass_{match.id}")]

    with db.unit_of_work(engine()) as session:  # the need's suggestions are computed again
        suggestions.refresh_for_need(session, match.need_id)
    with Session(engine()) as session:
        pair = session.exec(
            select(Match).where(Match.need_id == match.need_id, Match.offer_id == match.offer_id)
        ).all()
    assert [(m.id, m.status) for m in pair] == [(match.id, "declined")]
    again = open_page(demo_users["initiatief"], "samenspel/web/views/mine.py")
    assert not [b for b in again.button if b.key == f"mine_ask_{match.id}"]

    review = open_page(demo_users["makelaar"], "samenspel/web/views/review.py")
    assert match.id not in card_order(review)
    review.selectbox(key="review_status").set_value("declined").run()
    said = [c for c in captions(review) if "Past niet" in c]
    # The typed text is data: shown escaped, never as markup.
    assert (
        said and "we hebben dit al geregeld" in said[0] and "<b>" not in said[0].replace("\\<", "")
    )


def test_the_queue_puts_both_sides_first_then_one_side_then_the_engines_by_score(demo_users):
    review = open_page(demo_users["makelaar"], "samenspel/web/views/review.py")
    by_score = card_order(review)
    assert len(by_score) >= 3
    first, second, third = by_score[:3]
    with db.unit_of_work(engine()) as session:  # two suggestions further down get asked
        for match_id, sides in ((third, ("partner", "initiative")), (second, ("partner",))):
            m = session.get(Match, match_id)
            need, offer = session.get(Need, m.need_id), session.get(Offer, m.offer_id)
            for side in sides:
                if side == "partner":
                    matches.offer_help(session=session, actor=member(session, offer.organisation_id),
                                       need_id=need.id, offer_id=offer.id)  # fmt: skip
                else:
                    matches.ask_for_introduction(session=session, match_id=match_id,
                                                 actor=member(session, need.organisation_id))  # fmt: skip
    review = open_page(demo_users["makelaar"], "samenspel/web/views/review.py")
    assert not review.exception
    assert card_order(review)[:3] == [third, second, first]
    shown = [m.value for m in review.markdown if "Gevraagd door" in m.value]
    assert shown[0].startswith("**Gevraagd door beide kanten: het initiatief vandaag")
    assert shown[1] == "**Gevraagd door de partner, vandaag**"
    review.selectbox(key="review_asked").set_value("both").run()
    assert card_order(review) == [third]
