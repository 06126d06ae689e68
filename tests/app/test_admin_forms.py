"""The user and organisation forms: editing shows the record chosen, never what another one
had; after adding one the add form is empty; a refused form keeps what was typed; a broker
adds organisations only in their own areas."""

from __future__ import annotations

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from samenspel.storage import db
from samenspel.storage.models import AuditEvent, Contact, Organisation, User
from tests.app.conftest import log_in, shown
from tests.conftest import APP

STRONG = "Fiets-Kanaal-Wolk-93"


def engine():
    return db.engine_for(db.settings.database_url())


def open_page(user_id: int, path: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, user_id)
    at.run()
    return at.switch_page(path).run()


def user_named(username: str) -> User | None:
    with Session(engine()) as session:
        return session.exec(select(User).where(User.username == username)).first()


def organisation_named(name: str) -> tuple[Organisation | None, Contact | None]:
    with Session(engine()) as session:
        org = session.exec(select(Organisation).where(Organisation.name == name)).first()
        if org is None:
            return None, None
        contact = session.exec(select(Contact).where(Contact.organisation_id == org.id)).first()
        return org, contact


def errors(at: AppTest) -> set[str]:
    return {shown(e.value) for e in at.error}


# --- users ---------------------------------------------------------------------------------


def test_editing_a_user_shows_that_users_own_role_organisation_and_areas(demo_users):
    at = open_page(demo_users["beheer"], "samenspel/web/views/admin.py")
    with Session(engine()) as session:
        people = {name: session.get(User, demo_users[name]) for name in
                  ("initiatief", "partner", "makelaar", "beheer", "initiatief")}  # fmt: skip
    # Back and forth: each time the form is the chosen user's, whatever was shown before.
    for name in ("initiatief", "partner", "makelaar", "beheer", "initiatief"):
        person = people[name]
        at.selectbox(key="admin_target").set_value(person.id).run()
        assert not at.exception
        assert at.selectbox(key=f"admin_new_role_{person.id}").value == person.role, name
        assert at.selectbox(key=f"admin_new_org_{person.id}").value == person.organisation_id
        areas = [a for a in person.areas.split(";") if a]
        assert at.multiselect(key=f"admin_new_areas_{person.id}").value == areas, name
    assert people["partner"].organisation_id not in (None, people["initiatief"].organisation_id)
    assert people["makelaar"].areas  # the broker's areas were really shown above


def test_after_adding_a_user_the_add_form_is_empty_and_a_refusal_keeps_what_was_typed(
    demo_users,
):
    partner_org = user_named("partner").organisation_id
    at = open_page(demo_users["beheer"], "samenspel/web/views/admin.py")

    def new(field: str) -> str:
        return f"admin_new{at.session_state['admin_new_count']}_{field}"

    at.text_input(key=new("username")).input("vrijwilliger-kade")
    at.text_input(key=new("name")).input("Vrijwilliger De Kade")
    at.selectbox(key=new("role")).set_value("partner")
    at.selectbox(key=new("org")).set_value(partner_org)
    at.text_input(key=new("password")).input("aaaaaaaaaa")  # too easy: refused
    at.button(key="FormSubmitter:admin_new-Toevoegen").click().run()
    assert at.error and user_named("vrijwilliger-kade") is None
    assert at.text_input(key=new("username")).value == "vrijwilliger-kade"
    assert at.selectbox(key=new("org")).value == partner_org

    at.text_input(key=new("password")).input(STRONG)
    at.button(key="FormSubmitter:admin_new-Toevoegen").click().run()
    assert not at.exception and not at.error
    assert [shown(s.value) for s in at.success] == ["Gebruiker 'vrijwilliger-kade' toegevoegd."]
    added = user_named("vrijwilliger-kade")
    assert (added.role, added.organisation_id) == ("partner", partner_org)
    # The form is a fresh one: nothing of the user just added is in it.
    assert at.text_input(key=new("username")).value == ""
    assert at.text_input(key=new("name")).value == ""
    assert at.text_input(key=new("password")).value == ""
    assert at.selectbox(key=new("org")).value is None
    assert at.selectbox(key=new("role")).value == "initiative"
    assert at.multiselect(key=new("areas")).value == []

    # A password set for someone does not stay behind in the form either.
    def reset_field():
        return at.text_input(key=f"admin_new_password{at.session_state['admin_reset_count']}")

    at.selectbox(key="admin_who").set_value(added.id)
    reset_field().input(STRONG + "-nieuw")
    at.button(key="FormSubmitter:admin_reset-Opslaan").click().run()
    assert [s.value for s in at.success] == ["Wachtwoord opgeslagen."]
    assert user_named("vrijwilliger-kade").password_hash != added.password_hash
    assert reset_field().value == ""


# --- organisations -------------------------------------------------------------------------


