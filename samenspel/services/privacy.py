"""An organisation's own data: everything to download (AVG/GDPR article 15 and 20), and
deletion with its personal data (article 17). Matches stay, anonymised, for statistics."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, delete, select

from samenspel.i18n import language, t
from samenspel.matching.reasons import render_stored
from samenspel.services.audit import record
from samenspel.services.errors import NotAllowed, NotFound
from samenspel.services.permissions import Actor, require_org_editor, require_signed_in
from samenspel.storage.models import (
    AuditEvent,
    Contact,
    ConversationMessage,
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

SECRETS = ("password_hash", "calendar_token_hash")  # never in a download


def _plain(row) -> dict:
    def value(v):
        return v.isoformat() if isinstance(v, date | datetime) else v

    return {key: value(v) for key, v in row.model_dump().items() if key not in SECRETS}


def export_organisation(*, session: Session, actor: Actor, organisation_id: int) -> bytes:
    """All data Samenspel holds about one organisation, as JSON."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(t("Deze organisatie bestaat niet."))
    require_org_editor(actor, org)
    needs = session.exec(select(Need).where(Need.organisation_id == org.id)).all()
    offers = session.exec(select(Offer).where(Offer.organisation_id == org.id)).all()
    need_ids, offer_ids = [n.id for n in needs], [o.id for o in offers]
    matches = session.exec(
        select(Match).where(col(Match.need_id).in_(need_ids) | col(Match.offer_id).in_(offer_ids))
    ).all()
    members = select(User.id).where(User.organisation_id == org.id)
    payload = {
        "organisation": _plain(org),
        "contact": [
            _plain(c)
            for c in session.exec(select(Contact).where(Contact.organisation_id == org.id))
        ],
        "users": [
            _plain(u) for u in session.exec(select(User).where(User.organisation_id == org.id))
        ],
        "needs": [_plain(n) for n in needs],
        "offers": [_plain(o) for o in offers],
        # Reasons as sentences in the reader's language, not as the codes stored.
        "matches": [
            {**_plain(m), "reasons": render_stored(m.reasons, language())} for m in matches
        ],
        # What its people wrote in conversations, and what Samenspel told them.
        "conversation_messages": [
            _plain(m)
            for m in session.exec(
                select(ConversationMessage).where(col(ConversationMessage.author_id).in_(members))
            )
        ],
        "notifications": [
            _plain(n)
            for n in session.exec(
                select(Notification).where(col(Notification.user_id).in_(members))
            )
        ],
    }
    record(
        session,
        user_id=actor.user_id,
        action="export_own_data",
        entity="organisation",
        entity_id=org.id,
        detail=", ".join(
            f"{len(rows)} {name}" for name, rows in payload.items() if name != "organisation"
        ),
    )
    return json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")


def anonymise_posts(session: Session, *, need_ids, offer_ids) -> tuple[int, int]:
    """Keep these needs and offers only as anonymous stubs, for the matches that point at them:
    their words go (title, description, skills, place, exact point), and so do the words of
    their matches (reasons, decision reasons) and of the audit trail about them. Open
    suggestions expire: nobody is left to say yes.

    `need_ids` and `offer_ids` are lists or SELECTs of ids. Set-based UPDATEs, posts last, so
    that a SELECT that depends on the posts' own columns still means the same posts throughout.
    Shared by deleting an organisation and by the retention job. Returns (needs, offers) that
    still had something to anonymise."""
    of_posts = col(Match.need_id).in_(need_ids) | col(Match.offer_id).in_(offer_ids)
    # Plain SQL: no caller uses the session's copies of these rows within the unit of work.
    unsynced = {"synchronize_session": False}
    match_ids = select(Match.id).where(of_posts)
    for entity, ids in (("need", need_ids), ("offer", offer_ids), ("match", match_ids)):
        session.execute(
            update(AuditEvent)
            .where(AuditEvent.entity == entity, col(AuditEvent.entity_id).in_(ids), AuditEvent.detail != "")
            .values(detail="")  # titles and reasons in the trail are their words too
            .execution_options(**unsynced)
        )  # fmt: skip
    session.execute(
        update(Match).where(of_posts).values(reasons=[], decision_reason="")
        .execution_options(**unsynced)
    )  # fmt: skip
    session.execute(
        update(Match)
        .where(of_posts, col(Match.status).in_(("suggested", "introduced")))
        .values(status="expired", version=Match.version + 1, updated_at=utcnow())
        .execution_options(**unsynced)
    )
    stub = t("(verwijderd)")
    changed = []
    for model, ids in ((Need, need_ids), (Offer, offer_ids)):
        left = or_(model.title != stub, model.description != "", model.skills != "",
                   model.place != "", model.status != "closed", col(model.lat).is_not(None),
                   col(model.lon).is_not(None))  # fmt: skip
        result = session.execute(
            update(model)
            .where(col(model.id).in_(ids), left)
            .values(title=stub, description="", skills="", place="", status="closed", lat=None, lon=None)
            .execution_options(**unsynced)
        )  # fmt: skip
        changed.append(result.rowcount)
    return changed[0], changed[1]


def delete_organisation(*, session: Session, actor: Actor, organisation_id: int) -> None:
    """Remove the organisation's personal data and texts; keep its matches, anonymised, so the
    neighbourhood's statistics (how many partnerships, which kinds, which value) stay true.
    Only the organisation itself or an administrator may do this, not a broker."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(t("Deze organisatie bestaat niet."))
    require_signed_in(actor)
    if actor.organisation_id != org.id and actor.role != "admin":
        raise NotAllowed(t("Alleen de organisatie zelf of de beheerder kan dit."))
    session.exec(delete(Contact).where(Contact.organisation_id == org.id))
    members = select(User.id).where(User.organisation_id == org.id)
    # What its people wrote and were sent: messages, notifications, their mail choices, and
    # mail not sent yet. (Mail sent is the mail server's record, not ours.)
    for table, who in ((ConversationMessage, ConversationMessage.author_id),
                       (Notification, Notification.user_id),
                       (NotificationSetting, NotificationSetting.user_id)):  # fmt: skip
        session.exec(delete(table).where(col(who).in_(members)))
    session.exec(
        delete(OutboxMessage).where(
            col(OutboxMessage.user_id).in_(members), OutboxMessage.status == "pending"
        )
    )
    for user in session.exec(select(User).where(User.organisation_id == org.id)):
        user.username = f"deleted-{user.id}"
        user.display_name, user.password_hash, user.organisation_id = "", "", None
        user.email, user.email_confirmed_at, user.calendar_token_hash = "", None, None
    anonymise_posts(
        session,
        need_ids=select(Need.id).where(Need.organisation_id == org.id),
        offer_ids=select(Offer.id).where(Offer.organisation_id == org.id),
    )
    org.name = t("Verwijderde organisatie {id}", id=org.id)
    org.description = org.boundaries = org.address = org.postcode = org.themes = ""
    org.lat = org.lon = None
    org.external_id = None
    org.updated_at = utcnow()
    record(
        session,
        user_id=actor.user_id,
        action="delete_organisation",
        entity="organisation",
        entity_id=org.id,
    )
