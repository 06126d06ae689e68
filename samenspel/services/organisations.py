"""The organisation profile: what we do, what we can not do ("grenzen"), where, and who."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlmodel import Session, select

from matching.geo import UnknownPlace, default_gazetteer
from samenspel.i18n import t
from samenspel.models import LEGAL_FORMS, Contact, Organisation, join_multi, utcnow
from samenspel.services.audit import record
from samenspel.services.errors import InvalidInput, NotFound
from samenspel.services.permissions import Actor, require_org_editor
from samenspel.services.posts import clean_form

MAX_TEXT = 2000


@dataclass
class ProfileForm:
    name: str
    description: str = ""
    boundaries: str = ""
    legal_form: str = "informal"
    anbi: bool = False
    neighbourhood: str = ""
    address: str = ""
    postcode: str = ""
    lat: float | None = None
    lon: float | None = None
    contact_person: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    conditions: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)


MULTILINE_FIELDS = ("description", "boundaries")


def update_profile(
    *, session: Session, actor: Actor, organisation_id: int, form: ProfileForm
) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(t("Deze organisatie bestaat niet."))
    require_org_editor(actor, org)
    form = clean_form(form, MULTILINE_FIELDS)
    errors: dict[str, str] = {}
    if not form.name.strip():
        errors["name"] = t("Vul een naam in.")
    # Each limit is the column's own (samenspel/models.py): longer text would not fit.
    for name, limit in (
        ("description", MAX_TEXT),
        ("boundaries", MAX_TEXT),
        ("name", 200),
        ("address", 200),
        ("postcode", 10),
        ("contact_person", 200),
        ("contact_email", 200),
        ("contact_phone", 50),
    ):
        if len(getattr(form, name) or "") > limit:
            errors[name] = t("Deze tekst is te lang: hoogstens {n} tekens.", n=limit)
    if len("; ".join(form.themes)) > 500:
        errors["themes"] = t("Deze tekst is te lang: hoogstens {n} tekens.", n=500)
    if form.legal_form not in LEGAL_FORMS:
        errors["legal_form"] = t("Kies een rechtsvorm.")
    if form.contact_email and "@" not in form.contact_email:
        errors["contact_email"] = t("Dit e-mailadres klopt niet.")
    lat, lon = form.lat, form.lon
    if (
        lat is not None
        and lon is not None
        and not (
            math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
        )
    ):
        errors["address"] = t("Deze plek ligt niet op aarde. Klik op de kaart of kies een buurt.")
        lat = lon = None
    if (lat is None or lon is None) and (form.postcode or form.address or form.neighbourhood):
        try:
            place = default_gazetteer().lookup(
                ", ".join(x for x in (form.postcode, form.address, form.neighbourhood) if x)
            )
            lat, lon = place.lat, place.lon
        except UnknownPlace:
            errors["address"] = t(
                "We kunnen dit adres niet vinden. Klik op de kaart of kies een buurt."
            )
    if errors:
        raise InvalidInput(errors)
    org.name, org.description, org.boundaries = (
        form.name.strip(),
        form.description.strip(),
        form.boundaries.strip(),
    )
    org.legal_form, org.anbi, org.neighbourhood = form.legal_form, form.anbi, form.neighbourhood
    org.address, org.postcode, org.lat, org.lon = (
        form.address.strip(),
        form.postcode.strip(),
        lat,
        lon,
    )
    org.conditions, org.themes = join_multi(form.conditions), join_multi(form.themes)
    org.updated_at = utcnow()
    contact = session.exec(select(Contact).where(Contact.organisation_id == org.id)).first()
    if contact is None:
        contact = Contact(organisation_id=org.id)
        session.add(contact)
    contact.person, contact.email, contact.phone = (
        form.contact_person,
        form.contact_email,
        form.contact_phone,
    )
    record(session, user_id=actor.user_id, action="update", entity="organisation", entity_id=org.id)
    session.commit()
    return org


def own_contact(*, session: Session, actor: Actor, organisation_id: int) -> Contact:
    """An organisation's own contact details, for its own profile form."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(t("Deze organisatie bestaat niet."))
    require_org_editor(actor, org)
    return session.exec(
        select(Contact).where(Contact.organisation_id == org.id)
    ).first() or Contact(organisation_id=org.id)
