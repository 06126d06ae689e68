"""One action, one transaction (samenspel.storage.db.unit_of_work), on SQLite and PostgreSQL:
an action made of several services keeps all of them or none, no service commits on its own,
and a read-only unit of work cannot write."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InvalidRequestError
from sqlmodel import Session, func, select

from samenspel.services import (
    accounts,
    audit_log,
    contacts,
    funding,
    limits,
    matches,
    organisations,
    partnerships,
    posts,
    privacy,
    retention,
)
from samenspel.services.errors import Conflict, NotAllowed
from samenspel.storage import db
from samenspel.storage.models import AuditEvent, Match, Need, RateEvent, User
from tests.integration.conftest import TODAY, work_out_suggestions
from tests.integration.test_flows import post_kitchen_need_and_hall, suggestion_for


def counts(engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Match, AuditEvent, RateEvent, Need)
        }


def match_row(engine, match_id: int) -> Match:
    with Session(engine) as session:
        return session.get(Match, match_id)


def goods_need_and_offer(world) -> tuple[int, int]:
    """A need of De Pan and an offer of De Boog that fit, without the engine's suggestion
    between them yet (the offer comes first, the need's suggestions are then removed)."""
    actors = world["actors"]
    with db.unit_of_work(world["engine"]) as session:
        offer = posts.create_offer(session=session, actor=actors["karim"], organisation_id=world["boog"],
                                   today=TODAY, form=posts.PostForm(kind="goods", title="Stoelen"))  # fmt: skip
    work_out_suggestions(world)
    with db.unit_of_work(world["engine"]) as session:
        need = posts.create_need(session=session, actor=actors["anja"], organisation_id=world["pan"],
                                 today=TODAY, form=posts.PostForm(kind="goods", title="Stoelen"))  # fmt: skip
    work_out_suggestions(world)
    with db.unit_of_work(world["engine"]) as session:
        session.execute(Match.__table__.delete().where(Match.need_id == need.id))
    return need.id, offer.id


def test_an_offer_of_help_whose_next_step_fails_leaves_nothing_behind(world):
    """The partner offers help and, in the same action, tries to introduce the pair itself
    (only the broker may): the refusal takes the offer of help and its audit event with it."""
    need_id, offer_id = goods_need_and_offer(world)
    karim = world["actors"]["karim"]
    before = counts(world["engine"])
    with pytest.raises(NotAllowed), db.unit_of_work(world["engine"]) as session:
        offered = matches.offer_help(
            session=session, actor=karim, need_id=need_id, offer_id=offer_id, today=TODAY
        )
        assert offered.id is not None  # flushed: the row was really in the database
        assert session.exec(select(func.count()).select_from(Match)).one() == before["Match"] + 1
        matches.introduce(session=session, actor=karim, match_id=offered.id,
                          seen_version=offered.version, today=TODAY)  # fmt: skip
    assert counts(world["engine"]) == before
    # The same offer of help on its own is kept, with its audit event.
    with db.unit_of_work(world["engine"]) as session:
        matches.offer_help(
            session=session, actor=karim, need_id=need_id, offer_id=offer_id, today=TODAY
        )
    after = counts(world["engine"])
    assert (after["Match"], after["AuditEvent"]) == (before["Match"] + 1, before["AuditEvent"] + 1)


def test_introduce_agree_and_reveal_in_one_unit_keep_nothing_when_the_reveal_is_refused(
    world, monkeypatch
):
    """Four steps by three people in one unit of work (only a test does that; it shows what a
    unit is): the last one hits the daily limit of contact reveals, and the introduction,
    both yeses, the need's new status and every audit event are rolled back with it."""
    actors = world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)
    before = counts(world["engine"])
    monkeypatch.setitem(limits.QUOTAS, "reveal_contact", limits.Quota(limits.DAY, per_user=(0, 0)))
    with pytest.raises(NotAllowed, match="grens"), db.unit_of_work(world["engine"]) as session:
        step = matches.introduce(session=session, actor=actors["sanne"], match_id=seen.id,
                                 seen_version=seen.version, today=TODAY)  # fmt: skip
        for side in ("anja", "karim"):
            step = matches.respond(session=session, actor=actors[side], match_id=seen.id,
                                   seen_version=step.version, accept=True)  # fmt: skip
        assert step.status == "agreed"
        assert session.get(Need, need_id).status == "matched"
        contacts.other_side_contact(session=session, actor=actors["anja"], match_id=seen.id)
    after = match_row(world["engine"], seen.id)
    assert (after.status, after.version) == ("suggested", seen.version)
    assert not (after.initiative_agreed or after.partner_agreed)
    assert counts(world["engine"]) == before
    with Session(world["engine"]) as session:
        assert session.get(Need, need_id).status == "open"


