"""Posting and changing needs and offers: validation per field, one transaction, an audit
event, and a job that works out fresh suggestions for just the record that changed once the
transaction committed (services/suggestion_jobs.py: a post never waits for the engine).

An organisation manages its own posts with the same checks as posting: it edits one
(`update_need`, `update_offer`), pauses and resumes it, closes it ("Klaar: haal weg") and
extends its date. Each change is one UPDATE conditioned on the status the step starts from and,
when the page passes the version it showed (`seen_version`, from `own_post`), on that version.

A paused or closed post leaves the map and the engine (both read only "open" posts:
suggestions.open_needs/open_offers, queries/map.py), and its suggestions that still wait for the
broker leave the review queue, so nobody is introduced to a side that said "not now": the
engine's untouched ones are deleted (they are recomputed on resume, so nothing is lost), and
those a side asked for or a partner offered expire through the lifecycle's system step, as
when a deadline passes, so both sides can still see what became of them. Introductions and
partnerships under way stay: the two sides already talk to each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

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
from samenspel.services import lifecycle, limits, records, suggestion_jobs, suggestions
from samenspel.services.audit import record
from samenspel.services.errors import Conflict, InvalidInput, NotFound
from samenspel.services.permissions import Actor, require_org_editor
from samenspel.storage.models import (
    KINDS,
    LEGAL_FORMS,
    AuditEvent,
    Match,
    Need,
    Offer,
    Organisation,
    User,
    join_multi,
    split_multi,
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


def _validate(
    form: PostForm, *, is_need: bool, today: date, stored_dates: dict[str, date | None]
) -> tuple[dict[str, str], frozenset]:
    """Every field's message. `stored_dates`: the dates a changed post has now, by form field;
    one left as it was may lie in the past (a need that started last week can still get a
    better title)."""
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
        if name in stored_dates and value == stored_dates[name]:
            continue
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
    form: PostForm, org: Organisation, errors: dict[str, str], current: Need | Offer | None
) -> tuple[float | None, float | None]:
    if form.lat is not None and form.lon is not None:
        return form.lat, form.lon
    if current is not None and form.place.strip() == current.place:
        # An unchanged place keeps its point: it may be the organisation's exact address or
        # an imported point that the place lookup would move (or not know at all).
        return current.lat, current.lon
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
    current: Need | Offer | None = None,
):
    """Who may post, the daily limit, every field: (organisation, common fields) or InvalidInput.
    `current`: the post being changed (None: a new one). A change counts against the same
    daily limit as a new post: it recomputes suggestions just the same."""
    org = _organisation(session, actor, organisation_id)
    limits.check(session, actor, "create")
    form = clean_form(form, MULTILINE_FIELDS)
    stored_dates = {}
    if current is not None:
        stored_dates["valid_until"] = current.deadline
        if isinstance(current, Need):
            stored_dates["start_date"] = current.start_date
    errors, slots = _validate(form, is_need=is_need, today=today, stored_dates=stored_dates)
    lat, lon = _locate(form, org, errors, current)
    if errors:
        raise InvalidInput(errors)
    common = dict(
        organisation_id=org.id, kind=form.kind, title=form.title.strip(), description=form.description.strip(),
        themes=join_multi(form.themes), conditions=conditions_for(form.title, form.description, form.themes),
        hours_per_week=form.hours_per_week, skills=form.skills.strip(), slots=slots_to_text(slots),
        place=form.place.strip() or org.neighbourhood, lat=lat, lon=lon,
    )  # fmt: skip
    return org, common


def _stored(session: Session, actor: Actor, post: Need | Offer):
    """Save, queue its suggestions, audit: all in the caller's unit of work."""
    session.add(post)
    session.flush()
    _queue(session, post)
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
    return _stored(session, actor, table(**common, **own, **values))


def close_need(*, session: Session, actor: Actor, need_id: int) -> None:
    """ "Deze vraag is klaar": kept for its callers; the same as close_post."""
    close_post(session=session, actor=actor, need_id=need_id)


# --- an organisation's own posts ---------------------------------------------------------

