"""The conversation of an introduction through the real pages: the initiative writes on "Mijn
vragen en aanbod" (markdown and HTML in it show as typed), the partner reads it on
"Samenwerkingen" and reports it to the broker, who sees it marked and answers; an empty message
is refused under the box and nothing is stored."""

from __future__ import annotations

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from samenspel.services import matches
from samenspel.services.permissions import Actor
from samenspel.storage import db
from samenspel.storage.models import ConversationMessage, Notification, User
from tests.app.conftest import log_in, shown
from tests.app.test_flow_partnership import demo_match
from tests.conftest import APP

# Markdown, HTML and LaTeX a page would render if it were not shown as text.
TRICKY = "**Vet** <b>html</b> ![plaatje](https://example.org/x.png) $x^2$ [link](javascript:x)"


def engine():
    return db.engine_for(db.settings.database_url())


def open_page(user_id: int, path: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, user_id)
    at.run()
    return at.switch_page(path).run()


def introduce_demo_match(broker_id: int) -> int:
    """De Pan's venue need and De Kade's hall, introduced by the demo broker."""
    match = demo_match()
    with db.unit_of_work(engine()) as session:
        broker = session.get(User, broker_id)
        actor = Actor(broker.id, broker.role, None, tuple(broker.areas.split(";")), "makelaar")
        matches.introduce(session=session, actor=actor, match_id=match.id,
                          seen_version=match.version)  # fmt: skip
    return match.id


def expander_labels(at: AppTest) -> list[str]:
    return [e.label for e in at.expander]


def messages_stored() -> list[ConversationMessage]:
    with Session(engine()) as session:
        return list(session.exec(select(ConversationMessage).order_by(ConversationMessage.id)))


def every_markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown] + [c.value for c in at.caption]


def test_write_read_report_and_answer_through_the_pages(demo_users):
    match_id = introduce_demo_match(demo_users["makelaar"])

    # The initiative writes on its card under "Voorstellen aan elkaar".
    mine = open_page(demo_users["initiatief"], "samenspel/web/views/mine.py")
    assert "Gesprek (0)" in expander_labels(mine)
    mine.text_area(key=f"mine_talk_{match_id}_body").input(TRICKY).run()
    mine.button(key=f"mine_talk_{match_id}_send").click().run()
    assert not mine.exception
    assert "Verstuurd." in [s.value for s in mine.success]
    assert "Gesprek (1)" in expander_labels(mine)
    assert TRICKY in [t.value for t in mine.text]  # as text, exactly as typed
    assert mine.text_area(key=f"mine_talk_{match_id}_body").value == ""  # the box is empty again
    (message,) = messages_stored()
    assert message.body == TRICKY and message.author_id == demo_users["initiatief"]
    # Nothing of it went through markdown (a rendered image or bold would be markup).
    assert not [m for m in every_markdown(mine) if "plaatje" in m or "<b>" in m]

    # The partner hears of it, and reads it on "Samenwerkingen" under the initiative's name.
    with Session(engine()) as session:
        heard = session.exec(
            select(Notification).where(
                Notification.user_id == demo_users["partner"], Notification.kind == "message"
            )
        ).all()
    assert len(heard) == 1
    partner = open_page(demo_users["partner"], "samenspel/web/views/partnerships.py")
    assert "Gesprek (1)" in expander_labels(partner)
    assert TRICKY in [t.value for t in partner.text]
    assert any(shown(c.value).startswith("Buurtkeuken De Pan · ") for c in partner.caption)
    partner.text_input(key=f"partners_talk_{match_id}_why_{message.id}").input("Raar").run()
    partner.button(key=f"partners_talk_{match_id}_report_{message.id}").click().run()
    assert not partner.exception
    assert "Gemeld. De buurtmakelaar kijkt ernaar." in [s.value for s in partner.success]
    # Reported once: its button is gone.
    assert not [b for b in partner.button if b.key == f"partners_talk_{match_id}_report_{message.id}"]  # fmt: skip

    # The broker sees it marked, and answers.
    broker = open_page(demo_users["makelaar"], "samenspel/web/views/partnerships.py")
    assert "Gesprek (1, 1 gemeld)" in expander_labels(broker)
    assert any("gemeld bij de buurtmakelaar" in c.value for c in broker.caption)
    broker.text_area(key=f"partners_talk_{match_id}_body").input("Ik bel jullie allebei even.").run()  # fmt: skip
    broker.button(key=f"partners_talk_{match_id}_send").click().run()
    assert not broker.exception
    assert [m.body for m in messages_stored()][-1] == "Ik bel jullie allebei even."

    mine = open_page(demo_users["initiatief"], "samenspel/web/views/mine.py")
    assert "Gesprek (2)" in expander_labels(mine)  # the sides do not see the report count
    assert any(shown(c.value).startswith("buurtmakelaar ") for c in mine.caption)


def test_an_empty_message_is_refused_under_the_box_and_nothing_is_stored(demo_users):
    match_id = introduce_demo_match(demo_users["makelaar"])
    at = open_page(demo_users["partner"], "samenspel/web/views/partnerships.py")
    at.text_area(key=f"partners_talk_{match_id}_body").input("   ").run()
    at.button(key=f"partners_talk_{match_id}_send").click().run()
    assert not at.exception
    assert "Schrijf eerst een bericht." in [shown(e.value) for e in at.error]
    assert messages_stored() == []


def test_a_suggestion_has_no_conversation_yet(demo_users):
    match_id = demo_match().id  # still a suggestion: no card under "Voorstellen aan elkaar"
    at = open_page(demo_users["initiatief"], "samenspel/web/views/mine.py")
    assert not at.exception
    assert not [w for w in at.text_area if w.key == f"mine_talk_{match_id}_body"]