def test_a_conflict_in_a_later_step_rolls_back_the_earlier_ones(world):
    """A stale version (another broker was first) is refused by the conditioned UPDATE; the
    unit of work around it keeps nothing of the step before."""
    need_id, offer_id = goods_need_and_offer(world)
    hall_need, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, hall_need, hall_id)
    with db.unit_of_work(world["engine"]) as session:  # Ahmed decides first
        matches.reject(session=session, actor=world["actors"]["ahmed"], match_id=seen.id,
                       seen_version=seen.version, reason="te ver weg")  # fmt: skip
    before = counts(world["engine"])
    with pytest.raises(Conflict) as lost, db.unit_of_work(world["engine"]) as session:
        matches.offer_help(session=session, actor=world["actors"]["karim"], need_id=need_id,
                           offer_id=offer_id, today=TODAY)  # fmt: skip
        matches.introduce(session=session, actor=world["actors"]["sanne"], match_id=seen.id,
                          seen_version=seen.version, today=TODAY)  # fmt: skip
    assert lost.value.decided_by == "Ahmed"
    assert counts(world["engine"]) == before
    assert match_row(world["engine"], seen.id).status == "rejected"


def test_a_service_that_commits_breaks_its_unit_of_work_loudly(sqlite_engine):
    with pytest.raises(InvalidRequestError, match="closed transaction"):
        with db.unit_of_work(sqlite_engine) as session:
            session.add(User(username="vroeg", role="admin"))
            session.commit()  # what no service may do
            session.get(User, 1)


@contextmanager
def strict_unit(engine):
    """A unit of work whose session refuses commit(): the block's own end still commits (that
    goes through the transaction, not through session.commit)."""
    with db.unit_of_work(engine) as session:

        def refuse():
            raise AssertionError("a service committed on its own")

        session.commit = refuse
        yield session


