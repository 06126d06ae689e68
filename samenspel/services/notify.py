"""Notifications: people hear what is new, in the app and by mail, as often as they chose.

An event (a new suggestion, an introduction, a yes, a follow-up that is due) becomes a
Notification row for each person it concerns, written in the unit of work of the event
itself, so a change that rolls back notifies nobody. Whether a mail goes out, and when, is the
person's choice per kind (NotificationSetting; no row: DEFAULTS): "direct" queues the mail in
the outbox at once (same unit of work), "daily" and "weekly" leave the row for the digest that
`periodic` builds, "never" keeps it in the app only. Nobody is mailed without an address.

Who hears what:
- an initiative's members: new_suggestion (for their need), other_side_asked, other_side_yes,
  introduction, agreed, follow_up_due;
- a partner's members: fitting_need (a new suggestion for their offer), other_side_asked,
  other_side_yes, introduction, agreed, follow_up_due;
- brokers: broker_digest, a summary of their areas; signup_waiting (services/signup.py);
  message_reported, and message once they wrote in that conversation (conversations.py);
- both sides: message, a message in the conversation of their introduction.
The person whose action caused an event is not told about it.

New suggestions are the engine's, stored in bulk (an import stores thousands): only a pair
that was not stored before counts (a refresh that stores the same pair again is silent), and
a person hears about one need or offer at most once a day (the first new pair of that day),
so a busy day is one line per post, not one per pair.

Notifications keep the words they need (titles, names) and the match id in `params`, never in
the match_id column: suggestions are deleted and stored again on every refresh, and retention
deletes undecided matches, which a foreign key would block. They are removed after KEEP_DAYS.

The mail links (mail_link page): "unsubscribe" sets kinds to never in one click; "follow_up"
answers "Is het gelukt?" (ja / nee / nog niet) without logging in, once per person and
follow-up date, as the person the link was made for.
"""

from __future__ import annotations

import contextvars
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from sqlalchemy import delete, exists, func, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from samenspel import logs, settings
from samenspel.i18n import N_, language, set_language, t
from samenspel.services import calendar, lifecycle, links, mail_text, outbox
from samenspel.services.audit import record
from samenspel.services.errors import InvalidInput, NotAllowed
from samenspel.services.permissions import Actor, require_signed_in
from samenspel.services.scope import area_scope, in_scope
from samenspel.storage.models import (
    Match,
    Need,
    Notification,
    NotificationSetting,
    Offer,
    Organisation,
    OutboxMessage,
    User,
    utcnow,
)

DIRECT, DAILY, WEEKLY, NEVER = "direct", "daily", "weekly", "never"
FREQUENCIES = (DIRECT, DAILY, WEEKLY, NEVER)
BROKER_DIGEST = "broker_digest"
DEFAULTS = {
    "new_suggestion": DAILY,
    "fitting_need": DAILY,
    "other_side_asked": DAILY,
    "other_side_yes": DIRECT,
    "introduction": DIRECT,
    "agreed": DIRECT,
    "follow_up_due": DIRECT,
    BROKER_DIGEST: WEEKLY,
    "signup_waiting": DIRECT,  # an organisation signed up in the broker's area (signup.py)
    "message": DIRECT,  # a message in the conversation of an introduction (conversations.py)
    "message_reported": DIRECT,  # a side reported a message to the area's broker
    "matchmarkt_invite": DIRECT,  # invited to a matchmarkt (services/matchmarkt.py)
    "matchmarkt_contact": DIRECT,  # partij B of a matchmarkt deal: make contact in two weeks
    "matchmarkt_reminder": DIRECT,  # ... and has not yet, ten days on
}
_SIDE_SHARED = ("other_side_asked", "other_side_yes", "introduction", "agreed", "follow_up_due",
                "message", "matchmarkt_invite", "matchmarkt_contact", "matchmarkt_reminder")  # fmt: skip
