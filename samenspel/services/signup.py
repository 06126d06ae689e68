"""Getting in without an administrator: an organisation signs up itself, confirms its e-mail
address by a link, and waits until a broker of its neighbourhood approves it; and a forgotten
password is set again through a link by mail.

No answer on a page tells whether an address or a name is known already (no account
enumeration): a sign-up with a known address mails that address instead ("log in or set a new
password"), a known organisation name mails the typed address, and a reset request answers the
same for every address. Only the owner of a mailbox learns anything, and only about itself.
Every mail is an outbox row in the caller's unit of work (services/outbox.py); every link is
signed, limited in time and single use (services/links.py).

An organisation that is not approved is out of sight: its users cannot log in
(accounts.authenticate says why), so it has no posts on the map or in the engine, and the
organisations page lists it under the sign-ups instead of with the others."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select, update

from samenspel import settings
from samenspel.i18n import language, t
from samenspel.matching.fields import default_partner_type
from samenspel.matching.geo import UnknownPlace, default_gazetteer
from samenspel.services import accounts, limits, links, mail_text, notify, outbox
from samenspel.services.audit import record
from samenspel.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from samenspel.services.permissions import Actor, covers_area, require_role
from samenspel.services.scope import area_scope, in_scope
from samenspel.storage.models import (
    PARTNER_TYPES,
    Contact,
    Organisation,
    UsedLink,
    User,
    sha256_hex,
    utcnow,
)

ORG_ROLES = ("initiative", "partner")
# The username is the e-mail address, so it must fit the username column (100).
MAX_EMAIL = 100
MAX_REASON = 500
# A plain check: one @, something before it, a dot in the domain, no spaces. Whether the
# address works is what the confirmation link finds out.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Reset mails to one address from anywhere: at most one per this many minutes (the outbox key
# decides), so many clients together cannot flood someone's mailbox.
RESET_MAIL_EVERY_MINUTES = 10

LINK_PAGE = "account_link"  # samenspel/web/views/account_link.py


@dataclass
class SignupForm:
    name: str = ""
    role: str = "initiative"  # initiative | partner
    partner_type: str = ""  # "": the role's default kind (as an import does)
    neighbourhood: str = ""
    contact_person: str = ""
    email: str = ""
    password: str = field(default="", repr=False)


@dataclass(frozen=True)
class Signup:
    """An organisation that signed up and is not approved (yet), for its area's broker."""

    organisation_id: int
    name: str
    role: str
    partner_type: str
    neighbourhood: str
    contact_person: str
    email: str
    signed_up_at: datetime
    approval: str  # pending | rejected
    confirmed: bool  # the e-mail address is confirmed by its link


@dataclass(frozen=True)
class Confirmed:
    """What confirming an address did: the organisation's approval and neighbourhood."""

    approval: str
    neighbourhood: str


def normal_email(email: str) -> str:
    return (email or "").strip().lower()


def _email_problem(email: str) -> str | None:
    if not email:
        return t("Vul je e-mailadres in.")
    if len(email) > MAX_EMAIL:
        return t("Dit e-mailadres is te lang: hoogstens {n} tekens.", n=MAX_EMAIL)
    if not _EMAIL.match(email):
        return t("Dit e-mailadres klopt niet. Het ziet eruit als naam@voorbeeld.nl.")
    return None


def _login_url() -> str:
    return f"{settings.base_url()}/login"


def _mail(session: Session, *, key: str, kind: str, to: str, user_id: int | None,
          language_code: str, **params) -> None:  # fmt: skip
    subject, text, html = mail_text.render(kind, language_code, **params)
    outbox.enqueue(session, key=key, to_address=to, kind=kind, subject=subject, text=text,
                   html=html, language=language_code, user_id=user_id)  # fmt: skip


def _users_with_address(session: Session, email: str) -> list[User]:
    return list(
        session.exec(
            select(User)
            .where((func.lower(User.email) == email) | (User.username == email))
            .order_by(User.id)
        )
    )


# --- Sign-up ---------------------------------------------------------------------------------


def neighbourhood_choices(*, session: Session, actor: Actor) -> list[str]:
    """The neighbourhoods an organisation can sign up in (for everyone: the page's list)."""
    return _neighbourhoods(session)


