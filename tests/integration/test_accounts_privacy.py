"""Accounts, limits and an organisation's own data."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from samenspel.services import accounts, contacts, limits, posts, privacy
from samenspel.services.errors import InvalidInput, NotAllowed
from samenspel.storage.models import (
    AuditEvent,
    Contact,
    Match,
    Need,
    Offer,
    Organisation,
    User,
    utcnow,
)
from tests.integration.conftest import TODAY


def add_user(engine, username="joke", password="een lang wachtwoord", **fields) -> int:
    with Session(engine) as session:
        user = User(username=username, password_hash=accounts.hash_password(password), **fields)
        session.add(user)
        session.commit()
        return user.id


def test_a_password_is_stored_as_an_argon2_hash_and_checked(sqlite_engine):
    add_user(sqlite_engine)
    with Session(sqlite_engine) as session:
        stored = session.exec(select(User).where(User.username == "joke")).one().password_hash
        assert stored.startswith("$argon2") and "een lang wachtwoord" not in stored
        assert accounts.authenticate(
            session, username="Joke ", password="een lang wachtwoord", demo_mode=False, client="c"
        )
        assert (
            accounts.authenticate(
                session, username="joke", password="fout", demo_mode=False, client="c"
            )
            is None
        )
        assert (
            accounts.authenticate(
                session, username="niemand", password="x", demo_mode=False, client="c"
            )
            is None
        )


def test_wrong_passwords_slow_down_the_client_but_never_lock_the_account(sqlite_engine):
    """The old per-account lock let anyone lock 'makelaar' out; now the guesser waits."""
    add_user(sqlite_engine)
    now = utcnow()
    with Session(sqlite_engine) as session:
        for _ in range(limits.BACKOFFS["login"][0].free):
            assert (
                accounts.authenticate(
                    session, username="joke", password="fout", demo_mode=False, client="x", now=now
                )
                is None
            )
        with pytest.raises(NotAllowed, match="Te veel pogingen. Wacht 30 seconden"):
            accounts.authenticate(
                session, username="joke", password="fout", demo_mode=False, client="x", now=now
            )
        # Another client (the real user) gets in at once, with the right password.
        assert accounts.authenticate(
            session,
            username="joke",
            password="een lang wachtwoord",
            demo_mode=False,
            client="y",
            now=now,
        )
        later = now + timedelta(seconds=31)
        assert accounts.authenticate(
            session,
            username="joke",
            password="een lang wachtwoord",
            demo_mode=False,
            client="x",
            now=later,
        )


def test_demo_accounts_work_only_in_demo_mode(sqlite_engine):
    add_user(sqlite_engine, username="makelaar", password="demo", role="broker", is_demo=True)
    with Session(sqlite_engine) as session:
        assert accounts.authenticate(
            session, username="makelaar", password="demo", demo_mode=True, client="c", local=True
        )
        assert (
            accounts.authenticate(
                session,
                username="makelaar",
                password="demo",
                demo_mode=False,
                client="c",
                local=True,
            )
            is None
        )
        # From another machine the known password opens nothing, even in demo mode.
        with pytest.raises(NotAllowed, match="alleen op de computer waar Samenspel draait"):
            accounts.authenticate(
                session, username="makelaar", password="demo", demo_mode=True, client="ip:x"
            )


def test_an_identity_from_the_organisation_login_maps_to_a_local_user(sqlite_engine):
    add_user(sqlite_engine, username="sanne@gemeente.example", role="broker")
    with Session(sqlite_engine) as session:
        assert accounts.user_for_identity(session, email="Sanne@Gemeente.example").role == "broker"
        assert accounts.user_for_identity(session, email="onbekend@x.example") is None
        assert accounts.user_for_identity(session, email=None) is None


def test_posting_is_limited_per_user_per_day(sqlite_world):
    anja = sqlite_world["actors"]["anja"]
    with Session(sqlite_world["engine"]) as session:
        for _ in range(limits.QUOTAS["create"].per_user[0]):
            session.add(AuditEvent(user_id=anja.user_id, action="create", entity="need"))
        session.commit()
        with pytest.raises(NotAllowed, match="grens van 30 per dag"):
            posts.create_need(
                session=session,
                actor=anja,
                organisation_id=sqlite_world["pan"],
                form=posts.PostForm(kind="goods", title="Stoelen"),
                today=TODAY,
            )


def test_contact_reveals_are_limited_per_user_per_day(sqlite_world):
    anja = sqlite_world["actors"]["anja"]
    with Session(sqlite_world["engine"]) as session:
        need = Need(organisation_id=sqlite_world["pan"], kind="venue", title="Plek")
        offer = Offer(organisation_id=sqlite_world["boog"], kind="venue", title="Zaal")
        session.add_all([need, offer])
        session.flush()
        match = Match(need_id=need.id, offer_id=offer.id, status="agreed")
        session.add(match)
        for _ in range(limits.QUOTAS["reveal_contact"].per_user[0]):
            session.add(
                AuditEvent(user_id=anja.user_id, action="reveal_contact", entity="organisation")
            )
        session.commit()
        with pytest.raises(NotAllowed):
            contacts.other_side_contact(session=session, actor=anja, match_id=match.id)


def test_an_organisation_downloads_all_its_data(sqlite_world):
    anja = sqlite_world["actors"]["anja"]
    with Session(sqlite_world["engine"]) as session:
        session.add(
            Need(organisation_id=sqlite_world["pan"], kind="venue", title="Plek om te koken")
        )
        session.commit()
        payload = json.loads(
            privacy.export_organisation(
                session=session, actor=anja, organisation_id=sqlite_world["pan"]
            )
        )
    assert payload["organisation"]["name"] == "Buurtkeuken De Pan"
    assert payload["contact"][0]["email"] == "anja@depan.example"
    assert [n["title"] for n in payload["needs"]] == ["Plek om te koken"]
    assert all("password_hash" not in u for u in payload["users"])


def test_deleting_an_organisation_removes_personal_data_and_keeps_anonymous_matches(sqlite_world):
    anja = sqlite_world["actors"]["anja"]
    with Session(sqlite_world["engine"]) as session:
        need = Need(
            organisation_id=sqlite_world["pan"],
            kind="venue",
            title="Plek bij Anja thuis",
            description="Bel Anja",
            lat=52.09,
            lon=5.10,
        )
        offer = Offer(organisation_id=sqlite_world["boog"], kind="venue", title="Zaal")
        session.add_all([need, offer])
        session.flush()
        session.add(
            Match(
                need_id=need.id,
                offer_id=offer.id,
                status="done",
                value_eur=900.0,
                reasons=["jullie 'Plek bij Anja thuis'"],
            )
        )
        session.commit()
        privacy.delete_organisation(
            session=session, actor=anja, organisation_id=sqlite_world["pan"]
        )
    with Session(sqlite_world["engine"]) as session:
        org = session.get(Organisation, sqlite_world["pan"])
        assert "Pan" not in org.name and org.address == "" and org.lat is None
        assert (
            session.exec(select(Contact).where(Contact.organisation_id == org.id)).first() is None
        )
        user = session.get(User, anja.user_id)
        assert user.username.startswith("deleted-") and user.password_hash == ""
        (kept,) = session.exec(select(Match)).all()
        assert (kept.status, kept.value_eur, kept.reasons) == ("done", 900.0, [])
        assert session.get(Need, kept.need_id).title == "(verwijderd)"
        assert session.get(Need, kept.need_id).lat is None


def test_a_users_language_is_remembered(sqlite_world):
    anja = sqlite_world["actors"]["anja"]
    with Session(sqlite_world["engine"]) as session:
        accounts.set_language(session=session, actor=anja, language="en")
        assert session.get(User, anja.user_id).language == "en"
        accounts.set_language(session=session, actor=anja, language="klingon")  # ignored
        assert session.get(User, anja.user_id).language == "en"


def test_a_broker_without_areas_decides_nowhere_and_needs_areas_to_be_created(sqlite_world):
    from samenspel.services.permissions import Actor, covers_area

    assert not covers_area(Actor(user_id=9, role="broker", areas=()), "Lombok")
    with Session(sqlite_world["engine"]) as session, pytest.raises(InvalidInput) as error:
        accounts.create_user(
            session=session,
            actor=sqlite_world["actors"]["admin"],
            username="nieuw",
            role="broker",
            password="een lang wachtwoord",
        )
    assert set(error.value.field_errors) == {"areas"}


def test_exports_show_an_informal_group_at_neighbourhood_level_unless_an_administrator_asks(
    sqlite_world,
):
    from samenspel.services import transfer

    with Session(sqlite_world["engine"]) as session:
        session.add(
            Need(
                organisation_id=sqlite_world["pan"],
                kind="goods",
                title="Stoelen",
                lat=52.0920,
                lon=5.1010,
            )
        )
        session.commit()
        public = transfer.export_needs(session)
        full = transfer.export_needs(session, actor=sqlite_world["actors"]["admin"], full=True)
        with pytest.raises(NotAllowed):
            transfer.export_needs(session, actor=sqlite_world["actors"]["sanne"], full=True)
    assert (public.loc[0, "lat"], public.loc[0, "lon"]) != (52.0920, 5.1010)
    assert (full.loc[0, "lat"], full.loc[0, "lon"]) == (52.0920, 5.1010)


def test_deleting_an_organisation_expires_its_open_matches_and_clears_its_words_everywhere(
    sqlite_world,
):
    anja = sqlite_world["actors"]["anja"]
    with Session(sqlite_world["engine"]) as session:
        need = posts.create_need(
            session=session,
            actor=anja,
            organisation_id=sqlite_world["pan"],
            today=TODAY,
            form=posts.PostForm(kind="goods", title="Stoelen bij Anja thuis"),
        )
        offer = Offer(organisation_id=sqlite_world["boog"], kind="goods", title="Stoelen")
        session.add(offer)
        session.flush()
        session.add(
            Match(
                need_id=need.id,
                offer_id=offer.id,
                status="introduced",
                reasons_en=["Anja's chairs"],
            )
        )
        session.commit()
        privacy.delete_organisation(
            session=session, actor=anja, organisation_id=sqlite_world["pan"]
        )
        (match,) = session.exec(select(Match).where(Match.need_id == need.id)).all()
        assert (match.status, match.reasons_en) == ("expired", [])
        trail = session.exec(select(AuditEvent).where(AuditEvent.entity == "need")).all()
        assert trail and all("Anja" not in event.detail for event in trail)


def test_an_administrator_changes_a_role_and_disables_a_user(sqlite_world):
    admin, anja = sqlite_world["actors"]["admin"], sqlite_world["actors"]["anja"]
    add_user(
        sqlite_world["engine"],
        username="kees",
        password="een lang wachtwoord",
        role="initiative",
        organisation_id=sqlite_world["pan"],
    )
    with Session(sqlite_world["engine"]) as session:
        kees = session.exec(select(User).where(User.username == "kees")).one()
        accounts.update_user(
            session=session,
            actor=admin,
            user_id=kees.id,
            role="broker",
            organisation_id=None,
            areas=("Lombok",),
            active=True,
        )
        assert (kees.role, kees.areas) == ("broker", "Lombok")
        accounts.update_user(
            session=session,
            actor=admin,
            user_id=kees.id,
            role="broker",
            organisation_id=None,
            areas=("Lombok",),
            active=False,
        )
        assert (
            accounts.authenticate(
                session,
                username="kees",
                password="een lang wachtwoord",
                demo_mode=False,
                client="c",
            )
            is None
        )
        with pytest.raises(NotAllowed):
            accounts.update_user(
                session=session,
                actor=anja,
                user_id=kees.id,
                role="admin",
                organisation_id=None,
                areas=(),
                active=True,
            )
        with pytest.raises(InvalidInput):
            accounts.update_user(
                session=session,
                actor=admin,
                user_id=admin.user_id,
                role="broker",
                organisation_id=None,
                areas=("Lombok",),
                active=True,
            )