# The kinds a person chooses for on "Meldingen per mail", by role.
KINDS_FOR = {
    "initiative": ("new_suggestion", *_SIDE_SHARED),
    "partner": ("fitting_need", *_SIDE_SHARED),
    "broker": (BROKER_DIGEST, "signup_waiting", "message", "message_reported"),
}
KIND_LABELS = {
    "new_suggestion": N_("Nieuwe suggesties voor onze vragen"),
    "fitting_need": N_("Vragen die passen bij ons aanbod"),
    "other_side_asked": N_("De andere kant wil kennismaken"),
    "other_side_yes": N_("De andere kant zegt ja"),
    "introduction": N_("De makelaar stelt ons voor"),
    "agreed": N_("Allebei ja: we gaan samenwerken"),
    "follow_up_due": N_("Is het gelukt? (de vraag na een tijdje)"),
    BROKER_DIGEST: N_("Overzicht van mijn buurten"),
    "signup_waiting": N_("Een nieuwe organisatie meldt zich aan"),
    "message": N_("Een nieuw bericht in een gesprek"),
    "message_reported": N_("Iemand meldt een bericht bij mij"),
    "matchmarkt_invite": N_("Een uitnodiging voor een matchmarkt"),
    "matchmarkt_contact": N_("Contact opnemen na een deal op de matchmarkt"),
    "matchmarkt_reminder": N_("Herinnering: contact opnemen na een deal"),
}
FREQUENCY_LABELS = {
    DIRECT: N_("direct"),
    DAILY: N_("elke dag"),
    WEEKLY: N_("elke week"),
    NEVER: N_("nooit"),
}
# A summary has no "direct": it is made once a day or once a week.
DIGEST_FREQUENCIES = (DAILY, WEEKLY, NEVER)

DIGEST_HOUR = 7  # UTC: daily digests go out from this hour on, weekly ones on Mondays
RECENT = timedelta(days=8)  # how far back a digest looks for what was not mailed yet
KEEP_DAYS = 90  # notifications (with the names in them) are removed after this
LIST_MAX = 15  # lines per list in the broker's summary
LATER_DAYS = 14  # "nog niet": ask again this much later
# A follow-up date longer ago than this is not asked by mail any more (the broker's summary
# lists it as overdue): a first run on old data mails nobody about last year.
FOLLOW_UP_WINDOW = timedelta(days=30)
PERIODIC_LOCK = 7_141_501  # PostgreSQL advisory lock: one worker runs the periodic job at a time
PERIODIC_EVERY = 300  # seconds between two runs of the periodic job in one worker process
_last_periodic: dict[str, float] = {}  # database -> when this process last ran it (monotonic)

# Which page a kind points to (the page's URL path), for the initiative and the partner side.
PAGE = {
    "new_suggestion": "mine",
    "fitting_need": "help",
    "introduction": "mine",
    "other_side_yes": "mine",
    "agreed": "partnerships",
    "follow_up_due": "partnerships",
}

# The events of a match the services report (services/matches.py).
INTRODUCED = "introduced"  # the broker introduced both sides
AGREED = "agreed"  # both said yes
ASKED = "asked"  # one side asked for a suggestion (or offered help)
SAID_YES = "said_yes"  # one side said yes to an introduction

# The answers a follow-up link carries.
ANSWERS = ("ja", "nee", "nog_niet")
_ANSWER_SEEN = N_("Deze vraag is al beantwoord. Kijk in Samenspel hoe het nu staat.")


# --- choices -----------------------------------------------------------------------------


def frequencies(session: Session, user_id: int, kinds) -> dict[str, str]:
    """How often this person wants mail about each of `kinds`."""
    chosen = dict(
        session.exec(
            select(NotificationSetting.kind, NotificationSetting.frequency).where(
                NotificationSetting.user_id == user_id
            )
        ).all()
    )
    return {kind: chosen.get(kind, DEFAULTS.get(kind, NEVER)) for kind in kinds}


def _set_frequency(session: Session, user_id: int, kind: str, frequency: str) -> None:
    """One choice, written or replaced; two at once for the same person: the last one stays."""
    updated = session.execute(
        update(NotificationSetting)
        .where(NotificationSetting.user_id == user_id, NotificationSetting.kind == kind)
        .values(frequency=frequency)
    )
    if updated.rowcount:
        return
    try:
        with session.begin_nested():
            session.add(NotificationSetting(user_id=user_id, kind=kind, frequency=frequency))
            session.flush()
    except IntegrityError:  # the same choice was written at the same moment
        session.execute(
            update(NotificationSetting)
            .where(NotificationSetting.user_id == user_id, NotificationSetting.kind == kind)
            .values(frequency=frequency)
        )


def kinds_for(role: str) -> tuple[str, ...]:
    return KINDS_FOR.get(role, ())


def allowed_frequencies(kind: str) -> tuple[str, ...]:
    return DIGEST_FREQUENCIES if kind == BROKER_DIGEST else FREQUENCIES


@dataclass(frozen=True)
class Preferences:
    email: str
    frequencies: dict[str, str]  # kind -> frequency, in the order of kinds_for(role)


