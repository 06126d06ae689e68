"""Organisations: the profile an organisation keeps itself (what we do, what we can not do
("grenzen"), where, and who), and the organisations staff add and change for others. One set
of checks for both, so a page cannot store what the profile page would refuse."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace

from sqlalchemy import func
from sqlmodel import Session, select

from samenspel.i18n import t
from samenspel.matching.fields import ORGANISATION_ROLES, default_partner_type
from samenspel.matching.geo import UnknownPlace, default_gazetteer
from samenspel.services.audit import record
from samenspel.services.errors import InvalidInput, NotAllowed, NotFound
from samenspel.services.permissions import Actor, covers_area, require_org_editor, require_role
from samenspel.services.posts import MATCHED_ON, clean_form, refresh_for_organisation
from samenspel.storage.models import (
    LEGAL_FORMS,
    PARTNER_TYPES,
    Contact,
    Organisation,
    join_multi,
    split_multi,
    utcnow,
)

MAX_TEXT = 2000
ORG_ROLES = ORGANISATION_ROLES


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
    # What kind of organisation it is. Only staff set these (the organisations page); None
    # keeps what is stored, which is what the organisation's own profile page sends.
    role: str | None = None
    partner_type: str | None = None


MULTILINE_FIELDS = ("description", "boundaries")
# Each limit is the column's own (samenspel/storage/models.py): longer text would not fit.
TEXT_LIMITS = {
    "description": MAX_TEXT, "boundaries": MAX_TEXT, "name": 200, "neighbourhood": 100,
    "address": 200, "postcode": 10, "contact_person": 200, "contact_email": 200,
    "contact_phone": 50,
}  # fmt: skip


def _checked(
    session: Session, actor: Actor, form: ProfileForm, *, current: Organisation | None
) -> tuple[ProfileForm, float | None, float | None]:
    """The cleaned form and its place (lat, lon), or InvalidInput with a message per field.
    `current` is the organisation being changed (None: a new one)."""
    form = clean_form(form, MULTILINE_FIELDS)
    errors: dict[str, str] = {}
    name = form.name.strip()
    if not name:
        errors["name"] = t("Vul een naam in.")
    for key, limit in TEXT_LIMITS.items():
        if len(getattr(form, key) or "") > limit:
            errors[key] = t("Deze tekst is te lang: hoogstens {n} tekens.", n=limit)
    if len(join_multi(form.themes)) > 500:  # as it is stored
        errors["themes"] = t("Deze tekst is te lang: hoogstens {n} tekens.", n=500)
    if form.legal_form not in LEGAL_FORMS:
        errors["legal_form"] = t("Kies een rechtsvorm.")
    if form.role is not None and form.role not in ORG_ROLES:
        errors["role"] = t("Kies: initiatief of partner.")
    if form.partner_type is not None and form.partner_type not in PARTNER_TYPES:
        errors["partner_type"] = t("Kies een soort organisatie.")
    if form.contact_email and "@" not in form.contact_email:
        errors["contact_email"] = t("Dit e-mailadres klopt niet.")
    # Imports attach needs and offers to an organisation by its name: two with one name
    # would make that a guess. Checked only for a new name, so an old duplicate can still
    # be saved.
    if name and (current is None or name.lower() != current.name.strip().lower()):
        same = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
        if session.exec(same).first() is not None:
            errors["name"] = t("Er is al een organisatie met deze naam.")
    # A broker works for organisations in their own areas: they cannot move one out of them,
    # nor add one elsewhere. The organisation's own users may move it wherever it goes.
    own = current is not None and actor.organisation_id == current.id
    if actor.role == "broker" and not own and not covers_area(actor, form.neighbourhood.strip()):
        errors["neighbourhood"] = t("Kies een van jouw eigen buurten.")
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
    return form, lat, lon


def _store(
    session: Session, org: Organisation, form: ProfileForm, lat: float | None, lon: float | None
) -> list[str]:
    """Put a checked form into the organisation and its contact; the names of the fields
    that changed (for the audit trail: names only, no personal data in it)."""
    contact = session.exec(select(Contact).where(Contact.organisation_id == org.id)).first()
    if contact is None:
        contact = Contact(organisation_id=org.id)
        session.add(contact)
    wanted = {
        "name": form.name.strip(),
        "description": form.description.strip(),
        "boundaries": form.boundaries.strip(),
        "legal_form": form.legal_form,
        "anbi": form.anbi,
        "neighbourhood": form.neighbourhood.strip(),
        "address": form.address.strip(),
        "postcode": form.postcode.strip(),
        "lat": lat,
        "lon": lon,
        "conditions": join_multi(form.conditions),
        "themes": join_multi(form.themes),
    }
    if form.role is not None:
        wanted["role"] = form.role
    if form.partner_type is not None:
        wanted["partner_type"] = form.partner_type
    changed = [key for key, value in wanted.items() if getattr(org, key) != value]
    for key in changed:
        setattr(org, key, wanted[key])
    for key, value in (
        ("person", form.contact_person.strip()),
        ("email", form.contact_email.strip()),
        ("phone", form.contact_phone.strip()),
    ):
        if getattr(contact, key) != value:
            setattr(contact, key, value)
            changed.append(f"contact_{key}")
    org.updated_at = utcnow()
    return changed


def update_profile(
    *, session: Session, actor: Actor, organisation_id: int, form: ProfileForm
) -> Organisation:
    """An organisation changes its own profile, or staff change it: its area's broker (who
    cannot move it out of their areas) or an administrator. Only staff change its role or
    kind of partner."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(t("Deze organisatie bestaat niet."))
    require_org_editor(actor, org)
    if (form.role is not None or form.partner_type is not None) and not actor.is_staff:
        raise NotAllowed(t("Dit mag je niet doen met jouw account."))
    form, lat, lon = _checked(session, actor, form, current=org)
    changed = _store(session, org, form, lat, lon)
    if MATCHED_ON.intersection(changed):  # the engine reads these for every post of it
        refresh_for_organisation(session, org.id)
    record(session, user_id=actor.user_id, action="update", entity="organisation",
           entity_id=org.id, detail=", ".join(changed))  # fmt: skip
    return org


