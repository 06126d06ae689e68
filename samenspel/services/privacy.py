"""An organisation's own data: everything to download (AVG/GDPR article 15 and 20), and
deletion with its personal data (article 17). Matches stay, anonymised, for statistics."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlmodel import Session, col, delete, select

from samenspel.i18n import t
from samenspel.models import AuditEvent, Contact, Match, Need, Offer, Organisation, User, utcnow
from samenspel.services.audit import record
from samenspel.services.errors import NotAllowed, NotFound
from samenspel.services.permissions import Actor, require_org_editor, require_signed_in


def _plain(row) -> dict:
    def value(v):
        return v.isoformat() if isinstance(v, date | datetime) else v

    return {key: value(v) for key, v in row.model_dump().items() if key != "password_hash"}


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
        "matches": [_plain(m) for m in matches],
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
    session.commit()
    return json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")


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
    for user in session.exec(select(User).where(User.organisation_id == org.id)):
        user.username = f"deleted-{user.id}"
        user.display_name, user.password_hash, user.organisation_id = "", "", None
    for post in [*session.exec(select(Need).where(Need.organisation_id == org.id)),
                 *session.exec(select(Offer).where(Offer.organisation_id == org.id))]:  # fmt: skip
        post.title, post.description, post.skills, post.place = t("(verwijderd)"), "", "", ""
        post.status = "closed"
        post.lat, post.lon = None, None
    need_ids = [n.id for n in session.exec(select(Need).where(Need.organisation_id == org.id))]
    offer_ids = [o.id for o in session.exec(select(Offer).where(Offer.organisation_id == org.id))]
    for match in session.exec(
        select(Match).where(col(Match.need_id).in_(need_ids) | col(Match.offer_id).in_(offer_ids))
    ):
        match.reasons, match.reasons_en, match.decision_reason = [], [], ""
        if match.status in ("suggested", "introduced"):
            match.status = "expired"  # nobody is left to say yes
    post_ids = {"need": need_ids, "offer": offer_ids}
    for event in session.exec(
        select(AuditEvent).where(col(AuditEvent.entity).in_(("need", "offer")))
    ):
        if event.entity_id in post_ids[event.entity]:
            event.detail = ""  # titles and reasons in the trail are their words too
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
    session.commit()