def preferences(session: Session, *, actor: Actor) -> Preferences:
    """The signed-in person's own address and choices."""
    require_signed_in(actor)
    user = session.get(User, actor.user_id)
    return Preferences(user.email, frequencies(session, user.id, kinds_for(user.role)))


def _valid_email(email: str) -> bool:
    name, at, domain = email.rpartition("@")
    return bool(at and name and "." in domain.strip(".") and not any(c.isspace() for c in email))


def save_preferences(
    session: Session, *, actor: Actor, email: str, frequencies: dict[str, str]
) -> Preferences:
    """Save the person's own address (empty: no mail at all, everything stays in the app) and
    how often they want mail per kind."""
    require_signed_in(actor)
    user = session.get(User, actor.user_id)
    email = email.strip()
    errors = {}
    if email and (len(email) > 200 or not _valid_email(email)):
        errors["email"] = t("Dit e-mailadres klopt niet.")
    kinds = kinds_for(user.role)
    for kind, frequency in frequencies.items():
        if kind not in kinds or frequency not in allowed_frequencies(kind):
            errors[kind] = t("Kies hoe vaak jullie hierover mail willen.")
    if errors:
        raise InvalidInput(errors)
    if email != user.email:
        # A new address is not confirmed (yet); what was confirmed was the old one.
        user.email, user.email_confirmed_at = email, None
        record(session, user_id=user.id, action="email_changed", entity="user", entity_id=user.id)
    for kind, frequency in frequencies.items():
        _set_frequency(session, user.id, kind, frequency)
    record(session, user_id=user.id, action="notification_settings", entity="user",
           entity_id=user.id, detail=", ".join(f"{k}={v}" for k, v in frequencies.items()))  # fmt: skip
    session.flush()
    return preferences(session, actor=actor)


# --- notifying ---------------------------------------------------------------------------


