"""Getting in, in the running app (AppTest): an organisation signs up on "Aanmelden", opens
the link from its mail, waits for the broker (who sees it on "Nieuw voor jullie" and approves
it on "Organisaties"), then logs in; and "Wachtwoord vergeten" leads through the mailed link
to a new password. The links are read from the queued mails (OutboxMessage rows), as the
person would read them in their mailbox; helper W's worker sends them for real elsewhere."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from samenspel.services import accounts
from samenspel.storage import db
from samenspel.storage.models import Organisation, OutboxMessage, User
from samenspel.web.ui import TOKEN_KEY
from tests.app.conftest import log_in, shown
from tests.conftest import APP

SIGNUP = "samenspel/web/views/signup.py"
LINK = "samenspel/web/views/account_link.py"
FORGOT = "samenspel/web/views/forgot.py"
LOGIN = "samenspel/web/views/login.py"
ORGANISATIONS = "samenspel/web/views/organisations.py"
PASSWORD = "paars fietsenrek zee"
NEW_PASSWORD = "groene kikker op de brug"
THANKS = "Dank je wel! Kijk nu in je mail. Daar staat wat je verder moet doen."
SAME_ANSWER = "Als dit adres bij ons bekend is, krijg je een mail met een link."


def engine():
    return db.engine_for(db.settings.database_url())


def fresh_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=120)


def mails(kind: str) -> list[OutboxMessage]:
    with Session(engine()) as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == kind)
        return list(session.exec(query.order_by(OutboxMessage.id)))


def token_in(message: OutboxMessage) -> str:
    (url,) = re.findall(r"https?://\S+/account_link\?\S+", message.body_text)
    return parse_qs(urlsplit(url).query)["token"][0]


def open_link(token: str) -> AppTest:
    """A new tab on the link from a mail (nobody logged in)."""
    at = fresh_app()
    at.query_params["token"] = token
    return at.switch_page(LINK).run()


def sign_up(name: str, email: str, *, neighbourhood: str = "Lombok") -> AppTest:
    at = fresh_app().run()
    at.switch_page(SIGNUP).run()
    at.text_input(key="signup_name").input(name)
    at.radio(key="signup_role").set_value("partner")
    at.selectbox(key="signup_partner_type").set_value("art_collective")
    at.selectbox(key="signup_neighbourhood").set_value(neighbourhood)
    at.text_input(key="signup_person").input("Mo")
    at.text_input(key="signup_email").input(email)
    at.text_input(key="signup_password").input(PASSWORD)
    (submit,) = [b for b in at.button if b.label == "Aanmelden"]
    return submit.click().run()


def submit_login(username: str, password: str) -> AppTest:
    at = fresh_app().run()
    at.switch_page(LOGIN).run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def errors(at: AppTest) -> list[str]:
    return [shown(e.value) for e in at.error]


def test_an_organisation_signs_up_confirms_and_gets_in_after_the_brokers_yes(demo_users):
    at = sign_up("Kunstcollectief Het Atelier", "mo@atelier.example")
    assert not at.exception
    assert [s.value for s in at.success] == [THANKS]
    with Session(engine()) as session:
        org = session.exec(
            select(Organisation).where(Organisation.name == "Kunstcollectief Het Atelier")
        ).one()
    assert (org.approval, org.role, org.partner_type) == ("pending", "partner", "art_collective")
    (confirmation,) = mails("confirm_email")
    assert confirmation.to_address == "mo@atelier.example"

    refused = submit_login("mo@atelier.example", PASSWORD)
    assert errors(refused) == ["Bevestig eerst je e-mailadres: kijk in je mail."]
    assert TOKEN_KEY not in refused.session_state

    link = open_link(token_in(confirmation))
    assert not link.exception
    (button,) = [b for b in link.button if b.label == "Ja, dit is mijn e-mailadres"]
    button.click().run()
    assert [s.value for s in link.success] == ["Dank je wel! Je e-mailadres is bevestigd."]
    assert any("buurtmakelaar van Lombok" in shown(m.value) for m in link.markdown)
    # The same link again, in another tab: used up, and it says so.
    again = open_link(token_in(confirmation))
    assert errors(again) == ["Deze link is al gebruikt."]
    assert not [b for b in again.button if b.label == "Ja, dit is mijn e-mailadres"]

    assert errors(submit_login("mo@atelier.example", PASSWORD)) == [
        "Je aanmelding wacht nog op de buurtmakelaar."
    ]

    broker = fresh_app()
    log_in(broker, demo_users["makelaar"])
    broker.run()
    assert [t.value for t in broker.title] == ["Nieuw voor jullie"]
    assert any(
        "Nieuwe organisaties die op jouw goedkeuring wachten: 1" in m.value for m in broker.markdown
    ), [m.value for m in broker.markdown]
    broker.switch_page(ORGANISATIONS).run()
    assert [s.value for s in broker.subheader][0] == "Aanmeldingen die op jou wachten (1)"
    listed = [shown(c.value) for c in broker.caption]
    assert any("Aangemeld door Mo (mo@atelier.example)" in c for c in listed)
    broker.button(key=f"orgs_approve_{org.id}").click().run()
    assert not broker.exception
    assert [shown(s.value) for s in broker.success] == [
        "Kunstcollectief Het Atelier is goedgekeurd en kan nu inloggen. Ze krijgen een mail."
    ]
    assert "Aanmeldingen die op jou wachten (1)" not in [s.value for s in broker.subheader]
    (welcome,) = mails("signup_approved")
    assert welcome.to_address == "mo@atelier.example"

    logged_in = submit_login("mo@atelier.example", PASSWORD)
    assert not logged_in.exception and errors(logged_in) == []
    assert TOKEN_KEY in logged_in.session_state


def test_a_known_address_gets_the_same_answer_on_the_page(demo_users):
    with Session(engine()) as session:
        user = session.get(User, demo_users["partner"])
        user.email = "kade@example.org"
        session.commit()
    known = sign_up("Nog Een Collectief", "kade@example.org")
    new = sign_up("Weer Een Collectief", "nieuw@example.org")
    assert [s.value for s in known.success] == [s.value for s in new.success] == [THANKS]
    assert [m.to_address for m in mails("signup_known")] == ["kade@example.org"]
    assert [m.to_address for m in mails("confirm_email")] == ["nieuw@example.org"]


def test_a_refused_field_shows_under_its_input_and_keeps_what_was_typed(demo_users):
    at = sign_up("Kunstcollectief Het Atelier", "geen-adres")
    assert errors(at) == ["Dit e-mailadres klopt niet. Het ziet eruit als naam@voorbeeld.nl."]
    assert at.text_input(key="signup_name").value == "Kunstcollectief Het Atelier"
    assert mails("confirm_email") == []


def test_a_tampered_link_is_refused_with_a_clear_message(demo_users):
    sign_up("Kunstcollectief Het Atelier", "mo@atelier.example")
    token = token_in(mails("confirm_email")[0])
    at = open_link(token[:-3] + "abc")
    assert errors(at) == ["Deze link klopt niet. Gebruik de link uit de mail, helemaal."]
    assert not at.exception and not [b for b in at.button if "e-mailadres" in b.label]
    with Session(engine()) as session:
        user = session.exec(select(User).where(User.email == "mo@atelier.example")).one()
    assert user.email_confirmed_at is None


def ask_for_reset(email: str) -> AppTest:
    at = fresh_app().run()
    at.switch_page(FORGOT).run()
    at.text_input(key="forgot_email").input(email)
    (submit,) = [b for b in at.button if b.label == "Stuur mij een link"]
    return submit.click().run()


def test_a_forgotten_password_is_set_again_through_the_mailed_link(demo_users):
    with Session(engine()) as session:
        user = User(username="joke", display_name="Joke", role="broker", areas="Lombok",
                    email="joke@buurt.example", password_hash=accounts.hash_password(PASSWORD))  # fmt: skip
        session.add(user)
        session.commit()
        joke = user.id
    # From the login page's link.
    at = fresh_app().run()
    at.switch_page(LOGIN).run()
    assert "Wachtwoord vergeten?" in [p.proto.label for p in at.get("page_link")]
    unknown = ask_for_reset("niemand@nergens.example")
    known = ask_for_reset("Joke@Buurt.example")
    assert [s.value for s in unknown.success] == [s.value for s in known.success] == [SAME_ANSWER]
    (message,) = mails("reset_password")
    assert message.to_address == "joke@buurt.example"

    tab = fresh_app()
    log_in(tab, joke)  # still logged in somewhere with the old password
    tab.run()

    link = open_link(token_in(message))
    link.text_input(key="account_password").input(NEW_PASSWORD)
    link.text_input(key="account_repeat").input("iets anders dan dat")
    (save,) = [b for b in link.button if b.label == "Wachtwoord bewaren"]
    save.click().run()
    assert errors(link) == ["De twee wachtwoorden zijn niet hetzelfde. Typ ze opnieuw."]
    link.text_input(key="account_repeat").input(NEW_PASSWORD)
    (save,) = [b for b in link.button if b.label == "Wachtwoord bewaren"]
    save.click().run()
    assert not link.exception
    assert [s.value for s in link.success] == [
        "Je nieuwe wachtwoord is bewaard. Je bent overal uitgelogd."
    ]
    tab.run()
    assert TOKEN_KEY not in tab.session_state  # the other login ended
    assert errors(submit_login("joke", PASSWORD)) == ["Gebruikersnaam of wachtwoord klopt niet."]
    assert TOKEN_KEY in submit_login("joke", NEW_PASSWORD).session_state
    assert errors(open_link(token_in(message))) == ["Deze link is al gebruikt."]