def test_no_service_commits_on_its_own(world, monkeypatch):
    """Every writing service, the way its entry point calls it, in a unit of work that fails
    on session.commit(): a hidden commit anywhere would end the action's transaction early."""
    engine, a = world["engine"], world["actors"]
    need_id, hall_id = post_kitchen_need_and_hall(world)
    seen = suggestion_for(world, need_id, hall_id)

    def run(service, **kwargs):
        with strict_unit(engine) as session:
            return service(session=session, **kwargs)

    step = run(matches.introduce, actor=a["sanne"], match_id=seen.id, seen_version=seen.version,
               today=TODAY)  # fmt: skip
    step = run(matches.respond, actor=a["anja"], match_id=seen.id, seen_version=step.version,
               accept=True)  # fmt: skip
    step = run(matches.respond, actor=a["karim"], match_id=seen.id, seen_version=step.version,
               accept=True)  # fmt: skip
    run(contacts.other_side_contact, actor=a["anja"], match_id=seen.id)
    step = run(matches.start, actor=a["anja"], match_id=seen.id, seen_version=step.version)
    run(partnerships.write_contribution, actor=a["karim"], match_id=seen.id, text="Onze zaal")
    run(partnerships.follow_up, actor=a["sanne"], match_id=seen.id, seen_version=step.version,
        outcome="done", today=TODAY)  # fmt: skip
    other_need, offer_id = goods_need_and_offer(world)
    run(matches.offer_help, actor=a["karim"], need_id=other_need, offer_id=offer_id, today=TODAY)
    run(posts.close_need, actor=a["anja"], need_id=other_need)
    form = run(organisations.profile_form, actor=a["anja"], organisation_id=world["pan"])
    own = replace(form, role=None, partner_type=None, description="Samen koken")  # what it sends
    run(organisations.update_profile, actor=a["anja"], organisation_id=world["pan"], form=own)
    run(organisations.create_organisation, actor=a["admin"], form=organisations.ProfileForm(
        name="Wijkzaal Het Anker", role="partner", neighbourhood="Lombok"))  # fmt: skip
    run(privacy.export_organisation, actor=a["anja"], organisation_id=world["pan"])
    with Session(engine) as session:
        frame = funding.catalogue_frame(session)
    run(funding.save_catalogue, actor=a["sanne"], frame=frame)
    made = run(accounts.create_user, actor=a["admin"], username="kees", role="broker",
               password="een lang wachtwoord", areas=("Lombok",))  # fmt: skip
    run(accounts.update_user, actor=a["admin"], user_id=made.id, role="broker",
        organisation_id=None, areas=("Zuilen",), display_name="Kees")  # fmt: skip
    run(accounts.set_password, actor=a["admin"], user_id=made.id, password="paars fietsenrek zee")
    run(accounts.set_language, actor=a["anja"], language="en")
    assert run(accounts.authenticate, username="kees", password="fout", demo_mode=False,
               client="ip:1") is None  # fmt: skip
    assert run(accounts.authenticate, username="kees", password="paars fietsenrek zee",
               demo_mode=False, client="ip:1") is not None  # fmt: skip
    token = run(accounts.start_session, user_id=made.id)
    run(accounts.touch_session, token=token, idle_minutes=30)
    run(accounts.end_session, token=token)
    run(accounts.set_active, actor=a["admin"], user_id=made.id, active=False)
    code = run(accounts.new_setup_token)
    # The world has an administrator already; the setup's own checks are tested elsewhere.
    monkeypatch.setattr(accounts, "needs_first_admin", lambda session: True)
    assert run(accounts.create_first_admin, token="fout", username="x", password="y",
               client="ip:2").refused is not None  # fmt: skip
    assert run(accounts.create_first_admin, token=code, username="baas",
               password="een lang wachtwoord", client="ip:3").admin().role == "admin"  # fmt: skip
    run(accounts.create_admin, username="root", password="nog een lang wachtwoord")
    run(matches.expire_stale, today=TODAY)
    run(retention.apply_retention, dry_run=True)
    run(retention.apply_retention)
    run(audit_log.export_csv, actor=a["admin"], filters=audit_log.AuditFilter())
    run(privacy.delete_organisation, actor=a["anja"], organisation_id=world["pan"])
    with Session(engine) as session:
        actions = set(session.exec(select(AuditEvent.action)))
    assert {"agreed", "active", "done", "offer_help", "close", "create_user", "disable_user",
            "create_first_admin", "retention", "export_audit_log",
            "delete_organisation"} <= actions  # fmt: skip


def test_a_read_only_unit_of_work_refuses_every_write(engine):
    with db.unit_of_work(engine, read_only=True) as session:
        assert session.exec(select(func.count()).select_from(User)).one() == 0
    with pytest.raises(DBAPIError), db.unit_of_work(engine, read_only=True) as session:
        session.execute(text("UPDATE \"user\" SET display_name = 'x'"))
    with pytest.raises(DBAPIError), db.unit_of_work(engine, read_only=True) as session:
        session.add(User(username="stiekem", role="admin"))
        session.flush()
    # The same connections write again in a normal unit of work afterwards.
    for _ in range(3):
        with db.unit_of_work(engine) as session:
            session.add(
                User(username=f"gewoon{session.exec(select(func.count()).select_from(User)).one()}")
            )
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(User)).one() == 3


def test_a_read_only_unit_of_work_does_not_wait_for_a_writer(sqlite_engine):
    with db.unit_of_work(sqlite_engine) as writer:  # holds SQLite's write lock
        writer.add(User(username="bezig", role="admin"))
        writer.flush()
        with db.unit_of_work(sqlite_engine, read_only=True) as reader:
            assert reader.exec(select(func.count()).select_from(User)).one() == 0