def _neighbourhoods(session: Session) -> list[str]:
    """The city's list and those the organisations on the map are in (both public already)."""
    stored = session.exec(
        select(Organisation.neighbourhood).where(Organisation.approval == "approved").distinct()
    ).all()
    known = {p.name for p in default_gazetteer().neighbourhoods} | {n for n in stored if n}
    return sorted(known)


def _checked(session: Session, form: SignupForm) -> SignupForm:
    """The cleaned form, or InvalidInput with a message per field. Whether the name or the
    address is known already is not checked here: that must not show on the page."""
    name = " ".join(form.name.split())
    person = " ".join(form.contact_person.split())
    email = normal_email(form.email)
    partner_type = form.partner_type or default_partner_type(form.role)
    neighbourhood = form.neighbourhood.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = t("Vul de naam van jullie organisatie in.")
    elif len(name) > 200:
        errors["name"] = t("Deze tekst is te lang: hoogstens {n} tekens.", n=200)
    if form.role not in ORG_ROLES:
        errors["role"] = t("Kies: initiatief of partner.")
    if partner_type not in PARTNER_TYPES:
        errors["partner_type"] = t("Kies een soort organisatie.")
    if neighbourhood not in _neighbourhoods(session):
        errors["neighbourhood"] = t("Kies jullie buurt uit de lijst.")
    if not person:
        errors["contact_person"] = t("Vul je naam in.")
    elif len(person) > 200:
        errors["contact_person"] = t("Deze tekst is te lang: hoogstens {n} tekens.", n=200)
    problem = _email_problem(email)
    if problem:
        errors["email"] = problem
    problem = accounts.password_problem(form.password, username=email)
    if problem:
        errors["password"] = problem
    if errors:
        raise InvalidInput(errors)
    return SignupForm(name=name, role=form.role, partner_type=partner_type,
                      neighbourhood=neighbourhood, contact_person=person, email=email,
                      password=form.password)  # fmt: skip


def register(
    *, session: Session, actor: Actor, form: SignupForm, client: str, now: datetime | None = None
) -> None:
    """An organisation signs itself up: a pending Organisation with its Contact and a User
    (the e-mail address is the username) that can log in once the address is confirmed and
    a broker of its area approved it; a confirmation mail is queued. Returns nothing, so the
    page says the same whatever happened:
    - the address belongs to an account already: that account is mailed instead (a fresh
      confirmation link when it never confirmed, else "log in or set a new password");
    - the organisation's name is taken: the typed address is told so;
    in both cases nothing else is stored. At most a few sign-ups per client per day."""
    now = now or utcnow()
    limits.allow(session, "sign_up", client=client or "unknown", now=now)
    form = _checked(session, form)
    lang = language()
    # The password is hashed on every path, so the time an answer takes tells nothing either.
    password_hash = accounts.hash_password(form.password)
    known = _users_with_address(session, form.email)
    if known:
        _tell_known(session, known[0], typed=form.email, lang=lang, now=now)
        return
    same_name = select(Organisation.id).where(func.lower(Organisation.name) == form.name.lower())
    if session.exec(same_name).first() is not None:
        _mail(session, key=f"signup_name_taken:{sha256_hex(form.email)[:16]}:{now:%Y-%m-%d}",
              kind="signup_name_taken", to=form.email, user_id=None, language_code=lang,
              name=form.contact_person, organisation=form.name)  # fmt: skip
        return
    org = Organisation(name=form.name, role=form.role, partner_type=form.partner_type,
                       neighbourhood=form.neighbourhood, approval="pending")  # fmt: skip
    try:  # the centre of its neighbourhood, like an organisation added without an address
        place = default_gazetteer().lookup(form.neighbourhood)
        org.lat, org.lon = place.lat, place.lon
    except UnknownPlace:
        pass
    user = User(username=form.email, display_name=form.contact_person, role=form.role,
                email=form.email, password_hash=password_hash, language=lang)  # fmt: skip
    try:
        # Two sign-ups with one address at the same moment: the username is unique, and the
        # second one's rows are taken back here, leaving the same answer as for a known one.
        with session.begin_nested():
            session.add(org)
            session.flush()
            session.add(Contact(organisation_id=org.id, person=form.contact_person,
                                email=form.email))  # fmt: skip
            user.organisation_id = org.id
            session.add(user)
            session.flush()
    except IntegrityError:
        return
    _send_confirmation(session, user, organisation=org.name, now=now)
    record(session, user_id=None, action="sign_up", entity="organisation", entity_id=org.id,
           detail=form.role)  # fmt: skip


