"""Staff add and change organisations: an administrator anywhere, a broker only in their own
areas; the same checks as the profile page and the import; every change audited."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from samenspel.services import organisations
from samenspel.services.errors import InvalidInput, NotAllowed
from samenspel.services.organisations import ProfileForm
from samenspel.storage import db
from samenspel.storage.models import AuditEvent, Contact, Organisation


def new_form(**changes) -> ProfileForm:
    values = dict(
        name="Energiefixers Lombok",
        role="partner",
        partner_type="volunteers",
        legal_form="association",
        neighbourhood="Lombok",
        description="We helpen met de energierekening.",
        contact_person="Fatima",
        contact_email="fatima@energiefixers.example",
        contact_phone="06-12345678",
    )
    values.update(changes)
    return ProfileForm(**values)


def create(world, who: str, form: ProfileForm) -> int:
    with db.unit_of_work(world["engine"]) as session:
        org = organisations.create_organisation(
            session=session, actor=world["actors"][who], form=form
        )
        return org.id


def update(world, who: str, organisation_id: int, form: ProfileForm) -> None:
    with db.unit_of_work(world["engine"]) as session:
        organisations.update_profile(
            session=session, actor=world["actors"][who], organisation_id=organisation_id, form=form
        )


def stored(world, organisation_id: int) -> tuple[Organisation, Contact | None]:
    with Session(world["engine"]) as session:
        org = session.get(Organisation, organisation_id)
        contact = session.exec(select(Contact).where(Contact.organisation_id == org.id)).first()
        return org, contact


def audit(world, action: str) -> list[AuditEvent]:
    with Session(world["engine"]) as session:
        query = select(AuditEvent).where(
            AuditEvent.entity == "organisation", AuditEvent.action == action
        )
        return list(session.exec(query))


def count(world) -> int:
    with Session(world["engine"]) as session:
        return len(session.exec(select(Organisation.id)).all())


def test_an_administrator_adds_an_organisation_with_its_contact_person_anywhere(world):
    org_id = create(world, "admin", new_form(neighbourhood="Overvecht", postcode=""))
    org, contact = stored(world, org_id)
    assert (org.name, org.role, org.partner_type, org.legal_form, org.neighbourhood) == (
        "Energiefixers Lombok",
        "partner",
        "volunteers",
        "association",
        "Overvecht",
    )
    assert org.lat is not None and org.lon is not None  # the neighbourhood's place
    assert (contact.person, contact.email, contact.phone) == (
        "Fatima",
        "fatima@energiefixers.example",
        "06-12345678",
    )
    (event,) = audit(world, "create")
    assert (event.entity_id, event.user_id) == (org_id, world["actors"]["admin"].user_id)


def test_a_new_organisation_gets_the_kind_the_import_would_give_it(world):
    initiative = create(world, "admin", new_form(name="Taalcafé Lombok", role="initiative",
                                                 partner_type=None))  # fmt: skip
    partner = create(world, "admin", new_form(name="Bakker Lombok", partner_type=None))
    assert stored(world, initiative)[0].partner_type == "initiative"
    assert stored(world, partner)[0].partner_type == "business"


def test_a_broker_adds_an_organisation_in_their_own_area_and_is_refused_elsewhere(world):
    org_id = create(world, "sanne", new_form())
    assert stored(world, org_id)[0].neighbourhood == "Lombok"
    before = count(world)
    for elsewhere in ("Zuilen", ""):
        with pytest.raises(InvalidInput) as refused:
            create(world, "sanne", new_form(name="Buurtmoestuin Zuilen", neighbourhood=elsewhere))
        assert set(refused.value.field_errors) == {"neighbourhood"}
    assert count(world) == before
    assert len(audit(world, "create")) == 1


def test_a_broker_cannot_move_an_organisation_out_of_their_areas(world):
    pan = organisations.ProfileForm(name="Buurtkeuken De Pan", neighbourhood="Zuilen")
    with pytest.raises(InvalidInput) as refused:
        update(world, "sanne", world["pan"], pan)
    assert set(refused.value.field_errors) == {"neighbourhood"}
    assert stored(world, world["pan"])[0].neighbourhood == "Lombok"
    # A broker of Zuilen cannot touch an organisation in Lombok at all.
    with pytest.raises(NotAllowed):
        update(world, "noord", world["pan"], pan)
    assert stored(world, world["pan"])[0].neighbourhood == "Lombok"
    assert audit(world, "update") == []


def test_a_broker_changes_an_organisation_in_their_area_and_the_audit_names_the_fields(world):
    with db.unit_of_work(world["engine"], read_only=True) as session:
        form = organisations.profile_form(
            session=session, actor=world["actors"]["sanne"], organisation_id=world["pan"]
        )
    assert (form.name, form.role, form.neighbourhood, form.contact_person) == (
        "Buurtkeuken De Pan",
        "initiative",
        "Lombok",
        "Anja",
    )
    form.role, form.partner_type, form.contact_phone = "partner", "venue", "06-22222222"
    update(world, "sanne", world["pan"], form)
    org, contact = stored(world, world["pan"])
    assert (org.role, org.partner_type, contact.phone) == ("partner", "venue", "06-22222222")
    (event,) = audit(world, "update")
    assert event.detail.split(", ") == ["role", "partner_type", "contact_phone"]


def test_only_staff_add_organisations_or_change_what_kind_one_is(world):
    with pytest.raises(NotAllowed):
        create(world, "anja", new_form())
    with pytest.raises(NotAllowed):
        update(world, "anja", world["pan"], ProfileForm(name="De Pan", role="partner"))
    assert stored(world, world["pan"])[0].role == "initiative"
    with pytest.raises(NotAllowed), db.unit_of_work(world["engine"], read_only=True) as session:
        organisations.profile_form(
            session=session, actor=world["actors"]["noord"], organisation_id=world["pan"]
        )


def test_a_new_organisation_gets_the_checks_of_the_profile_and_the_import(world):
    before = count(world)
    with pytest.raises(InvalidInput) as refused:
        create(world, "admin", new_form(
            name=" ", role="bank", partner_type="bank", legal_form="bv", contact_email="geen-adres",
            contact_phone="0" * 51, description="x" * 2001, address="Nergensstraat 1, Atlantis",
            neighbourhood="",
        ))  # fmt: skip
    assert set(refused.value.field_errors) == {
        "name", "role", "partner_type", "legal_form", "contact_email", "contact_phone",
        "description", "address",
    }  # fmt: skip
    with pytest.raises(InvalidInput) as no_role:
        create(world, "admin", new_form(role=None))
    assert set(no_role.value.field_errors) == {"role"}
    assert count(world) == before


def test_two_organisations_cannot_share_a_name_but_one_keeps_its_own(world):
    with pytest.raises(InvalidInput) as refused:
        create(world, "admin", new_form(name="buurtkeuken de pan"))
    assert set(refused.value.field_errors) == {"name"}
    with pytest.raises(InvalidInput):
        update(world, "admin", world["boog"], ProfileForm(name="Buurtkeuken De Pan",
                                                          neighbourhood="Lombok"))  # fmt: skip
    # Saving De Pan under its own name is no clash with itself.
    update(world, "admin", world["pan"], ProfileForm(name="Buurtkeuken De Pan",
                                                     neighbourhood="Lombok"))  # fmt: skip


def test_the_neighbourhoods_offered_are_a_brokers_own_or_every_known_one(world):
    with db.unit_of_work(world["engine"], read_only=True) as session:
        sanne = organisations.neighbourhood_choices(session=session, actor=world["actors"]["sanne"])
        admin = organisations.neighbourhood_choices(session=session, actor=world["actors"]["admin"])
        with pytest.raises(NotAllowed):
            organisations.neighbourhood_choices(session=session, actor=world["actors"]["anja"])
    assert sanne == ["Lombok"]
    assert {"Lombok", "Zuilen", "Overvecht", "Leidsche Rijn"} <= set(admin)
