"""Login sessions, disabling users, login throttling, password strength and limits per client,
on SQLite and PostgreSQL. Two engines on one database stand for two app instances."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select

from samenspel.services import accounts, limits, posts, privacy
from samenspel.services.errors import InvalidInput, NotAllowed
from samenspel.services.permissions import Actor
from samenspel.storage import db
from samenspel.storage.models import LoginSession, RateEvent, User, utcnow
from tests.integration.conftest import TODAY

PASSWORD = "een lang wachtwoord"
IDLE = 30  # minutes


def add_user(engine, username="joke", password=PASSWORD, **fields) -> int:
    """A broker by default: an initiative or partner user needs an organisation."""
    fields.setdefault("role", "broker")
    with Session(engine) as session:
        user = User(username=username, password_hash=accounts.hash_password(password), **fields)
        session.add(user)
        session.commit()
        return user.id


def check(engine, token, *, now=None, demo_mode=False, idle=IDLE):
    with db.unit_of_work(engine, read_only=True) as session:
        return accounts.check_session(
            session=session, token=token, idle_minutes=idle, demo_mode=demo_mode, now=now
        )


def start(engine, user_id, now=None) -> str:
    with db.unit_of_work(engine) as session:
        return accounts.start_session(session=session, user_id=user_id, now=now)


def touch(engine, token, now) -> None:
    with db.unit_of_work(engine) as session:
        accounts.touch_session(session=session, token=token, idle_minutes=IDLE, now=now)


def login(engine, username, password, *, client="ip:1", now=None, demo_mode=False, local=False):
    """One login attempt as the login page makes it: its own unit of work. A wrong password
    is an answer (None) and commits the failure it counted; a refusal raises and keeps none."""
    with db.unit_of_work(engine) as session:
        return accounts.authenticate(
            session=session,
            username=username,
            password=password,
            demo_mode=demo_mode,
            client=client,
            local=local,
            now=now,
        )


def wait_for(engine, *, client="ip:1", subject="joke", now=None) -> float:
    with db.unit_of_work(engine, read_only=True) as session:
        return limits.backoff_wait(session, "login", client=client, subject=subject, now=now)


# --- Sessions -------------------------------------------------------------------------------


def test_only_a_hash_of_the_session_token_is_stored(engine):
    user_id = add_user(engine)
    token = start(engine, user_id)
    with Session(engine) as session:
        (row,) = session.exec(select(LoginSession)).all()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash and len(token) >= 40
    assert check(engine, token).user.username == "joke"
    assert check(engine, token + "x").user is None


def test_a_session_ends_after_the_idle_timeout_counted_from_last_use_in_the_database(engine):
    user_id = add_user(engine)
    t0 = utcnow()
    token = start(engine, user_id, now=t0)
    assert check(engine, token, now=t0 + timedelta(minutes=IDLE - 1)).user is not None
    # Used at minute 29 on any instance: the idle time starts again from there.
    touch(engine, token, t0 + timedelta(minutes=IDLE - 1))
    assert check(engine, token, now=t0 + timedelta(minutes=2 * IDLE - 2)).user is not None
    idle = check(engine, token, now=t0 + timedelta(minutes=2 * IDLE))
    assert (idle.user, idle.reason) == (None, "idle")
    # A late touch never brings an idle session back.
    touch(engine, token, t0 + timedelta(minutes=2 * IDLE))
    assert check(engine, token, now=t0 + timedelta(minutes=2 * IDLE)).reason == "idle"


def test_last_seen_is_renewed_at_most_once_a_minute(engine):
    token = start(engine, add_user(engine))
    assert not check(engine, token).renew
    later = utcnow() + accounts.SESSION_RENEW_AFTER + timedelta(seconds=1)
    assert check(engine, token, now=later).renew


def test_a_session_expires_at_its_maximum_age_however_active(engine):
    user_id = add_user(engine)
    t0 = utcnow()
    token = start(engine, user_id, now=t0)
    moment = t0
    while moment < t0 + accounts.SESSION_MAX_AGE:
        touch(engine, token, moment)
        moment += timedelta(minutes=IDLE - 1)
    assert check(engine, token, now=moment).reason == "ended"


def test_logout_ends_the_session_on_every_instance(database_url):
    one, two = db.make_engine(database_url), db.make_engine(database_url)
    db.upgrade(one)
    try:
        token = start(one, add_user(one))
        assert check(two, token).user is not None
        with db.unit_of_work(one) as session:
            accounts.end_session(session=session, token=token)
        assert check(two, token).reason == "ended"
    finally:
        one.dispose()
        two.dispose()


def test_a_user_disabled_on_one_instance_is_refused_on_the_other_at_once(database_url):
    one, two = db.make_engine(database_url), db.make_engine(database_url)
    db.upgrade(one)
    try:
        user_id = add_user(one, areas="Lombok")
        admin_id = add_user(one, username="baas", role="admin")
        admin = Actor(user_id=admin_id, role="admin")
        token = start(one, user_id)
        assert check(one, token).user.role == "broker"
        with db.unit_of_work(two) as session:
            accounts.set_active(session=session, actor=admin, user_id=user_id, active=False)
        assert check(one, token).reason == "ended"
        assert login(one, "joke", PASSWORD) is None  # no new login either
        with Session(one) as session:
            assert session.get(LoginSession, 1).revoked_at is not None
        # Enabled again explicitly: a new login works; the old session stays ended.
        with db.unit_of_work(two) as session:
            accounts.set_active(session=session, actor=admin, user_id=user_id, active=True)
        assert check(one, token).reason == "ended"
        assert login(one, "joke", PASSWORD) is not None
    finally:
        one.dispose()
        two.dispose()


def test_a_role_change_reaches_an_open_session_on_its_next_check(world):
    engine, admin = world["engine"], world["actors"]["admin"]
    sanne = world["actors"]["sanne"]
    token = start(engine, sanne.user_id)
    with db.unit_of_work(engine) as session:
        accounts.update_user(session=session, actor=admin, user_id=sanne.user_id, role="broker",
                             organisation_id=None, areas=("Zuilen",))  # fmt: skip
    assert check(engine, token).user.areas == ("Zuilen",)


def test_users_of_a_deleted_organisation_are_refused(world):
    engine, anja = world["engine"], world["actors"]["anja"]
    token = start(engine, anja.user_id)
    assert check(engine, token).user is not None
    with db.unit_of_work(engine) as session:
        privacy.delete_organisation(session=session, actor=anja, organisation_id=world["pan"])
    assert check(engine, token).reason == "ended"


def test_a_demo_session_ends_when_demo_mode_is_off(engine):
    token = start(engine, add_user(engine, username="makelaar", is_demo=True))
    assert check(engine, token, demo_mode=True).user is not None
    assert check(engine, token, demo_mode=False).reason == "ended"


def test_an_administrator_resetting_a_password_ends_that_users_sessions(world):
    engine, admin, anja = world["engine"], world["actors"]["admin"], world["actors"]["anja"]
    token = start(engine, anja.user_id)
    with db.unit_of_work(engine) as session:
        accounts.set_password(
            session=session, actor=admin, user_id=anja.user_id, password="paars fietsenrek zee"
        )
    assert check(engine, token).reason == "ended"


def test_the_migration_turns_old_year_9999_locks_into_disabled_users(empty_database_url):
    engine = db.make_engine(empty_database_url)
    try:
        db.upgrade(engine, "0004")
        with engine.begin() as connection:
            for number, (name, locked) in enumerate(
                [("weg", "9999-01-01 00:00:00"), ("even", "2026-01-01 10:15:00"), ("vrij", None)]
            ):
                connection.execute(
                    text(
                        'INSERT INTO "user" (id, username, display_name, password_hash, role, areas,'
                        " language, is_demo, failed_logins, locked_until, created_at) VALUES"
                        " (:id, :name, '', '', 'broker', '', 'nl', false, 3, :locked, :now)"
                    ),
                    {"id": number + 1, "name": name, "locked": locked, "now": "2026-01-01"},
                )
        db.upgrade(engine)
        with Session(engine) as session:
            users = {u.username: u for u in session.exec(select(User))}
        assert {name: u.is_active for name, u in users.items()} == {
            "weg": False,
            "even": True,
            "vrij": True,
        }
        assert all(u.locked_until is None and u.failed_logins == 0 for u in users.values())
    finally:
        engine.dispose()


# --- Login throttling -----------------------------------------------------------------------


@pytest.fixture
def verify_calls(monkeypatch):
    """Counts real argon2 verifications (the expensive work an attacker could time)."""
    calls = []
    real = accounts._hasher

    class CountingHasher:
        def verify(self, hash_, password):
            calls.append(hash_)
            return real.verify(hash_, password)

        def hash(self, password):
            return real.hash(password)

    monkeypatch.setattr(accounts, "_hasher", CountingHasher())
    return calls


def test_every_login_path_does_the_same_hash_work_and_gives_the_same_answer(
    sqlite_engine, verify_calls
):
    add_user(sqlite_engine)
    add_user(sqlite_engine, username="uit", is_active=False)
    add_user(sqlite_engine, username="demo1", password="demo", is_demo=True)
    add_user(sqlite_engine, username="oidc", password="x")  # below: no password at all
    with Session(sqlite_engine) as session:
        session.get(User, 4).password_hash = ""
        session.commit()
    now = utcnow()
    engine = sqlite_engine
    answers = {
        "unknown": login(engine, "niemand", PASSWORD, client="a", now=now),
        "wrong password": login(engine, "joke", "fout", client="b", now=now),
        "disabled": login(engine, "uit", PASSWORD, client="c", now=now),
        "demo outside demo mode": login(engine, "demo1", "demo", client="d", now=now),
        "no password": login(engine, "oidc", "", client="e", now=now),
    }
    assert set(answers.values()) == {None}
    assert len(verify_calls) == len(answers)
    assert login(engine, "joke", PASSWORD, client="f", now=now).username == "joke"
    assert len(verify_calls) == len(answers) + 1
    # Throttled: refused before the name is looked up, with no hash work either way (the
    # throttle is the client's, so the refusal tells nothing, and a flood costs no memory).
    for _ in range(limits.BACKOFFS["login"][0].free):
        login(engine, "niemand", "fout", client="g", now=now)
    before = len(verify_calls)
    with pytest.raises(NotAllowed) as unknown_refused:
        login(engine, "niemand", PASSWORD, client="g", now=now)
    assert len(verify_calls) == before
    for _ in range(limits.BACKOFFS["login"][0].free):
        login(engine, "joke", "fout", client="h", now=now)
    before = len(verify_calls)
    with pytest.raises(NotAllowed) as existing_refused:
        login(engine, "joke", PASSWORD, client="h", now=now)  # even the right password
    assert len(verify_calls) == before
    # The same words whether the name exists or not.
    assert str(unknown_refused.value) == str(existing_refused.value)


def test_the_backoff_grows_and_a_success_forgets_earlier_mistakes(sqlite_engine):
    add_user(sqlite_engine)
    per_name = limits.BACKOFFS["login"][0]
    t0 = utcnow()
    engine = sqlite_engine
    for _ in range(per_name.free):
        assert login(engine, "joke", "fout", now=t0) is None
    waits = []
    moment = t0
    for _ in range(3):
        wait = wait_for(engine, now=moment)
        waits.append(round(wait))
        moment += timedelta(seconds=wait + 1)
        assert login(engine, "joke", "fout", now=moment) is None
    assert waits == [30, 60, 120]
    moment += timedelta(seconds=241)
    assert login(engine, "joke", PASSWORD, now=moment) is not None
    assert wait_for(engine, now=moment) == 0


def test_one_client_trying_many_names_is_slowed_down_and_other_clients_are_not(sqlite_engine):
    add_user(sqlite_engine, username="makelaar")
    per_client = limits.BACKOFFS["login"][1]
    now = utcnow()
    engine = sqlite_engine
    for number in range(per_client.free):
        assert login(engine, f"naam{number}", "fout", client="ip:scan", now=now) is None
    with pytest.raises(NotAllowed, match="Te veel pogingen"):
        login(engine, "makelaar", PASSWORD, client="ip:scan", now=now)
    # The real 'makelaar' elsewhere is not locked out by the scanner.
    assert login(engine, "makelaar", PASSWORD, client="ip:kantoor", now=now) is not None


def test_many_clients_guessing_one_account_slow_down_but_its_own_client_does_not(sqlite_engine):
    add_user(sqlite_engine, username="makelaar")
    per_name = limits.BACKOFFS["login"][2]
    now = utcnow()
    engine = sqlite_engine
    assert login(engine, "makelaar", PASSWORD, client="ip:kantoor", now=now) is not None
    for number in range(per_name.free):  # a botnet: a few guesses from each address
        assert login(engine, "makelaar", "fout", client=f"ip:bot{number}", now=now) is None
    with pytest.raises(NotAllowed, match="Te veel pogingen"):
        login(engine, "makelaar", PASSWORD, client="ip:nieuw", now=now)
    # The client that logged in as makelaar before is not slowed by the strangers.
    assert login(engine, "makelaar", PASSWORD, client="ip:kantoor", now=now) is not None


def test_failed_logins_store_no_typed_name_or_address(sqlite_engine):
    login(sqlite_engine, "mijn-wachtwoord-per-ongeluk", "x", client="ip:203.0.113.7")
    with Session(sqlite_engine) as session:
        (event,) = session.exec(select(RateEvent)).all()
    assert "mijn" not in event.subject and "203.0.113.7" not in event.client
    assert event.action == "login"


# --- Password strength ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("          ", "te makkelijk te raden"),
        ("aaaaaaaaaa", "te makkelijk te raden"),
        ("wachtwoord123", "te makkelijk te raden"),
        ("Kort1!", "minstens 10 tekens"),
        ("x" * 201, "hoogstens 200 tekens"),
    ],
)
def test_a_weak_password_is_refused_with_what_to_do(password, words):
    problem = accounts.password_problem(password)
    assert problem is not None and words in problem
    if "raden" in words or "minstens" in words:
        assert "drie of vier losse woorden" in problem


def test_a_strong_password_passes_and_the_username_does_not_count_as_strength():
    assert accounts.password_problem("paars fietsenrek zee") is None
    assert accounts.password_problem("korianderlombok", username="korianderlombok") is not None


def test_every_place_that_sets_a_password_checks_its_strength(sqlite_world):
    engine, admin = sqlite_world["engine"], sqlite_world["actors"]["admin"]
    anja = sqlite_world["actors"]["anja"]
    with db.unit_of_work(engine) as session:
        with pytest.raises(InvalidInput) as created:
            accounts.create_user(session=session, actor=admin, username="nieuw", role="admin",
                                 password="aaaaaaaaaa")  # fmt: skip
        with pytest.raises(InvalidInput) as own:
            accounts.set_password(
                session=session, actor=anja, user_id=anja.user_id, password="wachtwoord123"
            )
        with pytest.raises(InvalidInput) as reset:
            accounts.set_password(
                session=session, actor=admin, user_id=anja.user_id, password=" " * 10
            )
        with pytest.raises(InvalidInput) as cli:
            accounts.create_admin(session=session, username="root", password="wachtwoord123")
    for error in (created, own, reset, cli):
        assert set(error.value.field_errors) == {"password"}


# --- Limits per client ----------------------------------------------------------------------


def test_posting_is_limited_per_client_across_accounts(sqlite_world, monkeypatch):
    monkeypatch.setitem(
        limits.QUOTAS, "create", limits.Quota(limits.DAY, per_user=(30, 300), per_client=2)
    )
    actors = sqlite_world["actors"]
    anja = Actor(**{**actors["anja"].__dict__, "client": "ip:1"})
    zuilen = Actor(**{**actors["zuilen"].__dict__, "client": "ip:1"})
    elsewhere = Actor(**{**actors["zuilen"].__dict__, "client": "ip:2"})

    def post(actor, org):
        with db.unit_of_work(sqlite_world["engine"]) as session:
            return posts.create_need(session=session, actor=actor, organisation_id=org,
                                     form=posts.PostForm(kind="goods", title="Stoelen"), today=TODAY)  # fmt: skip

    post(anja, sqlite_world["pan"])
    post(zuilen, sqlite_world["other"])
    with pytest.raises(NotAllowed, match="grens van 2 per dag"):
        post(anja, sqlite_world["pan"])  # a fresh account from the same client would not help
    post(elsewhere, sqlite_world["other"])


def test_a_refused_or_failed_action_is_not_counted_for_the_client(sqlite_world):
    anja = Actor(**{**sqlite_world["actors"]["anja"].__dict__, "client": "ip:1"})
    with pytest.raises(InvalidInput), db.unit_of_work(sqlite_world["engine"]) as session:
        posts.create_need(session=session, actor=anja, organisation_id=sqlite_world["pan"],
                          form=posts.PostForm(kind="goods", title=""), today=TODAY)  # fmt: skip
    with Session(sqlite_world["engine"]) as session:
        assert session.exec(select(func.count()).select_from(RateEvent)).one() == 0


def test_the_limiter_is_generic_for_actions_to_come(sqlite_engine):
    """Sign-up and password reset do not exist yet; their limits are ready by name."""
    with db.unit_of_work(sqlite_engine) as session:
        for _ in range(limits.QUOTAS["password_reset"].per_subject):
            limits.allow(session, "password_reset", client="ip:1", subject="joke")
        with pytest.raises(NotAllowed, match="per uur"):
            limits.allow(session, "password_reset", client="ip:1", subject="joke")
        limits.allow(session, "password_reset", client="ip:1", subject="anja")
        for _ in range(limits.QUOTAS["sign_up"].per_client):
            limits.allow(session, "sign_up", client="ip:1")
        with pytest.raises(NotAllowed, match="per dag"):
            limits.allow(session, "sign_up", client="ip:1")
        limits.allow(session, "sign_up", client="ip:2")
