"""The page reads show exactly what the permission check lets the viewer act on: the same
scope (services/scope.py) filters both. Before, an empty list of areas was "nowhere" to the
check and "everywhere" to the reads, so a broker without areas saw every area's queue."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from samenspel.services.permissions import PUBLIC, Actor, covers_area
from samenspel.services.scope import ALL_AREAS, NO_AREAS, Areas, exact_place_scope
from samenspel.services.suggestions import recommended_plan
from samenspel.storage.models import Match, Need, Offer, Organisation
from samenspel.web import queries

VIEWERS = ["public", "anja", "karim", "sanne", "noord", "no_areas", "elsewhere", "admin"]


def _viewer(world, who: str) -> Actor:
    if who == "public":
        return PUBLIC
    if who == "no_areas":  # a broker whose areas were all taken away
        return Actor(user_id=9001, role="broker", areas=())
    if who == "elsewhere":  # a broker of an area with no organisation in it
        return Actor(user_id=9002, role="broker", areas=("Overvecht",))
    return world["actors"][who]


@pytest.fixture
def city(world):
    """Per organisation (Lombok, Zuilen, and one with no neighbourhood): an open venue need, an
    open money need, and a match of the venue need with De Boog's hall in each status."""
    with Session(world["engine"]) as session:
        loose = Organisation(name="Zonder buurt", role="initiative", legal_form="informal",
                             lat=52.08, lon=5.12)  # fmt: skip
        session.add(loose)
        session.flush()
        hall = Offer(organisation_id=world["boog"], kind="venue", title="Zaal", capacity=40,
                     lat=52.0935, lon=5.1040)  # fmt: skip
        session.add(hall)
        session.flush()
        for org_id in (world["pan"], world["other"], loose.id):
            session.add(Need(organisation_id=org_id, kind="money", title="Geld", amount_eur=500))
            for status in ("suggested", "introduced", "agreed", "active", "done", "rejected"):
                need = Need(organisation_id=org_id, kind="venue", title=f"Plek {status}",
                            people=20, status="open" if status == "suggested" else "matched")  # fmt: skip
                session.add(need)
                session.flush()
                session.add(Match(need_id=need.id, offer_id=hall.id, score=0.7, status=status))
        session.commit()
    return world


def _allowed_matches(world, actor: Actor, statuses) -> set[int]:
    """What the permission check lets `actor` decide on or follow up, match by match."""
    with Session(world["engine"]) as session:
        rows = session.exec(
            select(Match.id, Organisation.neighbourhood)
            .join(Need, Match.need_id == Need.id)
            .join(Organisation, Need.organisation_id == Organisation.id)
            .where(Match.status.in_(statuses))
        ).all()
    return {match_id for match_id, hood in rows if covers_area(actor, hood)}


@pytest.mark.parametrize("who", VIEWERS)
def test_the_review_queue_holds_exactly_the_suggestions_the_viewer_may_decide(city, who):
    actor = _viewer(city, who)
    for status in ("suggested", "introduced", "rejected"):
        with Session(city["engine"]) as session:
            queue, total = queries.review_queue(
                session, scope=actor.scope, status=status, per_page=100
            )
        assert set(queue["match_id"]) == _allowed_matches(city, actor, [status])
        assert total == len(queue)


@pytest.mark.parametrize("who", ["sanne", "admin"])
def test_the_queues_count_is_its_rows_whatever_the_filters(city, who):
    """The count is its own query (queries.count_matches): it must agree with the rows."""
    with Session(city["engine"]) as session:
        asked = session.exec(select(Match).where(Match.status == "suggested")).first()
        asked.asked_sides = 2
        session.add(asked)
        session.commit()
    actor = _viewer(city, who)
    for kind in ("", "venue", "money"):
        for hood in ("", "Lombok", "Zuilen"):
            for group in queries.ASKED_GROUPS:
                with Session(city["engine"]) as session:
                    queue, total = queries.review_queue(session, scope=actor.scope, kind=kind,
                                                        neighbourhood=hood, asked=group, per_page=100)  # fmt: skip
                assert total == len(queue), (kind, hood, group)
    with Session(city["engine"]) as session:
        assert queries.asked_waiting(session, scope=actor.scope) == len(
            queries.review_queue(session, scope=actor.scope, asked="asked", per_page=100)[0]
        )


