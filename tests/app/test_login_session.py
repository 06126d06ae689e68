"""Login sessions in the running app (AppTest): a login is a row in the database, checked on
every rerun and before every button action; logout ends it everywhere; the first
administrator needs the code from the server's log. The cookie (a reload and a second tab
keep the login) needs a real browser: tests/e2e/test_login_cookie.py."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import streamlit as st
from sqlmodel import Session, select, update
from streamlit.testing.v1 import AppTest

from samenspel.services import accounts
from samenspel.services.permissions import Actor
from samenspel.storage import db
from samenspel.storage.models import LoginSession, Match, User, utcnow
from samenspel.web.ui import COOKIE_NAME, TOKEN_KEY, plain
from tests.app.conftest import log_in, shown
from tests.conftest import APP

PASSWORD = "paars fietsenrek zee"


def engine():
    return db.engine_for(db.settings.database_url())


def add_broker(username: str) -> int:
    with Session(engine()) as session:
        user = User(username=username, display_name=username.title(), role="broker",
                    areas="Lombok", password_hash=accounts.hash_password(PASSWORD))  # fmt: skip
        session.add(user)
        session.commit()
        return user.id


def session_row(token: str) -> LoginSession:
    with Session(engine()) as session:
        digest = hashlib.sha256(token.encode()).hexdigest()
        return session.exec(select(LoginSession).where(LoginSession.token_hash == digest)).one()


def fresh_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=120)


def logged_in_as(at: AppTest) -> list[str]:
    """The sidebar's "Ingelogd als" line. AppTest shows the sidebar only while the app is on
    its default page (after switch_page its tree holds the page's own elements)."""
    return [c.value for c in at.sidebar.caption if c.value.startswith("Ingelogd als")]


def tab_with(token: str) -> AppTest:
    """A new tab (or a reload) that brings this login along, as the cookie would. Its first
    run passes through app.py, where the sidebar and the logout notice are."""
    at = fresh_app()
    at.session_state[TOKEN_KEY] = token
    return at.run()


def notices(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def cookie_scripts(at: AppTest) -> str:
    return " ".join(h.proto.body for h in at.sidebar.get("html"))


def submit_login(at: AppTest, username: str, password: str) -> AppTest:
    at.switch_page("samenspel/web/views/login.py").run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()  # the form's submit button


def test_logging_in_starts_a_session_in_the_database(demo_users):
    add_broker("inlogger")
    at = submit_login(fresh_app().run(), "inlogger", PASSWORD)
    assert not at.exception
    assert [t.value for t in at.title] == ["Nieuw voor jullie"]  # where a login starts
    token = at.session_state[TOKEN_KEY]
    row = session_row(token)
    assert row.revoked_at is None and row.expires_at > utcnow()


def test_the_page_puts_the_login_in_a_strict_cookie(demo_users):
    at = fresh_app()
    token = log_in(at, add_broker("koekje"))
    at.run()
    assert logged_in_as(at) == ["Ingelogd als Koekje"]
    scripts = cookie_scripts(at)
    assert f"{COOKIE_NAME}={token}; path=/;" in scripts and "SameSite=Strict" in scripts


def test_demo_accounts_do_not_log_in_without_a_local_client(demo_users):
    """AppTest has no browser and no client address: not known to be local, so refused."""
    at = submit_login(fresh_app().run(), "makelaar", "demo")
    assert [e.value for e in at.error] == [
        plain("Demo-accounts werken alleen op de computer waar Samenspel draait.")
    ]
    assert TOKEN_KEY not in at.session_state


def test_wrong_passwords_get_one_answer_for_known_and_unknown_names(demo_users):
    add_broker("bekend")
    known = submit_login(fresh_app().run(), "bekend", "fout wachtwoord")
    unknown = submit_login(fresh_app().run(), "onbekend", "fout wachtwoord")
    assert [e.value for e in known.error] == [e.value for e in unknown.error]
    assert [e.value for e in known.error] == ["Gebruikersnaam of wachtwoord klopt niet."]


def make_idle(token: str) -> None:
    """Idle for longer than the timeout, as stored in the database (any instance's view)."""
    with Session(engine()) as session:
        session.exec(
            update(LoginSession)
            .where(LoginSession.id == session_row(token).id)
            .values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
        session.commit()


def test_after_the_idle_timeout_the_next_rerun_logs_out_and_says_why(demo_users):
    at = fresh_app()
    token = log_in(at, add_broker("slaapt"))
    at.run()
    assert logged_in_as(at) == ["Ingelogd als Slaapt"]
    make_idle(token)
    at.run()
    assert TOKEN_KEY not in at.session_state
    reload = tab_with(token)
    assert logged_in_as(reload) == [] and TOKEN_KEY not in reload.session_state
    assert notices(reload) == ["Je was een tijd niet actief en bent uitgelogd. Log opnieuw in."]


def test_after_the_idle_timeout_a_button_callback_cannot_act(demo_users):
    """Callbacks run before app.py: the check in ui.actor() must stop them by itself."""
    at = fresh_app()
    token = log_in(at, demo_users["makelaar"])
    at.run()
    at.switch_page("samenspel/web/views/review.py").run()
    button = next(b for b in at.button if b.key and b.key.startswith("review_ok_"))
    match_id = int(button.key.removeprefix("review_ok_"))
    make_idle(token)
    button.click().run()
    with Session(engine()) as session:
        assert session.get(Match, match_id).status == "suggested"  # not introduced
    assert at.session_state["review_problems"] == [plain("Log eerst in.")]
    assert TOKEN_KEY not in at.session_state
    # The router runs again as a logged-out visitor: the broker's page is gone, and why is said.
    assert not any(b.key and b.key.startswith("review_ok_") for b in at.button)
    assert any("niet actief" in i.value for i in at.info)


def test_a_user_disabled_on_another_instance_is_out_on_the_next_rerun(demo_users):
    user_id = add_broker("wordtuitgezet")
    at = fresh_app()
    token = log_in(at, user_id)
    at.run()
    assert logged_in_as(at) == ["Ingelogd als Wordtuitgezet"]
    other_instance = db.make_engine(db.settings.database_url())
    try:
        with db.unit_of_work(other_instance) as session:
            admin = Actor(user_id=demo_users["beheer"], role="admin")
            accounts.set_active(session=session, actor=admin, user_id=user_id, active=False)
    finally:
        other_instance.dispose()
    at.run()
    assert TOKEN_KEY not in at.session_state
    reload = tab_with(token)
    assert logged_in_as(reload) == []
    assert notices(reload) == ["Je bent uitgelogd. Log opnieuw in."]
    reload.switch_page("samenspel/web/views/review.py").run()  # the broker's pages are gone
    assert not reload.title
    assert [e.value for e in reload.info] == [
        "Log eerst in om deze pagina te zien. Dat kan bij 'Inloggen' in het menu."
    ]


def test_logout_ends_the_session_in_every_tab(demo_users):
    first = fresh_app()
    token = log_in(first, add_broker("tweetabs"))
    first.run()
    second = tab_with(token)
    assert logged_in_as(second) == ["Ingelogd als Tweetabs"]
    first.switch_page("samenspel/web/views/login.py").run()
    first.button(key="login_logout").click().run()
    assert TOKEN_KEY not in first.session_state
    assert session_row(token).revoked_at is not None
    second.run()
    assert TOKEN_KEY not in second.session_state
    assert notices(tab_with(token)) == ["Je bent uitgelogd. Log opnieuw in."]


@pytest.fixture
def new_installation(tmp_path, monkeypatch):
    """Demo mode off on an empty database: the app must first ask for an administrator."""
    monkeypatch.setenv("SAMENSPEL_DEMO", "0")
    monkeypatch.setenv("SAMENSPEL_DATABASE_URL", f"sqlite:///{tmp_path / 'nieuw.db'}")
    st.cache_resource.clear()  # get_engine() is one per process: let it open this database
    st.cache_data.clear()
    yield db.engine_for(db.settings.database_url())
    st.cache_resource.clear()
    st.cache_data.clear()


def test_the_first_administrator_needs_the_code_from_the_server_log(new_installation, capfd):
    at = fresh_app().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Welkom bij Samenspel"]
    (code,) = re.findall(r"een keer te gebruiken\): (\S+)", capfd.readouterr().err)

    def fill(token: str) -> AppTest:
        at.text_input(key="setup_token").input(token)
        at.text_input(key="setup_username").input("beheerder")
        at.text_input(key="setup_password").input(PASSWORD)
        return at.button[0].click().run()

    fill("geraden")
    assert any("Deze code klopt niet of is verlopen" in e.value for e in at.error)
    with Session(new_installation) as session:
        assert session.exec(select(User)).all() == []
    fill(code)
    assert not at.exception
    admin_tab = tab_with(at.session_state[TOKEN_KEY])  # logged in right away
    assert logged_in_as(admin_tab) == ["Ingelogd als beheerder"]
    admin_tab.switch_page(
        "samenspel/web/views/admin.py"
    ).run()  # registered only for an administrator
    assert [t.value for t in admin_tab.title] == ["Beheer"] and not admin_tab.error
    with Session(new_installation) as session:
        (admin,) = session.exec(select(User)).all()
    assert (admin.username, admin.role) == ("beheerder", "admin")


def admin_page_for(admin_id: int, user_id: int) -> AppTest:
    at = fresh_app()
    log_in(at, admin_id)
    at.run()
    at.switch_page("samenspel/web/views/admin.py").run()
    return at.selectbox(key="admin_target").set_value(user_id).run()


def test_the_admin_form_shows_who_is_disabled_and_never_enables_silently(demo_users):
    user_id = add_broker("staatuit")
    # Another administrator's page, opened while the user may still log in.
    stale = admin_page_for(demo_users["beheer"], user_id)
    assert f"admin_disable_{user_id}" in {b.key for b in stale.button}
    # Disabling is a button of its own, outside the form.
    at = admin_page_for(demo_users["beheer"], user_id)
    at.button(key=f"admin_disable_{user_id}").click().run()
    assert [shown(m.value) for m in at.success] == [
        "Gebruiker 'staatuit' is uitgezet en overal uitgelogd."
    ]
    users = at.dataframe[0].value  # the first tab: users
    assert users.set_index("username").loc["staatuit"]["mag inloggen"] == "nee"
    assert f"admin_disable_{user_id}" not in {b.key for b in at.button}
    # The stale page saves a new role and areas: the user stays disabled.
    stale.multiselect(key=f"admin_new_areas_{user_id}").set_value(["Lombok", "Zuilen"])
    stale.button(key="FormSubmitter:admin_change-Wijzigen").click().run()
    assert [m.value for m in stale.success] == ["Gebruiker gewijzigd."]
    with Session(engine()) as session:
        user = session.get(User, user_id)
        assert (user.areas, user.is_active) == ("Lombok;Zuilen", False)
    # A new name from the fresh page: still disabled.
    at.text_input(key=f"admin_new_name_{user_id}").input("Staat Uit")
    at.button(key="FormSubmitter:admin_change-Wijzigen").click().run()
    with Session(engine()) as session:
        user = session.get(User, user_id)
        assert (user.display_name, user.is_active) == ("Staat Uit", False)
    # Enabling is a choice of its own, and says so.
    at.button(key=f"admin_enable_{user_id}").click().run()
    assert [shown(m.value) for m in at.success] == ["Gebruiker 'staatuit' mag weer inloggen."]
    with Session(engine()) as session:
        assert session.get(User, user_id).is_active