def notify(
    session: Session,
    *,
    user_id: int,
    kind: str,
    params: dict,
    match_id: int | None = None,
    key: str | None = None,
) -> Notification | None:
    """Tell one person about something new of `kind`: a Notification in the caller's unit of
    work and, when the person wants this kind "direct" and has an address, the mail queued at
    once (under `key`, default "<kind>:<notification id>"). `params` are the words the mail
    and the app show (mail_text), with `page` the page to go to. None for a person who can
    no longer log in."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    params = dict(params)
    if match_id is not None:
        params["match_id"] = match_id
    note = Notification(user_id=user_id, kind=kind, params=params)
    session.add(note)
    if user.email and frequencies(session, user_id, [kind])[kind] == DIRECT:
        session.flush()  # its id names the mail
        queued = _mail(session, user, kind, _mail_params(user, note), key or f"{kind}:{note.id}",
                       unsubscribe=[kind])  # fmt: skip
        if queued:
            note.mailed_at = utcnow()
    return note


def _mail(
    session: Session, user: User, kind: str, params: dict, key: str, *, unsubscribe: list[str]
) -> bool:
    """Render and queue one mail for `user`, in their language, with the link that stops
    mail of the `unsubscribe` kinds. False when the key was queued before."""
    from samenspel.services.mail_worker import unsubscribe_entry

    stop = link_url("unsubscribe", user_id=user.id, kinds=unsubscribe)
    subject, text_part, html_part = mail_text.render(
        kind, user.language, name=user.display_name or user.username, unsubscribe_url=stop,
        **params,
    )  # fmt: skip
    queued = outbox.enqueue(
        session, key=key, to_address=user.email, kind=kind, subject=subject, text=text_part,
        html=html_part, language=user.language, user_id=user.id,
        attachments=[unsubscribe_entry(stop),
                     *calendar.attachments(session, user=user, kind=kind, params=params)],
    )  # fmt: skip
    return queued is not None


def link_url(purpose: str, **data) -> str:
    """A link to the mail_link page for `purpose` (the page reads `do` to know which kind
    of token to check; changing it only makes the token fail)."""
    return links.url("mail_link", purpose, **data) + "&" + urlencode({"do": purpose})


def _page_url(page: str) -> str:
    return f"{settings.base_url()}/{page}"


def _mail_params(user: User, note: Notification) -> dict:
    """What a mail of this notification fills in: its words, the page, and for a follow-up
    the three one-click answers (made for this person)."""
    params = {k: v for k, v in note.params.items() if k not in ("page",)}
    params["url"] = _page_url(note.params.get("page", "news"))
    if note.kind == "follow_up_due":
        answer = {"match_id": note.params["match_id"], "user_id": user.id, "on": note.params["on"]}  # fmt: skip
        params["yes_url"] = link_url("follow_up", answer="ja", **answer)
        params["no_url"] = link_url("follow_up", answer="nee", **answer)
        params["not_yet_url"] = link_url("follow_up", answer="nog_niet", **answer)
    return params


def members(session: Session, organisation_id: int, except_user: int | None = None) -> list[int]:
    """The active people of an organisation (but `except_user`): whom to tell about it."""
    query = select(User.id).where(User.organisation_id == organisation_id, User.is_active.is_(True))
    if except_user is not None:
        query = query.where(User.id != except_user)
    return list(session.exec(query))


def _pair(session: Session, match_id: int):
    """The match with its need, offer and both organisations (None for a funding match)."""
    need_org, offer_org = aliased(Organisation), aliased(Organisation)
    return session.exec(
        select(Match, Need, Offer, need_org, offer_org)
        .join(Need, Match.need_id == Need.id)
        .join(Offer, Match.offer_id == Offer.id)
        .join(need_org, Need.organisation_id == need_org.id)
        .join(offer_org, Offer.organisation_id == offer_org.id)
        .where(Match.id == match_id)
    ).first()


def match_event(session: Session, *, match_id: int, event: str, actor: Actor | None) -> int:
    """Tell the people of a match what happened to it (INTRODUCED, AGREED: both sides;
    ASKED, SAID_YES: the side that did not act). Returns how many were told."""
    row = _pair(session, match_id)
    if row is None:
        return 0
    match, need, offer, need_org, offer_org = row
    actor_org = actor.organisation_id if actor else None
    actor_user = actor.user_id if actor else None
    sides = [(lifecycle.INITIATIVE, need_org, offer_org), (lifecycle.PARTNER, offer_org, need_org)]
    if event in (ASKED, SAID_YES):
        sides = [s for s in sides if s[1].id != actor_org]
    kind = {INTRODUCED: "introduction", AGREED: "agreed", ASKED: "other_side_asked",
            SAID_YES: "other_side_yes"}[event]  # fmt: skip
    told = 0
    for side, own, other in sides:
        page = PAGE.get(kind) or ("mine" if side == lifecycle.INITIATIVE else "help")
        params = {"need": need.title, "offer": offer.title, "other": other.name, "page": page}
        for user_id in members(session, own.id, actor_user):
            told += notify(session, user_id=user_id, kind=kind, params=params,
                           match_id=match.id) is not None  # fmt: skip
    return told


def _organisations_with_people(session: Session) -> set[int]:
    """Organisations that have anyone to tell, once per unit of work: the engine stores
    suggestions for thousands of needs in one (an import), mostly of organisations without
    any account, and this keeps those from costing a query each."""
    key = "notify_organisations_with_people"
    if key not in session.info:
        session.info[key] = set(
            session.exec(
                select(User.organisation_id)
                .where(col(User.organisation_id).is_not(None), User.is_active.is_(True))
                .distinct()
            )
        )
    return session.info[key]


def new_pairs(
    session: Session, *, need_id: int, offer_ids: list[int], now: datetime | None = None
) -> int:
    """Pairs the engine stored for the first time for one need (best first): the need's
    people hear of a new suggestion, each offer's people of a need that fits their offer; at
    most once per person, kind and post per day. Returns how many were told."""
    if not offer_ids:
        return 0
    with_people = _organisations_with_people(session)
    if not with_people:
        return 0
    need_org = aliased(Organisation)
    found = session.exec(
        select(Need, need_org).join(need_org, Need.organisation_id == need_org.id)
        .where(Need.id == need_id)
    ).first()  # fmt: skip
    if found is None:
        return 0
    need, initiative = found
    offers = {
        offer.id: (offer, org)
        for offer, org in session.exec(
            select(Offer, Organisation)
            .join(Organisation, Offer.organisation_id == Organisation.id)
            .where(col(Offer.id).in_(offer_ids))
        )
    }
    wanted = []  # (organisation id, kind, post id, params)
    if initiative.id in with_people:
        offer, partner = offers.get(offer_ids[0], (None, None))
        if offer is not None:
            wanted.append((initiative.id, "new_suggestion", need.id, {
                "need": need.title, "offer": offer.title, "other": partner.name,
                "need_id": need.id, "page": PAGE["new_suggestion"]}))  # fmt: skip
    for offer_id in offer_ids:
        offer, partner = offers.get(offer_id, (None, None))
        if offer is not None and partner.id in with_people:
            wanted.append((partner.id, "fitting_need", offer.id, {
                "need": need.title, "offer": offer.title, "other": initiative.name,
                "offer_id": offer.id, "page": PAGE["fitting_need"]}))  # fmt: skip
    if not wanted:
        return 0
    people = defaultdict(list)
    for user_id, organisation_id in session.exec(
        select(User.id, User.organisation_id).where(
            col(User.organisation_id).in_({w[0] for w in wanted}), User.is_active.is_(True)
        )
    ):
        people[organisation_id].append(user_id)
    start = datetime.combine((now or utcnow()).date(), time(), tzinfo=UTC)
    told_today = {
        (user_id, kind, params.get("need_id") or params.get("offer_id"))
        for user_id, kind, params in session.exec(
            select(Notification.user_id, Notification.kind, Notification.params).where(
                col(Notification.user_id).in_([u for us in people.values() for u in us]),
                col(Notification.kind).in_(("new_suggestion", "fitting_need")),
                Notification.created_at >= start,
            )
        )
    }
    told = 0
    for organisation_id, kind, post_id, params in wanted:
        for user_id in people[organisation_id]:
            if (user_id, kind, post_id) in told_today:
                continue
            told_today.add((user_id, kind, post_id))
            told += notify(session, user_id=user_id, kind=kind, params=params) is not None
    return told


# --- the app -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    id: int
    text: str  # in the reader's language; user text in it is plain text (escape to show)
    page: str
    created_at: datetime
    read: bool


def recent(session: Session, *, actor: Actor, limit: int = 10) -> list[Line]:
    """The signed-in person's latest notifications, newest first."""
    require_signed_in(actor)
    rows = session.exec(
        select(Notification)
        .where(Notification.user_id == actor.user_id)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(limit)
    ).all()
    return [
        Line(
            n.id,
            _line(n, language()),
            n.params.get("page", "news"),
            n.created_at,
            n.read_at is not None,
        )  # fmt: skip
        for n in rows
    ]


