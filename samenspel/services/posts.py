"""Posting and changing needs and offers: validation per field, one transaction, fresh
suggestions for just the record that changed, and an audit event."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from datetime import date

from sqlmodel import Session

from samenspel.i18n import t
from samenspel.matching.csvformat import (
    LAST_DATE,
    MAX_AMOUNT_EUR,
    MAX_COUNT,
    MAX_DISTANCE_KM,
    clean_text,
)
from samenspel.matching.fields import OFFERS
from samenspel.matching.geo import UnknownPlace, default_gazetteer
from samenspel.matching.slots import SlotError, parse_slots, slots_to_text
from samenspel.matching.vocabulary import default_vocabulary
from samenspel.services import limits, records, suggestions
from samenspel.services.audit import record
from samenspel.services.errors import InvalidInput, NotFound
from samenspel.services.permissions import Actor, require_org_editor
from samenspel.storage.models import (
    KINDS,
    LEGAL_FORMS,
    Need,
    Offer,
    Organisation,
    join_multi,
    utcnow,
)

MAX_TITLE = 200
MAX_TEXT = 2000


@dataclass
class PostForm:
    """What a person typed in the form for a need or an offer (both share most fields)."""

    kind: str = ""
    title: str = ""
    description: str = ""
    themes: list[str] = field(default_factory=list)
    people: int | None = None  # need: people (venue) or volunteers wanted; offer: capacity
    amount_eur: float | None = None  # need: amount asked
    amount_min_eur: float | None = None  # offer
    amount_max_eur: float | None = None  # offer
    hours_per_week: float | None = None
    skills: str = ""
    kitchen: bool = False  # need: needs a kitchen; offer: has one
    step_free: bool = False
    start_date: date | None = None
    when: str = ""
    place: str = ""
    lat: float | None = None
    lon: float | None = None
    distance_km: float | None = None  # need: max distance; offer: service radius
    eligible_legal_forms: list[str] = field(default_factory=list)
    valid_until: date | None = None


MULTILINE_FIELDS = ("description",)
# Upper bounds: a bigger number is a typing error (and 1e30 would not fit in the database).
MAXIMA = {
    "people": MAX_COUNT, "amount_eur": MAX_AMOUNT_EUR, "amount_min_eur": MAX_AMOUNT_EUR,
    "amount_max_eur": MAX_AMOUNT_EUR, "hours_per_week": 168, "distance_km": MAX_DISTANCE_KM,
}  # fmt: skip


def clean_form(form, multiline: tuple[str, ...] = ()):
    """A copy of a form dataclass without control characters in its texts (a NUL cannot be
    stored in PostgreSQL and made every Excel export fail): removed, since nobody types them
    on purpose. Line breaks stay only in the `multiline` fields. Posts and profiles share it."""
    changes = {}
    for item in fields(form):
        value = getattr(form, item.name)
        if isinstance(value, str):
            changes[item.name] = clean_text(value, multiline=item.name in multiline)
        elif isinstance(value, list):
            changes[item.name] = [clean_text(v) if isinstance(v, str) else v for v in value]
    return replace(form, **changes)


def _validate(form: PostForm, *, is_need: bool, today: date) -> tuple[dict[str, str], frozenset]:
    errors: dict[str, str] = {}
    for name, maximum in MAXIMA.items():
        value = getattr(form, name)
        if value is None:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            errors[name] = t("Vul een gewoon getal in.")
        elif value > maximum:
            errors[name] = t(
                "Dit getal is te groot: hoogstens {n}.", n=f"{maximum:,}".replace(",", ".")
            )
    if form.kind not in KINDS:
        errors["kind"] = t("Kies wat voor hulp het is.")
    if not form.title.strip():
        errors["title"] = t("Vul een titel in.")
    elif len(form.title) > MAX_TITLE:
        errors["title"] = t("De titel is te lang: hoogstens {n} tekens.", n=MAX_TITLE)
    # Each limit is the column's own (samenspel/storage/models.py): longer text would not fit.
    for name, limit in (("description", MAX_TEXT), ("skills", 500), ("place", 200), ("when", 200)):
        if len(getattr(form, name) or "") > limit:
            errors[name] = t("Deze tekst is te lang: hoogstens {n} tekens.", n=limit)
    if len("; ".join(form.themes)) > 500:
        errors["themes"] = t("Deze tekst is te lang: hoogstens {n} tekens.", n=500)
    if form.lat is not None and form.lon is not None and not (
        math.isfinite(form.lat) and math.isfinite(form.lon)
        and -90 <= form.lat <= 90 and -180 <= form.lon <= 180
    ):  # fmt: skip
        errors["place"] = t("Deze plek ligt niet op aarde. Kies een plek op de kaart.")
    if form.people is not None and form.people < 1 and "people" not in errors:
        errors["people"] = t("Vul een aantal van 1 of meer in.")
    if is_need and form.kind in ("venue", "volunteers") and form.people is None:
        errors["people"] = (
            t("Vul in met hoeveel mensen jullie zijn.")
            if form.kind == "venue"
            else t("Vul in hoeveel vrijwilligers jullie zoeken.")
        )
    if is_need and form.kind == "money":
        if form.amount_eur is None or form.amount_eur <= 0:
            errors["amount_eur"] = t("Vul een bedrag in dat groter is dan 0.")
    for name in ("amount_min_eur", "amount_max_eur", "hours_per_week", "distance_km"):
        value = getattr(form, name)
        if value is not None and value < 0 and name not in errors:
            errors[name] = t("Een negatief getal kan hier niet.")
    if (
        form.amount_min_eur is not None
        and form.amount_max_eur is not None
        and form.amount_min_eur > form.amount_max_eur
    ):
        errors["amount_max_eur"] = t("Het maximum is kleiner dan het minimum.")
    for name in ("start_date", "valid_until"):
        value = getattr(form, name)
        if value is not None and value < today:
            errors[name] = t("Deze datum ligt in het verleden.")
        elif value is not None and value > LAST_DATE:
            errors[name] = t(
                "Deze datum ligt te ver weg: uiterlijk {date}.", date=LAST_DATE.isoformat()
            )
    bad_forms = [f for f in form.eligible_legal_forms if f not in LEGAL_FORMS]
    if bad_forms:
        errors["eligible_legal_forms"] = t(
            "Onbekende rechtsvorm: {forms}.", forms=", ".join(bad_forms)
        )
    slots = frozenset()
    try:
        slots = parse_slots(form.when)
    except SlotError as exc:
        errors["when"] = t(
            "'{word}' is geen dag of dagdeel. Schrijf bijvoorbeeld: di avond; za ochtend.",
            word=str(exc),
        )
    if len(slots_to_text(slots)) > 200:  # stored as text in a column of 200 characters
        errors["when"] = t("Dat zijn te veel dagdelen. Kan het altijd? Laat dit veld dan leeg.")
    return errors, slots


def _locate(
    form: PostForm, org: Organisation, errors: dict[str, str]
) -> tuple[float | None, float | None]:
    if form.lat is not None and form.lon is not None:
        return form.lat, form.lon
    if form.place.strip():
        try:
            found = default_gazetteer().lookup(form.place)
            return found.lat, found.lon
        except UnknownPlace:
            errors["place"] = t(
                "We kennen de plek '{place}' niet. Probeer een buurt, postcode of plaats.",
                place=form.place,
            )
    return org.lat, org.lon


def conditions_for(title: str, description: str, themes) -> str:
    """The social-quality conditions a post serves, read from its own words."""
    text = " ".join([title, description, *themes])
    return join_multi(sorted(default_vocabulary().conditions_in(text)))


def _organisation(session: Session, actor: Actor, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(t("Deze organisatie bestaat niet."))
    require_org_editor(actor, org)
    return org


def _checked(
    session: Session,
    actor: Actor,
    organisation_id: int,
    form: PostForm,
    *,
    is_need: bool,
    today: date,
):
    """Who may post, the daily limit, every field: (organisation, common fields) or InvalidInput."""
    org = _organisation(session, actor, organisation_id)
    limits.check(session, actor, "create")
    form = clean_form(form, MULTILINE_FIELDS)
    errors, slots = _validate(form, is_need=is_need, today=today)
    lat, lon = _locate(form, org, errors)
    if errors:
        raise InvalidInput(errors)
    common = dict(
        organisation_id=org.id, kind=form.kind, title=form.title.strip(), description=form.description.strip(),
        themes=join_multi(form.themes), conditions=conditions_for(form.title, form.description, form.themes),
        hours_per_week=form.hours_per_week, skills=form.skills.strip(), slots=slots_to_text(slots),
        place=form.place.strip() or org.neighbourhood, lat=lat, lon=lon,
    )  # fmt: skip
    return org, common


def _stored(session: Session, actor: Actor, post: Need | Offer, refresh, today: date):
    """Save, recompute the suggestions it touches, audit: all in the caller's unit of work."""
    session.add(post)
    session.flush()
    refresh(session, post.id, today=today)
    entity = "need" if isinstance(post, Need) else "offer"
    record(
        session,
        user_id=actor.user_id,
        action="create",
        entity=entity,
        entity_id=post.id,
        detail=post.title,
    )
    return post


