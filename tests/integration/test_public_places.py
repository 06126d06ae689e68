"""Distances that others read are measured from the public point of an informal group (the
centre of its neighbourhood), never from its home: two or three distances would locate it."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import Session

from samenspel.matching.geo import default_gazetteer, haversine_km
from samenspel.matching.reasons import render_stored
from samenspel.services.suggestions import need_in, offer_in
from samenspel.storage.models import Match, Need, Offer, Organisation
from tests.integration.conftest import insert_as_of_now
from tests.integration.test_flows import post_kitchen_need_and_hall, suggestion_for


def lombok_centre():
    hood = next(p for p in default_gazetteer().neighbourhoods if p.name == "Lombok")
    return hood.lat, hood.lon


def test_the_engine_sees_an_informal_group_at_its_neighbourhood_centre(world):
    with Session(world["engine"]) as session:
        pan = session.get(Organisation, world["pan"])  # informal, at a home in Lombok
        boog = session.get(Organisation, world["boog"])  # a foundation: its real address
        need = Need(organisation_id=pan.id, kind="venue", title="Plek", lat=pan.lat, lon=pan.lon)
        assert (need_in(need, pan).lat, need_in(need, pan).lon) == lombok_centre()
        assert (pan.lat, pan.lon) != lombok_centre()
        offer = Offer(organisation_id=boog.id, kind="venue", title="Zaal")
        assert (offer_in(offer, boog).lat, offer_in(offer, boog).lon) == (boog.lat, boog.lon)


def test_the_distance_in_a_reason_is_the_one_the_map_shows(world):
    need_id, hall_id = post_kitchen_need_and_hall(world)
    match = suggestion_for(world, need_id, hall_id)
    with Session(world["engine"]) as session:
        boog = session.get(Organisation, world["boog"])
    public_km = haversine_km(*lombok_centre(), boog.lat, boog.lon)
    shown = [r for r in render_stored(match.reasons, "nl") if "km" in r]
    assert shown, match.reasons
    number = float(re.search(r"(\d+(?:,\d+)?) km", shown[0]).group(1).replace(",", "."))
    assert abs(number - public_km) <= 0.1


def test_the_migration_drops_distances_stored_from_an_informal_groups_home(empty_database_url):
    """Reasons stored before 0006 measured from the exact place; they lose that reason, and
    reasons of formal organisations keep theirs."""

    from samenspel.storage import db

    engine = db.make_engine(empty_database_url)
    try:
        # 0006 changes data only. Its match rows are written with plain SQL: 0005's table has
        # reasons_en (from 0004 until 0008) and not yet the columns of 0010 and 0011.
        db.upgrade(engine, "0005")
        match_defaults = Match(need_id=0, score=0.5, status="introduced")
        later = {
            "initiative_asked_at",
            "initiative_asked_by_id",
            "partner_asked_at",
            "partner_asked_by_id",
            "asked_sides",
            "passed_at",
            # and those of 0011
            "passed_side",
            "auto_introduced",
            "initiative_brings",
            "partner_brings",
            "id",
        }
        OLD_MATCH_COLUMNS = [c for c in Match.__table__.columns if c.name not in later]  # noqa: N806
        both = sa.table("match", sa.column("id", sa.Integer()), sa.column("reasons", sa.JSON()),
                        sa.column("reasons_en", sa.JSON()))  # fmt: skip
        with Session(engine) as session:
            home = Organisation(name="Thuis", legal_form="informal", neighbourhood="Lombok")
            formal = Organisation(name="Stichting", legal_form="foundation", neighbourhood="Lombok")
            for org in (home, formal):
                org_id = insert_as_of_now(session, org)
                need_id = insert_as_of_now(
                    session, Need(organisation_id=org_id, kind="goods", title="Stoelen")
                )
                # Every column of 0005's match (today's model has later ones: 0010).
                row = {
                    c.name: getattr(match_defaults, c.name)
                    for c in OLD_MATCH_COLUMNS
                    if c.name not in ("need_id", "reasons")
                }
                session.execute(
                    sa.table("match", *(sa.column(c.name, c.type) for c in OLD_MATCH_COLUMNS),
                             sa.column("reasons_en", sa.JSON()))
                    .insert()
                    .values(**row, need_id=need_id, reasons=["0,1 km verderop", "stoelen"],
                            reasons_en=["0.1 km away", "chairs"])
                )  # fmt: skip
            session.commit()
        db.upgrade(engine, "0006")
        with engine.connect() as connection:
            rows = connection.execute(sa.select(both)).all()
        stored = {row.id: (row.reasons, row.reasons_en) for row in rows}
        assert stored[1] == (["stoelen"], ["chairs"])
        assert stored[2] == (["0,1 km verderop", "stoelen"], ["0.1 km away", "chairs"])
    finally:
        engine.dispose()