def _line(note: Notification, lang: str) -> str:
    """One line for a notification: its mail's subject."""
    return mail_text.subject(note.kind, lang, **note.params)


def mark_read(session: Session, *, actor: Actor, ids: list[int]) -> int:
    """The person saw these notifications (their own only)."""
    require_signed_in(actor)
    if not ids:
        return 0
    return session.execute(
        update(Notification)
        .where(
            col(Notification.id).in_(ids),
            Notification.user_id == actor.user_id,
            col(Notification.read_at).is_(None),
        )
        .values(read_at=utcnow())
    ).rowcount


# --- the periodic job ------------------------------------------------------------------------


def periodic_job(engine) -> dict[str, int]:
    """The worker's job (services/mail_worker.py JOBS): `periodic` in its own unit of work,
    at most every PERIODIC_EVERY seconds per process (the worker's rounds are seconds apart;
    what is due here changes by the day). An empty result: not this round."""
    import time as clock

    from samenspel.storage import db

    last = _last_periodic.get(str(engine.url))
    if last is not None and clock.monotonic() - last < PERIODIC_EVERY:
        return {}
    with db.unit_of_work(engine) as session:
        done = periodic(session, now=utcnow())
    _last_periodic[str(engine.url)] = clock.monotonic()
    return done


def periodic(session: Session, *, now: datetime, force: bool = False) -> dict[str, int]:
    """What is due at `now`: follow-up questions whose date has come, the daily and weekly
    digests of people who chose them, the brokers' summaries, and removing old notifications.
    Idempotent: a second run in the same day (or week) adds nothing. `force`: the digests go
    out now, whatever the day and hour (`samenspel digest --now`). On PostgreSQL one worker at
    a time runs it (others skip the round); on SQLite the unit of work holds the write lock."""
    from samenspel.services import matchmarkt_deals  # it tells people through this module

    if session.get_bind().dialect.name == "postgresql":
        locked = session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"),
                                 {"key": PERIODIC_LOCK}).scalar()  # fmt: skip
        if not locked:
            return {"skipped": 1}
    done = {
        "follow_ups": follow_ups_due(session, today=now.date()),
        "matchmarkt_reminders": matchmarkt_deals.contact_reminders(session, today=now.date()),
        **digests(session, now=now, force=force),
        "removed": session.execute(
            delete(Notification).where(Notification.created_at < now - timedelta(days=KEEP_DAYS))
        ).rowcount,
        **calendar.refresh_feeds(session, now=now),  # the private calendar feeds
    }
    logs.event("notify_periodic", "notifications and digests", level=logging.DEBUG, **done)
    return done