@pytest.mark.parametrize("who", VIEWERS)
def test_the_partnerships_list_holds_exactly_those_the_viewer_may_act_on(city, who):
    actor = _viewer(city, who)
    with Session(city["engine"]) as session:
        rows = queries.partnerships(session, scope=actor.scope)
    under_way = ["introduced", "agreed", "active", "done"]
    assert set(rows["match_id"]) == _allowed_matches(city, actor, under_way)


@pytest.mark.parametrize("who", VIEWERS)
def test_the_money_needs_of_staff_are_exactly_those_in_their_areas(city, who):
    actor = _viewer(city, who)
    with Session(city["engine"]) as session:
        listed = set(queries.money_needs(session, scope=actor.scope)["id"])
        money = session.exec(
            select(Need.id, Organisation.neighbourhood)
            .join(Organisation)
            .where(Need.kind == "money", Need.status == "open")
        ).all()
    assert listed == {need_id for need_id, hood in money if covers_area(actor, hood)}


def test_a_broker_without_areas_sees_nothing_of_others_and_an_administrator_everything(city):
    nobody = _viewer(city, "no_areas")
    with Session(city["engine"]) as session:
        queue, total = queries.review_queue(session, scope=nobody.scope)
        assert (len(queue), total) == (0, 0)
        assert queries.partnerships(session, scope=nobody.scope).empty
        assert queries.money_needs(session, scope=nobody.scope).empty
        assert recommended_plan(session, scope=nobody.scope).empty
        # The administrator: all three organisations, the one without a neighbourhood too.
        _, total = queries.review_queue(session, scope=ALL_AREAS)
        assert total == 3
        assert len(queries.money_needs(session, scope=ALL_AREAS)) == 3
        assert not recommended_plan(session, scope=ALL_AREAS).empty


def test_the_recommended_plan_keeps_to_the_scope(city):
    sanne = city["actors"]["sanne"]
    with Session(city["engine"]) as session:
        plan = recommended_plan(session, scope=sanne.scope)
        lombok = set(
            session.exec(
                select(Organisation.name).where(Organisation.neighbourhood == "Lombok")
            ).all()
        )
    assert not plan.empty and set(plan["initiative"]) <= lombok


@pytest.mark.parametrize("who", VIEWERS)
def test_the_map_shows_informal_groups_exactly_only_where_the_viewer_brokers(city, who):
    actor = _viewer(city, who)
    exact = exact_place_scope(actor.role, actor.areas)
    with Session(city["engine"]) as session:
        session.add(Need(organisation_id=city["pan"], kind="goods", title="Thuis", lat=52.0920,
                         lon=5.1010))  # fmt: skip
        session.add(Need(organisation_id=city["other"], kind="goods", title="Thuis", lat=52.105,
                         lon=5.095))  # fmt: skip
        session.commit()
        points = queries.map_points(session, exact_in=exact)
    homes = points[points["title"] == "Thuis"]
    assert len(homes) == 2
    for home in homes.itertuples():
        # Only a broker, only in their own area; never the administrator's map.
        expected_exact = actor.role == "broker" and covers_area(actor, home.neighbourhood)
        assert home.blurred is (not expected_exact)


def test_no_areas_is_never_read_as_no_filter(city):
    """The old meaning of an empty list ("all") is gone from every read that takes a scope."""
    with Session(city["engine"]) as session:
        assert queries.review_queue(session, scope=NO_AREAS)[1] == 0
        assert queries.review_queue(session, scope=Areas.of("Lombok"))[1] == 1
        assert queries.partnerships(session).empty  # no organisation and no scope: nothing
