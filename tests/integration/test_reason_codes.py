"""Stored reasons are codes, written out in each reader's language: migration 0008 converts
old rows (and back), and every place that shows a stored match's reasons follows the reader.
On SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session, select

from samenspel.i18n import set_language
from samenspel.matching.reasons import Reason, legacy, render_all, render_stored, to_data
from samenspel.services import privacy, transfer
from samenspel.storage import db
from samenspel.storage.models import Match, Need, Offer, Organisation
from samenspel.web import queries
from tests.integration.conftest import insert_as_of_now
from tests.integration.test_flows import post_kitchen_need_and_hall, suggestion_for

# As 0001..0007 stored them: Dutch in `reasons`, English in `reasons_en`.
BOTH = (["dinsdagavond beschikbaar", "ruimte voor 40, jullie zijn met 30"],
        ["available Tuesday evening", "room for 40, you are 30"])  # fmt: skip
DUTCH_ONLY = (["jullie noemen allebei 'koken'"], [])  # a row from before 0004
UNEVEN = (["1,2 km verderop", "stoelen"], ["chairs"])
CODED = [
    Reason("distance", {"km": 1.2}),
    Reason("same_words", {"word": "{koken}"}),  # user text with braces stays text
    Reason("money_fit", {"low": 0, "high": 2500, "amount": 1234.5}),
]

MATCH = sa.table(
    "match",
    sa.column("id", sa.Integer()),
    sa.column("reasons", sa.JSON()),
    sa.column("reasons_en", sa.JSON()),
)


@pytest.fixture
def database(empty_database_url):
    engine = db.make_engine(empty_database_url)
    yield engine
    engine.dispose()


def to(engine, revision: str) -> None:
    if db.current_revision(engine) and revision < db.current_revision(engine):
        command.downgrade(db.alembic_config(engine), revision)
    else:
        db.upgrade(engine, revision)


def add_matches(engine, count: int) -> list[int]:
    """`count` matches on one need, with the columns the database has at its revision (not
    reasons_en, which the caller writes with plain SQL)."""
    with Session(engine) as session:
        org_id = insert_as_of_now(
            session, Organisation(name="Buurtkeuken De Pan", legal_form="informal")
        )
        need_id = insert_as_of_now(
            session, Need(organisation_id=org_id, kind="venue", title="Plek om te koken")
        )
        ids = []
        for number in range(count):
            offer_id = insert_as_of_now(
                session, Offer(organisation_id=org_id, kind="venue", title=f"Zaal {number}")
            )
            match = Match(need_id=need_id, offer_id=offer_id, score=0.5, status="introduced")
            ids.append(insert_as_of_now(session, match))  # not reasons_en: the caller writes it
        session.commit()
    return ids


def stored(engine, *, with_english: bool) -> dict[int, tuple]:
    columns = [MATCH.c.id, MATCH.c.reasons] + ([MATCH.c.reasons_en] if with_english else [])
    with engine.connect() as connection:
        rows = connection.execute(sa.select(*columns).order_by(MATCH.c.id)).all()
    return {row.id: tuple(row)[1:] for row in rows}


def test_0008_keeps_old_sentences_readable_and_downgrade_gives_them_back(database):
    to(database, "0007")
    ids = add_matches(database, 3)
    rows = dict(zip(ids, (BOTH, DUTCH_ONLY, UNEVEN), strict=True))
    with database.begin() as connection:
        for match_id, (dutch, english) in rows.items():
            connection.execute(
                MATCH.update().where(MATCH.c.id == match_id).values(reasons=dutch, reasons_en=english)
            )  # fmt: skip

    to(database, "0008")

    assert "reasons_en" not in {c["name"] for c in sa.inspect(database).get_columns("match")}
    after = stored(database, with_english=False)
    both, dutch_only, uneven = (after[match_id][0] for match_id in ids)
    assert both == to_data(
        [legacy("dinsdagavond beschikbaar", "available Tuesday evening"),
         legacy("ruimte voor 40, jullie zijn met 30", "room for 40, you are 30")]
    )  # fmt: skip
    assert render_stored(both, "en") == BOTH[1] and render_stored(both, "nl") == BOTH[0]
    # Without English, an English reader sees the Dutch, as before 0008.
    assert render_stored(dutch_only, "en") == DUTCH_ONLY[0]
    assert render_stored(uneven, "nl") == UNEVEN[0]

    to(database, "0007")

    assert stored(database, with_english=True) == {
        match_id: (dutch, english) for match_id, (dutch, english) in rows.items()
    }


def test_downgrading_0008_writes_coded_reasons_out_in_both_languages(database):
    to(database, "0008")
    (match_id,) = add_matches(database, 1)
    with database.begin() as connection:
        connection.execute(
            MATCH.update().where(MATCH.c.id == match_id).values(reasons=to_data(CODED))
        )

    to(database, "0007")

    dutch, english = stored(database, with_english=True)[match_id]
    assert dutch == ["1,2 km verderop", "jullie noemen allebei '{koken}'",
                     "geeft EUR 0 tot 2.500; jullie vragen EUR 1.234,50"]  # fmt: skip
    assert english == ["1.2 km away", "you both mention '{koken}'",
                       "gives EUR 0 to 2,500; you ask EUR 1,234.50"]  # fmt: skip

    to(database, "0008")  # and up again: the same words, now as legacy reasons

    (reasons,) = stored(database, with_english=False)[match_id]
    assert render_stored(reasons, "nl") == render_all(CODED, "nl")
    assert render_stored(reasons, "en") == render_all(CODED, "en")


@pytest.fixture
def english_reader():
    set_language("en")
    yield
    set_language("nl")


def test_a_suggestion_stored_once_is_read_in_the_readers_language(world, english_reader):
    need_id, hall_id = post_kitchen_need_and_hall(world)
    match = suggestion_for(world, need_id, hall_id)
    assert all(set(item) == {"code", "params"} for item in match.reasons)  # codes, no words
    assert "ruimte voor 40, jullie zijn met 30" in render_stored(match.reasons, "nl")

    with Session(world["engine"]) as session:
        shown = queries.matches_of_organisation(session, world["pan"])
        exported = transfer.export_matches(session)
        download = json.loads(
            privacy.export_organisation(
                session=session, actor=world["actors"]["anja"], organisation_id=world["pan"]
            )
        )
    (row,) = shown[shown["match_id"] == match.id].itertuples()
    assert "room for 40, you are 30" in row.reasons
    assert "available Tuesday evening" in row.reasons
    assert not any("jullie" in reason for reason in row.reasons)
    # The export is for staff: the broker's words, which name the side.
    assert "room for 40, the initiative is 30" in " ".join(exported["reasons"])
    (downloaded,) = [m for m in download["matches"] if m["id"] == match.id]
    assert "room for 40, you are 30" in downloaded["reasons"]

    set_language("nl")
    with Session(world["engine"]) as session:
        shown = queries.matches_of_organisation(session, world["pan"])
    (row,) = shown[shown["match_id"] == match.id].itertuples()
    assert "ruimte voor 40, jullie zijn met 30" in row.reasons


def test_a_partners_offer_of_help_is_stored_as_codes(world):
    from samenspel.services import matches

    with Session(world["engine"]) as session:
        offer = Offer(organisation_id=world["boog"], kind="venue", title="Zaal met keuken",
                      capacity=40, lat=52.0935, lon=5.104)  # fmt: skip
        need = Need(organisation_id=world["pan"], kind="venue", title="Plek om te koken",
                    people=30, lat=52.092, lon=5.101)  # fmt: skip
        session.add_all([offer, need])
        session.commit()
        offer_id, need_id = offer.id, need.id
    with db.unit_of_work(world["engine"]) as session:
        matches.offer_help(
            session=session, actor=world["actors"]["karim"], need_id=need_id, offer_id=offer_id
        )
    with Session(world["engine"]) as session:
        match = session.exec(select(Match).where(Match.need_id == need_id)).one()
    assert match.origin == "partner"
    assert all(set(item) == {"code", "params"} for item in match.reasons)
    assert "room for 40, you are 30" in render_stored(match.reasons, "en")
    assert "ruimte voor 40, jullie zijn met 30" in render_stored(match.reasons, "nl")