def follow_ups_due(session: Session, *, today: date) -> int:
    """ "Is het gelukt?" for both sides of every partnership (agreed or running) whose
    follow-up date has come: once per partnership and date."""
    need_org, offer_org = aliased(Organisation), aliased(Organisation)
    due = session.exec(
        select(Match, Need, Offer, need_org, offer_org)
        .join(Need, Match.need_id == Need.id)
        .join(Offer, Match.offer_id == Offer.id)
        .join(need_org, Need.organisation_id == need_org.id)
        .join(offer_org, Offer.organisation_id == offer_org.id)
        .where(
            col(Match.status).in_((lifecycle.AGREED, lifecycle.ACTIVE)),
            Match.follow_up_on <= today,
            Match.follow_up_on > today - FOLLOW_UP_WINDOW,
        )
    ).all()
    if not due:
        return 0
    earliest = datetime.combine(min(m.follow_up_on for m, *_ in due), time(), tzinfo=UTC)
    asked = {
        (params.get("match_id"), params.get("on"))
        for params in session.exec(
            select(Notification.params).where(
                Notification.kind == "follow_up_due",
                Notification.created_at >= earliest - timedelta(days=1),
            )
        ).all()
    }
    told = 0
    for match, need, offer, initiative, partner in due:
        on = match.follow_up_on.isoformat()
        if (match.id, on) in asked:
            continue
        for own, other in ((initiative, partner), (partner, initiative)):
            params = {"need": need.title, "offer": offer.title, "other": other.name,
                      "on": on, "page": PAGE["follow_up_due"]}  # fmt: skip
            for user_id in members(session, own.id):
                told += notify(session, user_id=user_id, kind="follow_up_due", params=params,
                               match_id=match.id,
                               key=f"follow_up_due:{match.id}:{on}:{user_id}") is not None  # fmt: skip
    return told


def _period(now: datetime, frequency: str) -> tuple[str, datetime]:
    """The name of the day or week `now` is in, and when it started."""
    day = datetime.combine(now.date(), time(), tzinfo=UTC)
    if frequency == WEEKLY:
        year, week, weekday = now.isocalendar()
        return f"{year}-W{week:02d}", day - timedelta(days=weekday - 1)
    return now.date().isoformat(), day


def _due(now: datetime, frequency: str, force: bool) -> bool:
    if frequency not in (DAILY, WEEKLY):
        return False
    if force:
        return True
    return now.hour >= DIGEST_HOUR and (frequency == DAILY or now.weekday() == 0)


def _queued(session: Session, key: str) -> bool:
    return session.exec(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)).first() is not None  # fmt: skip


def digests(session: Session, *, now: datetime, force: bool = False) -> dict[str, int]:
    """The daily and weekly mails: for sides, one mail bundling what was not mailed yet of
    the kinds they chose daily (or weekly) for; for brokers, the summary of their areas."""
    if session.get_bind().dialect.name == "postgresql":  # after the worker's round, if one runs
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PERIODIC_LOCK})
    return {
        "digests": _side_digests(session, now=now, force=force),
        "broker_digests": _broker_digests(session, now=now, force=force),
    }


def _side_digests(session: Session, *, now: datetime, force: bool) -> int:
    if not (_due(now, DAILY, force) or _due(now, WEEKLY, force)):
        return 0
    waiting = session.exec(
        select(Notification, User)
        .join(User, Notification.user_id == User.id)
        .where(
            col(Notification.mailed_at).is_(None),
            Notification.created_at >= now - RECENT,
            Notification.kind != BROKER_DIGEST,
            User.email != "",
            User.is_active.is_(True),
        )
        .order_by(Notification.user_id, Notification.created_at, Notification.id)
    ).all()
    per_user: dict[int, tuple[User, list[Notification]]] = {}
    for note, user in waiting:
        per_user.setdefault(user.id, (user, []))[1].append(note)
    if not per_user:
        return 0
    choices = {
        (user_id, kind): frequency
        for user_id, kind, frequency in session.exec(
            select(NotificationSetting.user_id, NotificationSetting.kind,
                   NotificationSetting.frequency)
            .where(col(NotificationSetting.user_id).in_(list(per_user)))
        )
    }  # fmt: skip
    mailed = 0
    for user, notes in per_user.values():
        for frequency in (DAILY, WEEKLY):
            bundle = [n for n in notes
                      if choices.get((user.id, n.kind), DEFAULTS.get(n.kind, NEVER)) == frequency]  # fmt: skip
            if not bundle or not _due(now, frequency, force):
                continue
            period, _ = _period(now, frequency)
            key = f"digest:{frequency}:{user.id}:{period}"
            if _queued(session, key):
                continue
            items = [(_line(n, user.language), _page_url(n.params.get("page", "news"))) for n in bundle]  # fmt: skip
            kinds = sorted({n.kind for n in bundle})
            if _mail(session, user, "digest", {"count": len(bundle), "items": items,
                                               "url": _page_url("news")},
                     key, unsubscribe=kinds):  # fmt: skip
                mailed += 1
                for n in bundle:
                    n.mailed_at = now
    return mailed


