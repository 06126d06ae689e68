"""The profile form: a valid change is stored; a wrong field shows its message, stores nothing
and keeps what was typed."""

from __future__ import annotations

from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from samenspel.storage import db
from samenspel.storage.models import Contact, Organisation, User
from tests.app.conftest import log_in, shown
from tests.conftest import APP


def open_profile(user_id: int) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, user_id)
    at.run()
    return at.switch_page("samenspel/web/views/profile.py").run()


def organisation_of(user_id: int) -> tuple[Organisation, Contact]:
    with Session(db.engine_for(db.settings.database_url())) as session:
        org = session.get(Organisation, session.get(User, user_id).organisation_id)
        contact = session.query(Contact).filter(Contact.organisation_id == org.id).one()
        return org, contact


def test_a_valid_profile_change_is_stored(demo_users):
    at = open_profile(demo_users["initiatief"])
    at.text_area(key="profile_boundaries").input("We kunnen geen geld beheren. Niet op zondag.")
    at.text_input(key="profile_phone").input("06-99999999")
    at.button[0].click().run()  # the form's "Opslaan"
    assert not at.exception and [s.value for s in at.success] == ["Opgeslagen."]
    org, contact = organisation_of(demo_users["initiatief"])
    assert (
        org.boundaries == "We kunnen geen geld beheren. Niet op zondag."
        and contact.phone == "06-99999999"
    )


def test_a_wrong_email_and_an_empty_name_show_their_messages_and_store_nothing(demo_users):
    before, contact_before = organisation_of(demo_users["initiatief"])
    at = open_profile(demo_users["initiatief"])
    at.text_input(key="profile_name").input("")
    at.text_input(key="profile_email").input("geen-adres")
    at.button[0].click().run()
    assert {shown(e.value) for e in at.error} >= {"Vul een naam in.", "Dit e-mailadres klopt niet."}
    after, contact_after = organisation_of(demo_users["initiatief"])
    assert (after.name, contact_after.email) == (before.name, contact_before.email)
    assert at.text_input(key="profile_email").value == "geen-adres"