def _send_confirmation(session: Session, user: User, *, organisation: str, now: datetime) -> None:
    _mail(session, key=f"confirm_email:{user.id}:{now.isoformat()}", kind="confirm_email",
          to=user.email, user_id=user.id, language_code=user.language, name=user.display_name,
          organisation=organisation,
          url=links.url(LINK_PAGE, "confirm_email", user_id=user.id))  # fmt: skip


def _tell_known(session: Session, user: User, *, typed: str, lang: str, now: datetime) -> None:
    """Someone signed up with an address that has an account: mail the account, never the
    page. One such mail per account per day, however often it is tried."""
    org = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    if user.email_confirmed_at is None and org is not None and org.approval == "pending":
        # Its own sign-up, never confirmed (the mail got lost): a fresh link.
        _send_confirmation(session, user, organisation=org.name, now=now)
    else:
        _mail(session, key=f"signup_known:{user.id}:{now:%Y-%m-%d}", kind="signup_known",
              to=user.email or typed, user_id=user.id, language_code=user.language or lang,
              name=user.display_name, url=_login_url(),
              reset_url=f"{settings.base_url()}/forgot")  # fmt: skip
    record(session, user_id=None, action="sign_up_known_address", entity="user",
           entity_id=user.id)  # fmt: skip


# --- The links in the mails ----------------------------------------------------------------


def _read_any(token: str) -> tuple[str, dict]:
    """(purpose, data) of a token from a confirm or reset mail. The URL does not say which,
    so both are tried; when neither fits, "verlopen" (the signature fitted one of them) says
    more than "klopt niet", which a token of the other purpose always gets."""
    refusals: list[InvalidInput] = []
    for purpose in ("confirm_email", "reset_password"):
        try:
            return purpose, links.read_token(token or "", purpose)
        except InvalidInput as exc:
            refusals.append(exc)
    tampered = _wrong_link().field_errors["token"]
    raise next((r for r in refusals if r.field_errors.get("token") != tampered), refusals[0])


def _wrong_link() -> InvalidInput:
    return InvalidInput({"token": t("Deze link klopt niet. Gebruik de link uit de mail, helemaal.")})  # fmt: skip


def _password_changed() -> InvalidInput:
    return InvalidInput({"token": t("Deze link werkt niet meer: het wachtwoord is al veranderd. Vraag zo nodig een nieuwe link aan.")})  # fmt: skip


def _password_mark(user: User) -> str:
    """Part of a reset link: a fingerprint of the password it replaces, so every reset link
    sent before stops working once the password changed (whichever way)."""
    return sha256_hex(f"reset:{user.password_hash}")[:16]


def link_purpose(*, session: Session, actor: Actor, token: str) -> str:
    """Read only, for the link page before anything is typed: "confirm_email" or
    "reset_password" for a link that would still work, else InvalidInput saying why not."""
    purpose, data = _read_any(token)
    user = session.get(User, data.get("user_id"))
    if user is None or not user.is_active:
        raise _wrong_link()
    if session.get(UsedLink, str(data.get("jti"))) is not None:
        raise InvalidInput({"token": t("Deze link is al gebruikt.")})
    if purpose == "reset_password" and data.get("mark") != _password_mark(user):
        raise _password_changed()
    return purpose


