"""A need nothing fits well enough gets no poor suggestion: its initiative reads "nog geen
goede match" and its broker sees it as a gap to work on."""

from __future__ import annotations

from sqlmodel import Session, select

from samenspel.services import posts
from samenspel.services.scope import area_scope
from samenspel.storage import db
from samenspel.storage.models import Match
from samenspel.web import queries
from tests.integration.conftest import TODAY, work_out_suggestions
from tests.integration.test_flows import post_kitchen_need_and_hall


def gaps_for(world, area: str):
    with Session(world["engine"]) as session:
        return queries.broker_news(session, scope=area_scope("broker", (area,)), today=TODAY).gaps


def test_a_need_without_a_good_match_is_a_gap_for_its_broker_only(world):
    need_id, _hall = post_kitchen_need_and_hall(world)  # the hall fits: no gap
    with db.unit_of_work(world["engine"]) as session:
        # Near and free, but about something else: no suggestion for a beekeeping question.
        posts.create_offer(
            session=session,
            actor=world["actors"]["karim"],
            organisation_id=world["boog"],
            today=TODAY,
            form=posts.PostForm(
                kind="expertise",
                title="Hulp bij je belastingaangifte",
                description="Onze vrijwilligers vullen samen met jou de aangifte in.",
                distance_km=5,
            ),
        )
    work_out_suggestions(world)
    with db.unit_of_work(world["engine"]) as session:
        lonely = posts.create_need(
            session=session,
            actor=world["actors"]["anja"],
            organisation_id=world["pan"],
            today=TODAY,
            form=posts.PostForm(
                kind="expertise",
                title="Iemand die ons leert imkeren op het dak",
                description="Bijenkasten voor de buurt.",
            ),
        )
    work_out_suggestions(world)
    with Session(world["engine"]) as session:
        assert session.exec(select(Match).where(Match.need_id == lonely.id)).all() == []
    lombok = gaps_for(world, "Lombok")
    assert lombok["need_id"].tolist() == [lonely.id]
    assert lombok["initiative"].tolist() == ["Buurtkeuken De Pan"]
    assert need_id not in lombok["need_id"].tolist()
    assert gaps_for(world, "Zuilen").empty  # another broker's area