# The form's fields that only one kind of post has, by the column they fill (the fields both
# kinds have are in _checked; the exchange format's names are in matching/fields.py).
FORM_FIELDS = {
    Need: {"people": "people", "amount_eur": "amount_eur", "needs_kitchen": "kitchen",
           "needs_step_free": "step_free", "start_date": "start_date",
           "max_distance_km": "distance_km"},
    Offer: {"capacity": "people", "amount_min_eur": "amount_min_eur",
            "amount_max_eur": "amount_max_eur", "has_kitchen": "kitchen", "step_free": "step_free",
            "radius_km": "distance_km"},
}  # fmt: skip


def create_need(
    *, session: Session, actor: Actor, organisation_id: int, form: PostForm, today: date | None = None
) -> Need:  # fmt: skip
    return _create(Need, session, actor, organisation_id, form, today,
                   deadline=form.valid_until or form.start_date)  # fmt: skip


def create_offer(
    *, session: Session, actor: Actor, organisation_id: int, form: PostForm, today: date | None = None
) -> Offer:  # fmt: skip
    # Stored as every import stores it (services/records.py), so an export reads back equal.
    forms = records.stored(OFFERS.field("eligible_legal_forms"), form.eligible_legal_forms)
    return _create(Offer, session, actor, organisation_id, form, today,
                   eligible_legal_forms=forms, deadline=form.valid_until)  # fmt: skip


def _create(table, session: Session, actor: Actor, organisation_id: int, form: PostForm,
            today: date | None, **values):  # fmt: skip
    today = today or date.today()
    is_need = table is Need
    _, common = _checked(session, actor, organisation_id, form, is_need=is_need, today=today)
    own = {column: getattr(form, name) for column, name in FORM_FIELDS[table].items()}
    refresh = suggestions.refresh_for_need if is_need else suggestions.refresh_for_offer
    return _stored(session, actor, table(**common, **own, **values), refresh, today)


def close_need(*, session: Session, actor: Actor, need_id: int) -> None:
    need = session.get(Need, need_id)
    if need is None:
        raise NotFound(t("Deze vraag bestaat niet."))
    _organisation(session, actor, need.organisation_id)
    need.status = "closed"
    need.updated_at = utcnow()
    record(session, user_id=actor.user_id, action="close", entity="need", entity_id=need.id)