def confirm_email(
    *, session: Session, actor: Actor, token: str, now: datetime | None = None
) -> Confirmed:
    """The link in the confirmation mail, once: the address is confirmed, and a sign-up that
    waits is now in the list of its area's broker(s), who are told (a notification each, and
    a count on their "Nieuw voor jullie")."""
    now = now or utcnow()
    data = links.read_token(token or "", "confirm_email")
    user = session.get(User, data.get("user_id"))
    if user is None or not user.is_active:
        raise _wrong_link()
    links.use_once(session, data)
    # Conditioned on "not yet": of two links (a resent one) used at once, one confirms.
    confirmed = session.exec(
        update(User)
        .where(User.id == user.id, User.email_confirmed_at.is_(None))
        .values(email_confirmed_at=now)
    ).rowcount
    session.refresh(user)
    org = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    if confirmed:
        record(session, user_id=user.id, action="confirm_email", entity="user", entity_id=user.id)
        if org is not None and org.approval == "pending":
            _tell_brokers(session, org)
    return Confirmed(org.approval if org else "approved", org.neighbourhood if org else "")


def _tell_brokers(session: Session, org: Organisation) -> None:
    """Each broker who covers the organisation's neighbourhood hears that a sign-up waits
    (services/notify.py: in the app, and by mail as the broker chose)."""
    brokers = session.exec(
        select(User).where(User.role == "broker", User.is_active.is_(True)).order_by(User.id)
    )
    for broker in brokers:
        areas = [a.strip() for a in broker.areas.split(";") if a.strip()]
        if area_scope(broker.role, areas).covers(org.neighbourhood):
            notify.notify(session, user_id=broker.id, kind="signup_waiting",
                          params={"organisation": org.name, "neighbourhood": org.neighbourhood,
                                  "page": "organisations"},
                          key=f"signup_waiting:{org.id}:{broker.id}")  # fmt: skip