def _broker_digests(session: Session, *, now: datetime, force: bool) -> int:
    """A summary per broker of their areas (skipped when there is nothing in it), in the app
    and, with an address, by mail; once per day or week as the broker chose."""
    made = 0
    brokers = session.exec(select(User).where(User.role == "broker", User.is_active.is_(True)))
    for broker in brokers.all():
        frequency = frequencies(session, broker.id, [BROKER_DIGEST])[BROKER_DIGEST]
        if frequency == DIRECT:
            frequency = DAILY
        if not _due(now, frequency, force):
            continue
        period, start = _period(now, frequency)
        already = session.exec(
            select(Notification.id).where(
                Notification.user_id == broker.id,
                Notification.kind == BROKER_DIGEST,
                Notification.created_at >= start,
            )
        ).first()
        if already is not None:
            continue
        since = now - (timedelta(days=7) if frequency == WEEKLY else timedelta(days=1))
        lists = _areas_summary(session, broker, since=since, today=now.date())
        count = sum(total for _, total in lists.values())
        if not count:
            continue
        note = Notification(user_id=broker.id, kind=BROKER_DIGEST,
                            params={"count": count, "page": "review"})  # fmt: skip
        session.add(note)
        made += 1
        if broker.email:
            params = {name: _listed(lines, total, broker.language)
                      for name, (lines, total) in lists.items()}  # fmt: skip
            params.update(count=count, url=_page_url("review"))
            if _mail(session, broker, BROKER_DIGEST, params,
                     f"{BROKER_DIGEST}:{frequency}:{broker.id}:{period}",
                     unsubscribe=[BROKER_DIGEST]):  # fmt: skip
                note.mailed_at = now
    return made


def _listed(lines: list[str], total: int, lang: str) -> list[str]:
    if total > len(lines):
        return [*lines, _translated(lang, N_("en nog {n}"), n=total - len(lines))]
    return lines


def _translated(lang: str, message: str, **values) -> str:
    """A message in `lang`, leaving the language of the page or job as it is."""

    def run() -> str:
        set_language(lang)
        return t(message, **values)

    return contextvars.copy_context().run(run)


def _areas_summary(
    session: Session, broker: User, *, since: datetime, today: date
) -> dict[str, tuple[list[str], int]]:
    """The four lists of a broker's summary, each (up to LIST_MAX lines, how many in all)."""
    scope = area_scope(broker.role, [a.strip() for a in broker.areas.split(";") if a.strip()])
    need_org, offer_org = aliased(Organisation), aliased(Organisation)
    needs = select(Need, need_org).join(need_org, Need.organisation_id == need_org.id).where(
        in_scope(need_org.neighbourhood, scope)
    )  # fmt: skip
    pairs = (
        select(Match, Need, need_org, Offer, offer_org)
        .join(Need, Match.need_id == Need.id)
        .join(need_org, Need.organisation_id == need_org.id)
        .join(Offer, Match.offer_id == Offer.id)
        .join(offer_org, Offer.organisation_id == offer_org.id)
        .where(in_scope(need_org.neighbourhood, scope))
    )
    live = col(Match.status).in_(
        (lifecycle.SUGGESTED, lifecycle.INTRODUCED, lifecycle.AGREED, lifecycle.ACTIVE)
    )
    newest = (col(Need.created_at).desc(), col(Need.id).desc())
    # name -> (query, shape of its rows, order: what matters most first)
    lists = {
        "new_needs": (needs.where(Need.status == "open", Need.created_at >= since), "need", newest),
        "asked": (pairs.where(Match.status == lifecycle.SUGGESTED, Match.asked_sides > 0), "pair",
                  (col(Match.asked_sides).desc(), col(Match.updated_at).desc())),
        "unmatched": (needs.where(Need.status == "open",
                                  ~exists().where(Match.need_id == Need.id, live)), "need", newest),
        "overdue": (pairs.where(col(Match.status).in_((lifecycle.AGREED, lifecycle.ACTIVE)),
                                Match.follow_up_on < today), "pair", (col(Match.follow_up_on),)),
    }  # fmt: skip
    summary = {}
    for name, (query, shape, order) in lists.items():
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(query.order_by(*order).limit(LIST_MAX)).all() if total else []
        if shape == "need":
            lines = [f"{need.title} · {org.name} · {org.neighbourhood}" for need, org in rows]
        else:
            lines = [
                f"{ini.name}: {need.title} ↔ {par.name}: {offer.title}"
                for _m, need, ini, offer, par in rows
            ]
        summary[name] = (lines, total)
    return summary


