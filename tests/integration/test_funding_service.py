"""The fund catalogue in the database, and plans for stored money needs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from samenspel.matching.funds import load_catalogue
from samenspel.matching.reasons import render_all
from samenspel.services import funding
from samenspel.services.errors import InvalidInput, NotAllowed
from samenspel.storage import db
from samenspel.storage.models import Fund, Need

TODAY = date(2026, 11, 25)


def load_real_catalogue(engine) -> None:
    with Session(engine) as session:
        for fund in load_catalogue():
            session.add(funding.fund_row(fund))
        session.commit()


def test_the_catalogue_round_trips_through_the_table(sqlite_world):
    load_real_catalogue(sqlite_world["engine"])
    with Session(sqlite_world["engine"]) as session:
        assert funding.catalogue(session) == load_catalogue()


def test_a_broker_edits_the_catalogue_and_a_bad_cell_saves_nothing(sqlite_world):
    load_real_catalogue(sqlite_world["engine"])
    engine, sanne = sqlite_world["engine"], sqlite_world["actors"]["sanne"]

    def save(actor, frame):
        with db.unit_of_work(engine) as session:
            return funding.save_catalogue(session=session, actor=actor, frame=frame)

    def amount_max_of_first():
        with Session(engine) as session:
            return (
                session.exec(select(Fund).where(Fund.key == frame.loc[0, "id"]))
                .one()
                .amount_max_eur
            )

    with Session(engine) as session:
        frame = funding.catalogue_frame(session)
    broken = frame.copy()
    broken.loc[0, "amount_max_eur"] = "heel veel"
    broken.loc[2, "eligible_legal_forms"] = "club"
    with pytest.raises(InvalidInput) as error:
        save(sanne, broken)
    messages = " ".join(error.value.field_errors.values())
    assert (
        "rij 2, kolom 'amount_max_eur'" in messages
        and "rij 4, kolom 'eligible_legal_forms'" in messages
    )
    assert amount_max_of_first() is not None

    edited = frame.copy()
    edited.loc[0, "amount_max_eur"] = "123456"
    assert save(sanne, edited.iloc[:-1]) == len(frame) - 1
    assert amount_max_of_first() == 123456
    with pytest.raises(NotAllowed):
        save(sqlite_world["actors"]["anja"], frame)


def test_a_plan_for_a_stored_need_respects_legal_form_and_ownership(sqlite_world):
    load_real_catalogue(sqlite_world["engine"])
    with Session(sqlite_world["engine"]) as session:
        need = Need(
            organisation_id=sqlite_world["pan"],
            kind="money",
            title="Geld voor pannen",
            amount_eur=1200,
            lat=52.09,
            lon=5.10,
            start_date=date(2027, 3, 1),
        )
        session.add(need)
        session.commit()
        plan = funding.plan_for_need(
            session=session, actor=sqlite_world["actors"]["anja"], need_id=need.id, today=TODAY
        )
        assert plan.covered + plan.missing == pytest.approx(1200)
        forms = {f.id: f.eligible_legal_forms for f in load_catalogue()}
        for line in plan.lines:
            assert (
                line.kind == "business"
                or not forms[line.source_id]
                or "informal" in forms[line.source_id]
                or any("penvoerder" in r for r in render_all(line.reasons, "nl"))
            )
        with pytest.raises(NotAllowed):
            funding.plan_for_need(
                session=session, actor=sqlite_world["actors"]["zuilen"], need_id=need.id
            )


def test_a_business_money_offer_in_the_plan_is_named_after_the_business(sqlite_world):
    from samenspel.storage.models import Offer

    with Session(sqlite_world["engine"]) as session:
        session.add(
            Offer(
                organisation_id=sqlite_world["boog"],
                kind="money",
                title="Bijdrage buurtkeuken",
                amount_min_eur=100,
                amount_max_eur=1500,
                lat=52.09,
                lon=5.10,
            )
        )
        need = Need(
            organisation_id=sqlite_world["pan"],
            kind="money",
            title="Geld voor pannen",
            amount_eur=600,
            lat=52.09,
            lon=5.10,
            start_date=date(2027, 3, 1),
        )
        session.add(need)
        session.commit()
        plan = funding.plan_for_need(
            session=session, actor=sqlite_world["actors"]["anja"], need_id=need.id, today=TODAY
        )
    (line,) = [line for line in plan.lines if line.kind == "business"]
    assert line.name.startswith("Buurthuis De Boog")


def test_a_second_broker_saving_an_older_list_is_told_instead_of_overwriting(sqlite_world):
    from samenspel.services.errors import Conflict

    load_real_catalogue(sqlite_world["engine"])
    engine = sqlite_world["engine"]
    sanne, ahmed = sqlite_world["actors"]["sanne"], sqlite_world["actors"]["ahmed"]
    with Session(engine) as session:
        seen = funding.catalogue_version(session)
        frame = funding.catalogue_frame(session)
    mine, theirs = frame.copy(), frame.copy()
    mine.loc[0, "notes"] = "Sanne belde hen."
    theirs.loc[1, "notes"] = "Ahmed belde hen."
    with db.unit_of_work(engine) as session:
        funding.save_catalogue(session=session, actor=sanne, frame=mine, seen_version=seen)
    with pytest.raises(Conflict), db.unit_of_work(engine) as session:
        funding.save_catalogue(session=session, actor=ahmed, frame=theirs, seen_version=seen)
    with Session(engine) as session:
        assert funding.catalogue_frame(session).loc[0, "notes"] == "Sanne belde hen."