def request_password_reset(
    *, session: Session, actor: Actor, email: str, client: str, now: datetime | None = None
) -> None:
    """ "Wachtwoord vergeten": a mail with a link to set a new password (valid one day, single
    use) to every active account with this address that logs in with a password. The same
    answer (nothing) for an unknown address; limited per client and per (client, address),
    and at most one mail per account per RESET_MAIL_EVERY_MINUTES from anywhere."""
    now = now or utcnow()
    address = normal_email(email)
    problem = _email_problem(address)
    if problem:
        raise InvalidInput({"email": problem})
    limits.allow(session, "password_reset", client=client or "unknown", subject=address, now=now)
    bucket = int(now.timestamp() // (RESET_MAIL_EVERY_MINUTES * 60))
    for user in _users_with_address(session, address):
        if not (user.is_active and user.password_hash and not user.is_demo and user.email):
            continue  # no password to reset (the organisation's own login), or nobody to mail
        _mail(session, key=f"reset_password:{user.id}:{bucket}", kind="reset_password",
              to=user.email, user_id=user.id, language_code=user.language,
              name=user.display_name, username=user.username,
              url=links.url(LINK_PAGE, "reset_password", user_id=user.id,
                            mark=_password_mark(user)))  # fmt: skip
        record(session, user_id=None, action="request_password_reset", entity="user",
               entity_id=user.id)  # fmt: skip


def reset_password(
    *, session: Session, actor: Actor, token: str, password: str, repeat: str
) -> None:
    """The link in the reset mail, once: the new password is set and every login session of
    that user ends (accounts.set_password), so whoever knew the old one is out."""
    data = links.read_token(token or "", "reset_password")
    user = session.get(User, data.get("user_id"))
    if user is None or not user.is_active or not user.password_hash:
        raise _wrong_link()
    if session.get(UsedLink, str(data.get("jti"))) is not None:  # said first: it is what happened
        raise InvalidInput({"token": t("Deze link is al gebruikt.")})
    if data.get("mark") != _password_mark(user):
        raise _password_changed()
    errors: dict[str, str] = {}
    problem = accounts.password_problem(password, username=user.username)
    if problem:
        errors["password"] = problem
    elif password != repeat:
        errors["repeat"] = t("De twee wachtwoorden zijn niet hetzelfde. Typ ze opnieuw.")
    if errors:
        raise InvalidInput(errors)
    links.use_once(session, data)
    owner = Actor(user_id=user.id, role=user.role, organisation_id=user.organisation_id)
    accounts.set_password(session=session, actor=owner, user_id=user.id, password=password)


# --- Approval by the area's broker -----------------------------------------------------------


def signups(*, session: Session, actor: Actor) -> list[Signup]:
    """Organisations in the actor's areas that are not approved: waiting (pending) or
    rejected, with whether their address is confirmed, oldest first. For brokers and
    administrators, who judge them (so the contact person and address are shown)."""
    require_role(actor, "broker", "admin")
    rows = session.exec(
        select(Organisation, Contact)
        .join(Contact, Contact.organisation_id == Organisation.id, isouter=True)
        .where(Organisation.approval != "approved",
               in_scope(Organisation.neighbourhood, actor.scope))
        .order_by(Organisation.created_at, Organisation.id)
    ).all()  # fmt: skip
    confirmed = set(
        session.exec(
            select(User.organisation_id).where(
                User.organisation_id.in_([org.id for org, _ in rows]),
                User.email_confirmed_at.is_not(None),
            )
        )
    )
    return [
        Signup(
            org.id,
            org.name,
            org.role,
            org.partner_type,
            org.neighbourhood,
            contact.person if contact else "",
            contact.email if contact else "",
            org.created_at,
            org.approval,
            org.id in confirmed,
        )  # fmt: skip
        for org, contact in rows
    ]


def _decide(session: Session, actor: Actor, organisation_id: int, approval: str) -> Organisation:
    """Move a waiting organisation to `approval`, once: one conditioned UPDATE, so of two
    brokers deciding at once one wins and the other hears what happened."""
    require_role(actor, "broker", "admin")
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(t("Deze organisatie bestaat niet."))
    if not covers_area(actor, org.neighbourhood):
        raise NotAllowed(t("Deze organisatie zit niet in jouw buurten."))
    users = list(session.exec(select(User).where(User.organisation_id == org.id)))
    if org.approval == "pending" and not any(u.email_confirmed_at for u in users):
        raise Conflict(t("Deze organisatie heeft haar e-mailadres nog niet bevestigd. Dat moet eerst."))  # fmt: skip
    changed = session.exec(
        update(Organisation)
        .where(Organisation.id == org.id, Organisation.approval == "pending")
        .values(approval=approval, updated_at=utcnow())
    ).rowcount
    session.refresh(org)
    if not changed:
        if org.approval == "approved":
            raise Conflict(t("Deze aanmelding is al goedgekeurd, door een andere makelaar of de beheerder."), status=org.approval)  # fmt: skip
        raise Conflict(t("Deze aanmelding is al afgewezen, door een andere makelaar of de beheerder."), status=org.approval)  # fmt: skip
    return org


def _people(session: Session, org: Organisation) -> list[User]:
    return [u for u in session.exec(select(User).where(User.organisation_id == org.id)) if u.email]


def approve(*, session: Session, actor: Actor, organisation_id: int) -> Organisation:
    """The area's broker (or an administrator) lets a waiting organisation in: its users can
    log in, and it is like any other organisation. They are told by mail."""
    org = _decide(session, actor, organisation_id, "approved")
    for user in _people(session, org):
        _mail(session, key=f"signup_approved:{org.id}:{user.id}", kind="signup_approved",
              to=user.email, user_id=user.id, language_code=user.language,
              name=user.display_name, organisation=org.name, url=_login_url())  # fmt: skip
    record(session, user_id=actor.user_id, action="approve_signup", entity="organisation",
           entity_id=org.id)  # fmt: skip
    return org


def reject(*, session: Session, actor: Actor, organisation_id: int, reason: str) -> Organisation:
    """The area's broker (or an administrator) says no, with a reason the person reads in
    the mail; the organisation stays out of sight and its users cannot log in."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput({"reason": t("Schrijf kort op waarom niet. Dat lezen ze in de mail.")})
    if len(reason) > MAX_REASON:
        raise InvalidInput({"reason": t("Deze tekst is te lang: hoogstens {n} tekens.", n=MAX_REASON)})  # fmt: skip
    org = _decide(session, actor, organisation_id, "rejected")
    for user in _people(session, org):
        _mail(session, key=f"signup_rejected:{org.id}:{user.id}", kind="signup_rejected",
              to=user.email, user_id=user.id, language_code=user.language,
              name=user.display_name, organisation=org.name, reason=reason)  # fmt: skip
    record(session, user_id=actor.user_id, action="reject_signup", entity="organisation",
           entity_id=org.id, detail=reason)  # fmt: skip
    return org
