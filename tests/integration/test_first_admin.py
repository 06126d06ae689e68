"""The first administrator: only with a one-time code from the server, exactly once even when
two try at the same moment (two engines = two app instances), and from the command line."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select

from samenspel import cli
from samenspel.services import accounts, limits
from samenspel.services.errors import InvalidInput, NotAllowed
from samenspel.storage import db
from samenspel.storage.models import SetupGuard, SetupToken, User, utcnow

PASSWORD = "een lang wachtwoord"


def new_token(engine, now=None) -> str:
    with db.unit_of_work(engine) as session:
        return accounts.new_setup_token(session=session, now=now)


def create(engine, token, username="beheer", password=PASSWORD, client="ip:1", now=None):
    """As the setup page does it: one unit of work, then the outcome (a wrong code is raised
    only after its failure was committed)."""
    with db.unit_of_work(engine) as session:
        outcome = accounts.create_first_admin(session=session, token=token, username=username,
                                              password=password, client=client, now=now)  # fmt: skip
    return outcome.admin()


def admins(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(User.username).where(User.role == "admin")))


def test_without_the_servers_code_nobody_becomes_administrator(engine):
    with Session(engine) as session:
        assert accounts.needs_first_admin(session)
    with pytest.raises(InvalidInput) as missing:
        create(engine, "")
    with pytest.raises(InvalidInput):
        create(engine, "geraden-code-van-een-bezoeker")
    assert set(missing.value.field_errors) == {"token"}
    assert "samenspel setup-token" in missing.value.field_errors["token"]
    assert admins(engine) == []


def test_the_code_is_stored_hashed_works_once_and_expires(engine):
    t0 = utcnow()
    old = new_token(engine, now=t0 - accounts.SETUP_TOKEN_VALID - timedelta(minutes=1))
    token = new_token(engine, now=t0)
    with Session(engine) as session:
        stored = [row.token_hash for row in session.exec(select(SetupToken))]
    assert token not in stored and old not in stored
    with pytest.raises(InvalidInput) as expired:
        create(engine, old, now=t0)
    assert set(expired.value.field_errors) == {"token"}
    # A weak password is refused and the code stays usable.
    with pytest.raises(InvalidInput) as weak:
        create(engine, token, password="aaaaaaaaaa", now=t0)
    assert set(weak.value.field_errors) == {"password"}
    user = create(engine, f" {token} ", now=t0)
    assert (user.username, user.role, user.is_demo) == ("beheer", "admin", False)
    with Session(engine) as session:
        assert not accounts.needs_first_admin(session)
        assert session.get(SetupGuard, 1).user_id == user.id
    with pytest.raises(NotAllowed, match="Er is al een beheerder"):
        create(engine, new_token(engine), username="tweede")
    assert admins(engine) == ["beheer"]


def test_guessing_codes_is_slowed_down_per_client(engine):
    now = utcnow()
    for _ in range(limits.BACKOFFS["setup"][0].free):
        with pytest.raises(InvalidInput):
            create(engine, "gok", now=now)
    with pytest.raises(NotAllowed, match="Te veel pogingen"):
        create(engine, new_token(engine, now=now), now=now)  # even a right code, for now
    assert create(engine, new_token(engine, now=now), client="ip:2", now=now).role == "admin"


@pytest.mark.parametrize("check_passes", [False, True], ids=["plain", "both-passed-the-check"])
def test_two_simultaneous_setups_make_exactly_one_administrator(
    database_url, monkeypatch, check_passes
):
    """Two instances, each with its own valid code, at the same moment. `both-passed-the-check`
    is the worst case: both see "no administrator yet" (the check cannot save us), so only the
    guard row in the same transaction stands between them."""
    one, two = db.make_engine(database_url), db.make_engine(database_url)
    db.upgrade(one)
    codes = [new_token(one), new_token(two)]
    if check_passes:
        monkeypatch.setattr(accounts, "needs_first_admin", lambda session: True)
    if database_url.startswith("postgresql"):
        # Both transactions are inside create_first_admin before either inserts: hashing
        # waits until the other thread hashes too. (SQLite serialises whole write
        # transactions with BEGIN IMMEDIATE, so there the second simply waits its turn.)
        meet = threading.Barrier(2, timeout=10)
        real_hash = accounts.hash_password

        def hash_together(password):
            meet.wait()
            return real_hash(password)

        monkeypatch.setattr(accounts, "hash_password", hash_together)
    start = threading.Barrier(2, timeout=10)
    outcomes: dict[str, str] = {}

    def attempt(engine, code, username):
        start.wait()
        try:
            create(engine, code, username=username)
            outcomes[username] = "admin"
        except NotAllowed as exc:
            outcomes[username] = str(exc)

    threads = [
        threading.Thread(target=attempt, args=(one, codes[0], "eerste")),
        threading.Thread(target=attempt, args=(two, codes[1], "tweede")),
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes.values()) == ["Er is al een beheerder.", "admin"]
        winner = next(name for name, outcome in outcomes.items() if outcome == "admin")
        assert admins(one) == [winner]
        with Session(one) as session:
            assert session.exec(select(func.count()).select_from(SetupGuard)).one() == 1
    finally:
        one.dispose()
        two.dispose()


def test_an_installation_that_already_had_an_administrator_is_set_up(empty_database_url):
    engine = db.make_engine(empty_database_url)
    try:
        db.upgrade(engine, "0004")
        with engine.begin() as connection:
            connection.execute(
                text(
                    'INSERT INTO "user" (id, username, display_name, password_hash, role, areas,'
                    " language, is_demo, failed_logins, created_at) VALUES"
                    " (7, 'baas', '', 'x', 'admin', '', 'nl', false, 0, '2026-01-01')"
                )
            )
        db.upgrade(engine)
        with Session(engine) as session:
            assert session.get(SetupGuard, 1).user_id == 7
            assert not accounts.needs_first_admin(session)
    finally:
        engine.dispose()


def test_demo_administrators_do_not_count_as_set_up(sqlite_engine):
    with Session(sqlite_engine) as session:
        session.add(User(username="beheer", role="admin", is_demo=True))
        session.commit()
        assert accounts.needs_first_admin(session)


# --- Command line ---------------------------------------------------------------------------


@pytest.fixture
def cli_database(sqlite_url, monkeypatch):
    monkeypatch.setenv("SAMENSPEL_DATABASE_URL", sqlite_url)
    yield db.engine_for(sqlite_url)
    db.engine_for(sqlite_url).dispose()


def test_setup_token_prints_a_code_the_setup_accepts(cli_database, capsys):
    assert cli.main(["setup-token"]) == 0
    token = capsys.readouterr().out.strip()
    assert create(cli_database, token).username == "beheer"
    assert cli.main(["setup-token"]) == cli.EXIT_BAD_INPUT
    assert "er is al een beheerder" in capsys.readouterr().err


def test_create_admin_reads_the_password_from_stdin_and_closes_the_setup(
    cli_database, capsys, monkeypatch
):
    monkeypatch.setattr("sys.stdin", io.StringIO("wachtwoord123\n"))
    assert cli.main(["create-admin", "root", "--password-stdin"]) == cli.EXIT_BAD_INPUT
    assert "te makkelijk te raden" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["create-admin", "Root", "--password-stdin", "--name", "Ruth"]) == 0
    assert "beheerder gemaakt: root" in capsys.readouterr().out
    assert admins(cli_database) == ["root"]
    with Session(cli_database) as session:
        assert not accounts.needs_first_admin(session)
    with db.unit_of_work(cli_database) as session:
        assert accounts.authenticate(
            session=session, username="root", password=PASSWORD, demo_mode=False, client="c"
        )


def test_create_admin_asks_twice_with_getpass(cli_database, capsys, monkeypatch):
    answers = iter([PASSWORD, "iets anders"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert cli.main(["create-admin", "root"]) == cli.EXIT_BAD_INPUT
    assert "niet gelijk" in capsys.readouterr().err
    assert admins(cli_database) == []