ENTITY = {Need: "need", Offer: "offer"}
# What a post can still be changed from: a closed one is gone ("Klaar: haal weg"). An offer
# has no "expired" status: its deadline alone decides (the engine leaves it out after it).
EDITABLE = {Need: ("open", "paused", "matched", "expired"), Offer: ("open", "paused")}
# The statuses each step starts from. A matched need keeps its partner: no pause.
STARTS = {
    "edit": EDITABLE,
    "pause": {Need: ("open",), Offer: ("open",)},
    "resume": {Need: ("paused",), Offer: ("paused",)},
    "close": EDITABLE,
    "extend": EDITABLE,
}
# The organisation's fields the engine reads for its posts: the legal form and the kind of
# partner (records.need_in/offer_in), and where an informal group is shown and measured from
# (places.public_location). A change to one of them recomputes the organisation's suggestions.
MATCHED_ON = frozenset({"legal_form", "partner_type", "neighbourhood", "lat", "lon"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class OwnPost:
    """One post as its own organisation manages it, in plain values for a page: `version` is
    what a change passes back as `seen_version`."""

    entity: str  # "need" or "offer"
    id: int
    status: str
    deadline: date | None
    version: int
    form: PostForm


def form_of(post: Need | Offer) -> PostForm:
    """A stored post as the filled-in form that stores it again unchanged (to change it). It
    has no point: its place stands for it, and an unchanged place keeps the stored point."""
    table = type(post)
    values = dict(
        kind=post.kind, title=post.title, description=post.description,
        themes=split_multi(post.themes), hours_per_week=post.hours_per_week, skills=post.skills,
        when=post.slots, place=post.place, valid_until=post.deadline,
    )  # fmt: skip
    values.update({name: getattr(post, column) for column, name in FORM_FIELDS[table].items()})
    if table is Offer:
        values["eligible_legal_forms"] = split_multi(post.eligible_legal_forms)
    return PostForm(**values)


def version_of(post: Need | Offer) -> int:
    """The version of a post that a page saw: its last change in microseconds. Posts have no
    counter of their own; every change made here sets `updated_at`, so a changed version means
    someone changed the post since (status moves by the system, such as expiring, do not set
    it, but every step here is conditioned on the status it starts from as well)."""
    moment = post.updated_at
    if moment.tzinfo is None:  # stored as UTC without its zone
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _which(need_id: int | None, offer_id: int | None) -> tuple[type, int]:
    if (need_id is None) == (offer_id is None):
        raise TypeError("give exactly one of need_id and offer_id")
    return (Need, need_id) if need_id is not None else (Offer, offer_id)


def _load(session: Session, table, post_id: int) -> Need | Offer:
    # populate_existing: the version and status as stored now, not as this session first saw them.
    post = session.get(table, post_id, populate_existing=True)
    if post is None:
        raise NotFound(
            t("Deze vraag bestaat niet.") if table is Need else t("Dit aanbod bestaat niet.")
        )
    return post


def own_post(
    *, session: Session, actor: Actor, need_id: int | None = None, offer_id: int | None = None
) -> OwnPost:
    """A post of the actor's own organisation (or, for staff, of an organisation they may edit)
    with the form that changes it."""
    table, post_id = _which(need_id, offer_id)
    post = _load(session, table, post_id)
    _organisation(session, actor, post.organisation_id)
    return OwnPost(
        ENTITY[table], post.id, post.status, post.deadline, version_of(post), form_of(post)
    )


def _changed_meanwhile(session: Session, post: Need | Offer) -> Conflict:
    """What someone hears whose change came too late: who changed the post (from the audit
    trail), and its status now."""
    table = type(post)
    current = session.get(table, post.id, populate_existing=True)
    last = session.exec(
        select(AuditEvent.user_id)
        .where(AuditEvent.entity == ENTITY[table], AuditEvent.entity_id == post.id)
        .order_by(col(AuditEvent.id).desc())
    ).first()
    user = session.get(User, last) if last is not None else None
    who = (user.display_name or user.username) if user else ""
    if table is Need:
        message = (
            t(
                "{who} heeft deze vraag net veranderd. Kijk nog eens en probeer het opnieuw.",
                who=who,
            )
            if who
            else t(
                "Iemand anders heeft deze vraag net veranderd. Kijk nog eens en probeer het opnieuw."
            )
        )
    else:
        message = (
            t(
                "{who} heeft dit aanbod net veranderd. Kijk nog eens en probeer het opnieuw.",
                who=who,
            )
            if who
            else t(
                "Iemand anders heeft dit aanbod net veranderd. Kijk nog eens en probeer het opnieuw."
            )
        )
    return Conflict(message, decided_by=who, status=current.status if current else "")


def _refusal(post: Need | Offer, step: str) -> str:
    """Why this step cannot be taken from the post's status, from the reader's side."""
    need = isinstance(post, Need)
    if post.status == "closed":
        return (
            t("Deze vraag is weggehaald. Daaraan kun je niets meer veranderen.")
            if need
            else t("Dit aanbod is weggehaald. Daaraan kun je niets meer veranderen.")
        )
    if step == "pause" and post.status == "paused":
        return t("Deze vraag staat al op pauze.") if need else t("Dit aanbod staat al op pauze.")
    if step == "resume":
        return (
            t("Deze vraag staat niet op pauze.") if need else t("Dit aanbod staat niet op pauze.")
        )
    if step == "pause" and post.status == "matched":
        return t("Deze vraag heeft al een partner. Is hij klaar? Haal hem dan weg.")
    if step == "pause" and post.status == "expired":
        return t("Deze vraag is verlopen. Verleng hem als jullie weer hulp zoeken.")
    return t("Deze stap kan nu niet (status: {status}).", status=post.status)


def _begin(session: Session, actor: Actor, step: str, need_id, offer_id, seen_version):
    """The post a step is about, once the actor may change it, it is the version they saw,
    and the step can be taken from its status."""
    table, post_id = _which(need_id, offer_id)
    post = _load(session, table, post_id)
    _organisation(session, actor, post.organisation_id)
    if seen_version is not None and version_of(post) != seen_version:
        raise _changed_meanwhile(session, post)
    if post.status not in STARTS[step][table]:
        raise InvalidInput({"status": _refusal(post, step)})
    return post


def _apply(session: Session, post: Need | Offer, step: str, values: dict) -> None:
    """The one conditioned UPDATE of a change: on the version this unit of work read and on
    a status the step starts from. No row means another change committed in between
    (PostgreSQL: our UPDATE waited for its row lock, then found the row changed)."""
    table = type(post)
    result = session.execute(
        update(table)
        .where(
            table.id == post.id,
            table.updated_at == post.updated_at,
            col(table.status).in_(STARTS[step][table]),
        )
        .values(**values, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _changed_meanwhile(session, post)
    session.refresh(post)


def _recompute(session: Session, post: Need | Offer, actor: Actor, step: str) -> None:
    """Fresh suggestions for an open post (the engine leaves every other status alone). The
    suggestions that expired before anyone decided on them (its date passed, or a pause ended
    them) go first: the engine never suggests a pair it has a match for, and a post that is
    open again should get its best pairs back, not only the ones it never had."""
    if post.status != "open":
        return
    column = Match.need_id if isinstance(post, Need) else Match.offer_id
    lapsed = session.execute(
        delete(Match)
        .where(
            column == post.id,
            Match.status == lifecycle.EXPIRED,
            col(Match.follow_up_on).is_(None),  # set by every introduction
            col(Match.decided_by_id).is_(None),
        )
        .returning(Match.id)
    ).scalars().all()  # fmt: skip
    for match_id in lapsed:
        record(session, user_id=actor.user_id, action="delete", entity="match",
               entity_id=match_id, detail=f"{ENTITY[type(post)]} {post.id}: {step}")  # fmt: skip
    _queue(session, post)


def _queue(session: Session, post: Need | Offer) -> None:
    if isinstance(post, Need):
        suggestion_jobs.queue(session, need_ids=[post.id])
    else:
        suggestion_jobs.queue(session, offer_ids=[post.id])


def _withdraw_suggestions(session: Session, actor: Actor, post: Need | Offer, step: str) -> None:
    """A post that paused or closed leaves the broker's queue (see this module's docstring)."""
    if isinstance(post, Need):
        # Replacing the untouched suggestions by none keeps every pair someone acted on.
        suggestions._store(session, post.id, ())
        column = Match.need_id
    else:
        # Its untouched suggestions go now; the needs that had it get the next best offer
        # instead, from a job (the engine reads only open offers).
        had_it = session.execute(
            delete(Match)
            .where(Match.offer_id == post.id, suggestions.UNTOUCHED)
            .returning(Match.need_id)
        ).scalars().all()  # fmt: skip
        suggestion_jobs.queue(session, need_ids=sorted(set(had_it)))
        column = Match.offer_id
    expired = session.execute(
        update(Match)
        .where(column == post.id, Match.status == lifecycle.SUGGESTED)
        .values(status=lifecycle.EXPIRED, version=Match.version + 1, updated_at=utcnow())
        .returning(Match.id)
    ).scalars().all()  # fmt: skip
    for match_id in expired:
        record(session, user_id=actor.user_id, action="expire", entity="match",
               entity_id=match_id, detail=f"{ENTITY[type(post)]} {post.id}: {step}")  # fmt: skip


def _audit(session: Session, actor: Actor, post: Need | Offer, action: str, detail: str = ""):
    record(session, user_id=actor.user_id, action=action, entity=ENTITY[type(post)],
           entity_id=post.id, detail=detail)  # fmt: skip


def update_need(
    *, session: Session, actor: Actor, need_id: int, form: PostForm,
    seen_version: int | None = None, today: date | None = None,
) -> Need:  # fmt: skip
    """Change a need with the same checks as posting it; a real change recomputes its
    suggestions. An expired need whose date moved on (or went) is open again."""
    return _update(Need, session, actor, need_id, form, seen_version, today or date.today())


def update_offer(
    *, session: Session, actor: Actor, offer_id: int, form: PostForm,
    seen_version: int | None = None, today: date | None = None,
) -> Offer:  # fmt: skip
    """Change an offer with the same checks as posting it; a real change re-ranks the needs
    it can reach and those that had it suggested."""
    return _update(Offer, session, actor, offer_id, form, seen_version, today or date.today())


def _update(table, session: Session, actor: Actor, post_id: int, form: PostForm,
            seen_version: int | None, today: date):  # fmt: skip
    post = _begin(session, actor, "edit", *_ids(table, post_id), seen_version)
    _, common = _checked(session, actor, post.organisation_id, form, is_need=table is Need,
                         today=today, current=post)  # fmt: skip
    del common["organisation_id"]  # a post stays with its organisation
    wanted = common | {column: getattr(form, name) for column, name in FORM_FIELDS[table].items()}
    if table is Need:
        wanted["deadline"] = form.valid_until or form.start_date
    else:
        wanted["eligible_legal_forms"] = records.stored(
            OFFERS.field("eligible_legal_forms"), form.eligible_legal_forms
        )
        wanted["deadline"] = form.valid_until
    changed = {column: value for column, value in wanted.items() if getattr(post, column) != value}
    if not changed:
        return post
    deadline = wanted["deadline"]
    if (
        post.status == "expired"
        and "deadline" in changed
        and (deadline is None or deadline >= today)
    ):
        changed["status"] = "open"
    # Needs that had this offer suggested: after a change of kind the offer's own refresh
    # (which looks at needs of its new kind) does not reach them.
    had_it = [] if table is Need else session.exec(
        select(Match.need_id).where(Match.offer_id == post.id, Match.status == lifecycle.SUGGESTED)
    ).all()  # fmt: skip
    _apply(session, post, "edit", changed)
    _recompute(session, post, actor, "edit")
    if "kind" in changed:
        suggestion_jobs.queue(session, need_ids=had_it)
    _audit(session, actor, post, "edit", ", ".join(sorted(changed)))
    return post


def _ids(table, post_id: int) -> tuple[int | None, int | None]:
    return (post_id, None) if table is Need else (None, post_id)


def pause_post(
    *, session: Session, actor: Actor, need_id: int | None = None, offer_id: int | None = None,
    seen_version: int | None = None,
) -> Need | Offer:  # fmt: skip
    """ "Pauzeren": off the map, no suggestions (see this module's docstring)."""
    post = _begin(session, actor, "pause", need_id, offer_id, seen_version)
    _apply(session, post, "pause", {"status": "paused"})
    _withdraw_suggestions(session, actor, post, "pause")
    _audit(session, actor, post, "pause")
    return post


def resume_post(
    *, session: Session, actor: Actor, need_id: int | None = None, offer_id: int | None = None,
    seen_version: int | None = None, today: date | None = None,
) -> Need | Offer:  # fmt: skip
    """ "Weer aanzetten": open again, with fresh suggestions. A post whose date passed while it
    was paused is extended first: open, it would only expire."""
    today = today or date.today()
    post = _begin(session, actor, "resume", need_id, offer_id, seen_version)
    if post.deadline is not None and post.deadline < today:
        raise InvalidInput(
            {
                "status": t(
                    "De datum 'geldig tot' is voorbij. Kies eerst bij 'Verlengen' een nieuwe datum."
                )
            }
        )
    _apply(session, post, "resume", {"status": "open"})
    _recompute(session, post, actor, "resume")
    _audit(session, actor, post, "resume")
    return post


def close_post(
    *, session: Session, actor: Actor, need_id: int | None = None, offer_id: int | None = None,
    seen_version: int | None = None,
) -> Need | Offer:  # fmt: skip
    """ "Klaar: haal weg": closed for good. Its partnerships stay, for the neighbourhood's
    figures; what still waited for the broker goes (see this module's docstring)."""
    post = _begin(session, actor, "close", need_id, offer_id, seen_version)
    _apply(session, post, "close", {"status": "closed"})
    _withdraw_suggestions(session, actor, post, "close")
    _audit(session, actor, post, "close")
    return post


def extend_post(
    *, session: Session, actor: Actor, new_deadline: date | None, need_id: int | None = None,
    offer_id: int | None = None, seen_version: int | None = None, today: date | None = None,
) -> Need | Offer:  # fmt: skip
    """ "Verlengen": a new date, after today. An expired need is open again, and an open post
    gets fresh suggestions (an offer past its date was left out by the engine)."""
    today = today or date.today()
    post = _begin(session, actor, "extend", need_id, offer_id, seen_version)
    if new_deadline is None:
        raise InvalidInput({"new_deadline": t("Kies een nieuwe datum.")})
    if new_deadline <= today:
        raise InvalidInput({"new_deadline": t("Kies een datum na vandaag.")})
    if new_deadline > LAST_DATE:
        raise InvalidInput(
            {
                "new_deadline": t(
                    "Deze datum ligt te ver weg: uiterlijk {date}.", date=LAST_DATE.isoformat()
                )
            }
        )
    values: dict[str, object] = {"deadline": new_deadline}
    if post.status == "expired":
        values["status"] = "open"
    _apply(session, post, "extend", values)
    _recompute(session, post, actor, "extend")
    _audit(session, actor, post, "extend", new_deadline.isoformat())
    return post


def refresh_for_organisation(session: Session, organisation_id: int) -> int:
    """Fresh suggestions (queued) for every open post of an organisation whose matched-on
    fields (MATCHED_ON) changed; the number of posts queued."""
    need_ids = session.exec(
        select(Need.id).where(Need.organisation_id == organisation_id, Need.status == "open")
    ).all()
    offer_ids = session.exec(
        select(Offer.id).where(Offer.organisation_id == organisation_id, Offer.status == "open")
    ).all()
    suggestion_jobs.queue(session, need_ids=need_ids, offer_ids=offer_ids)
    return len(need_ids) + len(offer_ids)