def create_organisation(*, session: Session, actor: Actor, form: ProfileForm) -> Organisation:
    """Staff add an organisation with its contact person: an administrator anywhere, a broker
    only in their own areas. The same checks as the profile and the import."""
    require_role(actor, "broker", "admin")
    # A new organisation must say what it is ("" is refused by the checks).
    form, lat, lon = _checked(session, actor, replace(form, role=form.role or ""), current=None)
    if form.partner_type is None:
        form = replace(form, partner_type=default_partner_type(form.role))  # as an import does
    org = Organisation(name=form.name.strip(), role=form.role)
    session.add(org)
    session.flush()
    _store(session, org, form, lat, lon)
    record(session, user_id=actor.user_id, action="create", entity="organisation",
           entity_id=org.id, detail=form.role)  # fmt: skip
    return org


def profile_form(*, session: Session, actor: Actor, organisation_id: int) -> ProfileForm:
    """An organisation as a filled-in form (with its role, kind and contact person), for
    whoever may change it."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(t("Deze organisatie bestaat niet."))
    require_org_editor(actor, org)
    contact = own_contact(session=session, actor=actor, organisation_id=org.id)
    values = {item.name: getattr(org, item.name) for item in fields(ProfileForm)
              if hasattr(org, item.name)}  # fmt: skip
    values.update(
        conditions=split_multi(org.conditions),
        themes=split_multi(org.themes),
        contact_person=contact.person,
        contact_email=contact.email,
        contact_phone=contact.phone,
    )
    return ProfileForm(**values)


def neighbourhood_choices(*, session: Session, actor: Actor) -> list[str]:
    """The neighbourhoods staff may put an organisation in: a broker's own areas; for an
    administrator every one known (the city's list and those organisations are in)."""
    from samenspel.services.scope import Areas

    require_role(actor, "broker", "admin")
    scope = actor.scope
    if isinstance(scope, Areas):  # a broker: their own areas (none on record: none)
        return sorted(scope.names)
    stored = session.exec(select(Organisation.neighbourhood).distinct()).all()
    known = {p.name for p in default_gazetteer().neighbourhoods} | {n for n in stored if n}
    return sorted(known)


def own_contact(*, session: Session, actor: Actor, organisation_id: int) -> Contact:
    """An organisation's own contact details, for its own profile form."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(t("Deze organisatie bestaat niet."))
    require_org_editor(actor, org)
    return session.exec(
        select(Contact).where(Contact.organisation_id == org.id)
    ).first() or Contact(organisation_id=org.id)