# --- the links in mails -----------------------------------------------------------------------


def _link_user(session: Session, data: dict) -> User:
    user = session.get(User, data.get("user_id"))
    if user is None or not user.is_active:
        raise InvalidInput({"token": t("Deze link werkt niet meer: het account bestaat niet meer.")})  # fmt: skip
    return user


def _actor_of(user: User) -> Actor:
    areas = tuple(a.strip() for a in user.areas.split(";") if a.strip())
    return Actor(user.id, user.role, user.organisation_id, areas,
                 user.display_name or user.username)  # fmt: skip


def unsubscribe(session: Session, *, actor: Actor, token: str) -> list[str]:  # noqa: ARG001
    """One click in a mail: no more mail of the link's kinds for the link's person (the app
    still shows them). The signed token is the authority, not whoever opened the page.
    Returns the kinds now set to never."""
    data = links.read_token(token, "unsubscribe")
    user = _link_user(session, data)
    kinds = [kind for kind in data.get("kinds", ()) if kind in DEFAULTS]
    for kind in kinds:
        _set_frequency(session, user.id, kind, NEVER)
    record(session, user_id=user.id, action="unsubscribe", entity="user", entity_id=user.id,
           detail=", ".join(kinds))  # fmt: skip
    return kinds


def answer_follow_up(
    session: Session,
    *,
    actor: Actor,
    token: str,
    today: date | None = None,  # noqa: ARG001
) -> str:
    """One click on "Is het gelukt?" in a mail, as the person it was sent to: "ja" keeps the
    partnership running (next question in four weeks), "nee" ends it as not worked out, "nog
    niet" asks again in two weeks. Once per person and follow-up date (the three links share
    one use), and only while that question is still open. Returns the answer."""
    from samenspel.services import partnerships
    from samenspel.services.matches import _load, side_of

    data = links.read_token(token, "follow_up")
    answer = data.get("answer")
    if answer not in ANSWERS:
        raise InvalidInput({"token": t("Deze link klopt niet. Gebruik de link uit de mail, helemaal.")})  # fmt: skip
    user = _link_user(session, data)
    links.use_once(session, {"jti": f"follow_up:{data['match_id']}:{data['on']}:{user.id}"})
    match, _, _, need_org, offer_org = _load(session, int(data["match_id"]))
    if (
        match.status not in (lifecycle.AGREED, lifecycle.ACTIVE)
        or match.follow_up_on is None
        or match.follow_up_on.isoformat() != data["on"]
    ):
        raise InvalidInput({"token": t(_ANSWER_SEEN)})
    who = _actor_of(user)
    today = today or date.today()
    if answer == "ja":
        partnerships.follow_up(session=session, actor=who, match_id=match.id,
                               seen_version=match.version, outcome=partnerships.CONTINUE,
                               today=today)  # fmt: skip
    elif answer == "nee":
        partnerships.follow_up(session=session, actor=who, match_id=match.id,
                               seen_version=match.version, outcome=partnerships.FAILED,
                               today=today)  # fmt: skip
    elif match.status == lifecycle.ACTIVE:
        partnerships.follow_up(session=session, actor=who, match_id=match.id,
                               seen_version=match.version, outcome=partnerships.CONTINUE,
                               next_date=today + timedelta(days=LATER_DAYS), today=today)  # fmt: skip
    else:
        # Agreed but not (known to be) started: "not yet" is no step of the lifecycle, only a
        # later question, so the date moves and the status stays; conditioned on the version.
        if side_of(who, need_org, offer_org) is None:
            raise NotAllowed(t("Dit mag je niet doen met jouw account."))
        later = today + timedelta(days=LATER_DAYS)
        moved = session.execute(
            update(Match)
            .where(Match.id == match.id, Match.version == match.version,
                   Match.status == lifecycle.AGREED)
            .values(follow_up_on=later, version=match.version + 1, updated_at=utcnow())
        )  # fmt: skip
        if moved.rowcount != 1:
            raise InvalidInput({"token": t(_ANSWER_SEEN)})
        record(session, user_id=user.id, action="follow_up_later", entity="match",
               entity_id=match.id, detail=later.isoformat())  # fmt: skip
    session.flush()
    return answer