def test_editing_an_organisation_shows_its_own_details(demo_users):
    first, first_contact = organisation_named("Buurtkeuken De Pan")
    second = user_named("partner").organisation_id
    with Session(engine()) as session:
        second_org = session.get(Organisation, second)
        second_contact = session.exec(
            select(Contact).where(Contact.organisation_id == second)
        ).one()
    at = open_page(demo_users["beheer"], "samenspel/web/views/organisations.py")
    for org, contact in ((first, first_contact), (second_org, second_contact), (first, first_contact)):  # fmt: skip
        at.selectbox(key="orgs_target").set_value(org.id).run()
        assert not at.exception
        key = f"orgs_{org.id}"
        assert at.text_input(key=f"{key}_name").value == org.name
        assert at.selectbox(key=f"{key}_role").value == org.role
        assert at.selectbox(key=f"{key}_partner_type").value == org.partner_type
        assert at.selectbox(key=f"{key}_neighbourhood").value == org.neighbourhood
        assert at.text_input(key=f"{key}_person").value == contact.person
        assert at.text_input(key=f"{key}_email").value == contact.email
    assert first.role != second_org.role and first_contact.person != second_contact.person

    at.text_input(key=f"orgs_{first.id}_phone").input("030-7654321")
    at.button(key="FormSubmitter:orgs_edit-Opslaan").click().run()
    assert [shown(s.value) for s in at.success] == ["Organisatie 'Buurtkeuken De Pan' opgeslagen."]
    org, contact = organisation_named("Buurtkeuken De Pan")
    assert contact.phone == "030-7654321"
    assert (org.lat, org.lon) == (first.lat, first.lon)  # the address did not change
    with Session(engine()) as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.entity == "organisation",
                                     AuditEvent.entity_id == first.id, AuditEvent.action == "update")
        ).all()  # fmt: skip
    assert events and events[-1].detail == "contact_phone"


def fill_new_organisation(at: AppTest, name: str, neighbourhood: str, email: str) -> str:
    key = f"orgs_new{at.session_state['orgs_new_count']}"
    at.text_input(key=f"{key}_name").input(name)
    at.selectbox(key=f"{key}_role").set_value("partner")
    at.selectbox(key=f"{key}_partner_type").set_value("venue")
    at.selectbox(key=f"{key}_legal_form").set_value("foundation")
    at.selectbox(key=f"{key}_neighbourhood").set_value(neighbourhood)
    at.text_area(key=f"{key}_description").input("Een zaal voor 60 mensen met een keuken.")
    at.text_input(key=f"{key}_person").input("Joost")
    at.text_input(key=f"{key}_email").input(email)
    return key


def test_after_adding_an_organisation_the_add_form_is_empty(demo_users):
    at = open_page(demo_users["beheer"], "samenspel/web/views/organisations.py")
    key = fill_new_organisation(at, "Wijkzaal Het Anker", "Ondiep", "geen-adres")
    at.button(key="FormSubmitter:orgs_new-Toevoegen").click().run()
    assert "Dit e-mailadres klopt niet." in errors(at)
    assert organisation_named("Wijkzaal Het Anker") == (None, None)
    assert at.text_input(key=f"{key}_name").value == "Wijkzaal Het Anker"  # kept

    at.text_input(key=f"{key}_email").input("joost@hetanker.example")
    at.button(key="FormSubmitter:orgs_new-Toevoegen").click().run()
    assert not at.exception and not at.error
    assert [shown(s.value) for s in at.success] == ["Organisatie 'Wijkzaal Het Anker' toegevoegd."]
    org, contact = organisation_named("Wijkzaal Het Anker")
    assert (org.role, org.partner_type, org.legal_form, org.neighbourhood) == (
        "partner", "venue", "foundation", "Ondiep",
    )  # fmt: skip
    assert (contact.person, contact.email) == ("Joost", "joost@hetanker.example")
    assert org.lat is not None  # placed in its neighbourhood
    fresh = f"orgs_new{at.session_state['orgs_new_count']}"
    assert fresh != key
    for field in ("name", "address", "postcode", "person", "email", "phone"):
        assert at.text_input(key=f"{fresh}_{field}").value == "", field
    assert at.text_area(key=f"{fresh}_description").value == ""
    assert at.selectbox(key=f"{fresh}_role").value == "initiative"
    assert at.selectbox(key=f"{fresh}_neighbourhood").value == ""


def make_broker(username: str, areas: str) -> int:
    with Session(engine()) as session:
        broker = User(username=username, role="broker", areas=areas, display_name=username)
        session.add(broker)
        session.commit()
        return broker.id


def set_areas(user_id: int, areas: str) -> None:
    with Session(engine()) as session:
        session.get(User, user_id).areas = areas
        session.commit()


def test_a_broker_adds_an_organisation_in_their_area_and_is_refused_outside_it(demo_users):
    broker = make_broker("makelaar-lombok-zuilen", "Lombok;Zuilen")
    at = open_page(broker, "samenspel/web/views/organisations.py")
    key = f"orgs_new{at.session_state['orgs_new_count']}"
    assert at.selectbox(key=f"{key}_neighbourhood").options == ["Lombok", "Zuilen"]
    with Session(engine()) as session:
        in_areas = {o.name for o in session.exec(select(Organisation)) if o.neighbourhood in ("Lombok", "Zuilen")}  # fmt: skip
    listed = set(at.dataframe[0].value.iloc[:, 0])
    assert listed == in_areas and listed  # only organisations in the broker's own areas

    fill_new_organisation(at, "Buurtzaal Lombok", "Lombok", "zaal@lombok.example")
    at.button(key="FormSubmitter:orgs_new-Toevoegen").click().run()
    assert [shown(s.value) for s in at.success] == ["Organisatie 'Buurtzaal Lombok' toegevoegd."]
    assert organisation_named("Buurtzaal Lombok")[0].neighbourhood == "Lombok"

    # Zuilen is chosen, then the administrator takes Zuilen away before the broker adds it:
    # the service refuses, whatever the form still offered.
    fill_new_organisation(at, "Buurtzaal Zuilen", "Zuilen", "zaal@zuilen.example")
    set_areas(broker, "Lombok")
    at.button(key="FormSubmitter:orgs_new-Toevoegen").click().run()
    assert not at.exception
    assert "Kies een van jouw eigen buurten." in errors(at)
    assert organisation_named("Buurtzaal Zuilen") == (None, None)
