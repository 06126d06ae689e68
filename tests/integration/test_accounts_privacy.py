"""Accounts, limits and an organisation's own data."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from samenspel.matching.reasons import legacy, to_data
from samenspel.services import accounts, contacts, limits, posts, privacy
from samenspel.services.errors import InvalidInput, NotAllowed
from samenspel.storage import db
from samenspel.storage.models import (
    AuditEvent,
    Contact,
    ConversationMessage,
    Match,
    Need,
    Notification,
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


def login(engine, username, password, *, client="c", demo_mode=False, local=False, now=None):
    """One login attempt in its own unit of work, as the login page makes it."""
    with db.unit_of_work(engine) as session:
        return accounts.authenticate(session=session, username=username, password=password,
                                     demo_mode=demo_mode, client=client, local=local, now=now)  # fmt: skip


def test_a_password_is_stored_as_an_argon2_hash_and_checked(sqlite_engine):
    add_user(sqlite_engine)
    with Session(sqlite_engine) as session:
        stored = session.exec(select(User).where(User.username == "joke")).one().password_hash
    assert stored.startswith("$argon2") and "een lang wachtwoord" not in stored
    assert login(sqlite_engine, "Joke ", "een lang wachtwoord")
    assert login(sqlite_engine, "joke", "fout") is None
    assert login(sqlite_engine, "niemand", "x") is None


def test_wrong_passwords_slow_down_the_client_but_never_lock_the_account(sqlite_engine):
    """The old per-account lock let anyone lock 'makelaar' out; now the guesser waits."""
    add_user(sqlite_engine)
    now = utcnow()
    for _ in range(limits.BACKOFFS["login"][0].free):
        assert login(sqlite_engine, "joke", "fout", client="x", now=now) is None
    with pytest.raises(NotAllowed, match="Te veel pogingen. Wacht 30 seconden"):
        login(sqlite_engine, "joke", "fout", client="x", now=now)
    # Another client (the real user) gets in at once, with the right password.
    assert login(sqlite_engine, "joke", "een lang wachtwoord", client="y", now=now)
    later = now + timedelta(seconds=31)
    assert login(sqlite_engine, "joke", "een lang wachtwoord", client="x", now=later)


def test_demo_accounts_work_only_in_demo_mode(sqlite_engine):
    add_user(sqlite_engine, username="makelaar", password="demo", role="broker", is_demo=True)
    assert login(sqlite_engine, "makelaar", "demo", demo_mode=True, local=True)
    assert login(sqlite_engine, "makelaar", "demo", demo_mode=False, local=True) is None
    # From another machine the known password opens nothing, even in demo mode.
    with pytest.raises(NotAllowed, match="alleen op de computer waar Samenspel draait"):
        login(sqlite_engine, "makelaar", "demo", demo_mode=True, client="ip:x")


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
        with db.unit_of_work(sqlite_world["engine"]) as session:
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
        match_id = match.id
    with pytest.raises(NotAllowed), db.unit_of_work(sqlite_world["engine"]) as session:
        contacts.other_side_contact(session=session, actor=anja, match_id=match_id)


def test_an_organisation_downloads_all_its_data(sqlite_world):
    anja = sqlite_world["actors"]["anja"]
    with Session(sqlite_world["engine"]) as session:
        session.add(
            Need(organisation_id=sqlite_world["pan"], kind="venue", title="Plek om te koken")
        )
        session.commit()
    with db.unit_of_work(sqlite_world["engine"]) as session:
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
        match = Match(
            need_id=need.id,
            offer_id=offer.id,
            status="done",
            value_eur=900.0,
            reasons=["jullie 'Plek bij Anja thuis'"],
        )
        session.add(match)
        session.flush()
        # What Anja wrote and was sent, and how to reach her: all of it goes.
        session.add(ConversationMessage(match_id=match.id, author_id=anja.user_id,
                                        body="Mijn nummer is 06-12345678"))  # fmt: skip
        session.add(Notification(user_id=anja.user_id, kind="agreed", params={"other": "x"}))
        user = session.get(User, anja.user_id)
        user.email, user.calendar_token_hash = "anja@depan.example", "ab" * 32
        session.commit()
    with db.unit_of_work(sqlite_world["engine"]) as session:
        exported = json.loads(privacy.export_organisation(
            session=session, actor=anja, organisation_id=sqlite_world["pan"]))  # fmt: skip
    assert [m["body"] for m in exported["conversation_messages"]] == ["Mijn nummer is 06-12345678"]
    assert [n["kind"] for n in exported["notifications"]] == ["agreed"]
    assert all("calendar_token_hash" not in u for u in exported["users"])
    with db.unit_of_work(sqlite_world["engine"]) as session:
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
        assert (user.email, user.calendar_token_hash) == ("", None)
        assert session.exec(select(ConversationMessage)).all() == []
        assert session.exec(select(Notification)).all() == []
        (kept,) = session.exec(select(Match)).all()
        assert (kept.status, kept.value_eur, kept.reasons) == ("done", 900.0, [])
        assert session.get(Need, kept.need_id).title == "(verwijderd)"
        assert session.get(Need, kept.need_id).lat is None


def test_a_users_language_is_remembered(sqlite_world):
    anja = sqlite_world["actors"]["anja"]
    for choice in ("en", "klingon"):  # the second is ignored
        with db.unit_of_work(sqlite_world["engine"]) as session:
            accounts.set_language(session=session, actor=anja, language=choice)
        with Session(sqlite_world["engine"]) as session:
            assert session.get(User, anja.user_id).language == "en"


def test_a_broker_without_areas_decides_nowhere_and_needs_areas_to_be_created(sqlite_world):
    from samenspel.services.permissions import Actor, covers_area

    assert not covers_area(Actor(user_id=9, role="broker", areas=()), "Lombok")
    with pytest.raises(InvalidInput) as error, db.unit_of_work(sqlite_world["engine"]) as session:
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
    with db.unit_of_work(sqlite_world["engine"]) as session:
        need = posts.create_need(
            session=session,
            actor=anja,
            organisation_id=sqlite_world["pan"],
            today=TODAY,
            form=posts.PostForm(kind="goods", title="Stoelen bij Anja thuis"),
        )
    with Session(sqlite_world["engine"]) as session:
        offer = Offer(organisation_id=sqlite_world["boog"], kind="goods", title="Stoelen")
        session.add(offer)
        session.flush()
        session.add(
            Match(
                need_id=need.id,
                offer_id=offer.id,
                status="introduced",
                reasons=to_data([legacy("Anja's stoelen", "Anja's chairs")]),
            )
        )
        session.commit()
    with db.unit_of_work(sqlite_world["engine"]) as session:
        privacy.delete_organisation(
            session=session, actor=anja, organisation_id=sqlite_world["pan"]
        )
    with Session(sqlite_world["engine"]) as session:
        (match,) = session.exec(select(Match).where(Match.need_id == need.id)).all()
        assert (match.status, match.reasons) == ("expired", [])
        trail = session.exec(select(AuditEvent).where(AuditEvent.entity == "need")).all()
        assert trail and all("Anja" not in event.detail for event in trail)


def test_an_administrator_changes_a_role_and_disables_a_user(sqlite_world):
    engine = sqlite_world["engine"]
    admin, anja = sqlite_world["actors"]["admin"], sqlite_world["actors"]["anja"]
    kees_id = add_user(engine, username="kees", role="initiative",
                       organisation_id=sqlite_world["pan"])  # fmt: skip
    change = dict(user_id=kees_id, role="broker", organisation_id=None, areas=("Lombok",))
    with db.unit_of_work(engine) as session:
        kees = accounts.update_user(session=session, actor=admin, **change)
        assert (kees.role, kees.areas) == ("broker", "Lombok")
    with db.unit_of_work(engine) as session:
        accounts.set_active(session=session, actor=admin, user_id=kees_id, active=False)
    assert login(engine, "kees", "een lang wachtwoord") is None
    with pytest.raises(NotAllowed), db.unit_of_work(engine) as session:
        accounts.update_user(session=session, actor=anja, **{**change, "role": "admin"})
    with pytest.raises(NotAllowed), db.unit_of_work(engine) as session:
        accounts.set_active(session=session, actor=anja, user_id=kees_id, active=True)
    # An administrator cannot take away their own rights, by role or by disabling.
    own = dict(user_id=admin.user_id, role="broker", organisation_id=None, areas=("Lombok",))
    with pytest.raises(InvalidInput), db.unit_of_work(engine) as session:
        accounts.update_user(session=session, actor=admin, **own)
    with pytest.raises(InvalidInput), db.unit_of_work(engine) as session:
        accounts.set_active(session=session, actor=admin, user_id=admin.user_id, active=False)
    with Session(engine) as session:
        assert session.get(User, admin.user_id).is_active


def test_saving_a_disabled_users_name_role_or_areas_never_enables_them(sqlite_world):
    """Disabling is a choice of its own (set_active): update_user has no say in it, so a form
    saved for another reason, even one opened before the user was disabled, keeps them out."""
    engine, admin = sqlite_world["engine"], sqlite_world["actors"]["admin"]
    kees_id = add_user(engine, username="kees", role="broker", areas="Lombok")
    with db.unit_of_work(engine) as session:
        accounts.set_active(session=session, actor=admin, user_id=kees_id, active=False)
    for change in (
        {"display_name": "Kees de Vries"},
        {"role": "admin", "areas": ()},
        {"role": "broker", "areas": ("Lombok", "Zuilen")},
    ):
        wanted = {"role": "broker", "areas": ("Lombok",), **change}
        with db.unit_of_work(engine) as session:
            accounts.update_user(session=session, actor=admin, user_id=kees_id,
                                 organisation_id=None, **wanted)  # fmt: skip
        with Session(engine) as session:
            kees = session.get(User, kees_id)
            assert not kees.is_active, change
            assert kees.role == wanted["role"] and kees.areas == ";".join(wanted["areas"])
        assert login(engine, "kees", "een lang wachtwoord") is None
    with Session(engine) as session:
        assert session.get(User, kees_id).display_name == "Kees de Vries"
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.entity == "user",
                                            AuditEvent.entity_id == kees_id)
        ).all()  # fmt: skip
    assert actions.count("disable_user") == 1 and "enable_user" not in actions
    # Only the explicit choice lets them in again, once.
    for _ in range(2):
        with db.unit_of_work(engine) as session:
            accounts.set_active(session=session, actor=admin, user_id=kees_id, active=True)
    assert login(engine, "kees", "een lang wachtwoord") is not None
    with Session(engine) as session:
        enabled = session.exec(
            select(AuditEvent).where(AuditEvent.action == "enable_user",
                                     AuditEvent.entity_id == kees_id)
        ).all()  # fmt: skip
    assert len(enabled) == 1
