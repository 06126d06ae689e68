"""Contact details: shown only to the two sides of a match from "agreed" on, and to the
area's broker. Every reveal is written to the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from samenspel.i18n import t
from samenspel.services import limits
from samenspel.services.audit import record
from samenspel.services.errors import NotAllowed, NotFound
from samenspel.services.matches import side_of, visible_contact_statuses
from samenspel.services.permissions import Actor, covers_area, require_signed_in
from samenspel.storage.models import Contact, Match, Need, Offer, Organisation


@dataclass(frozen=True)
class ContactCard:
    organisation: str
    person: str
    email: str
    phone: str


def other_side_contact(*, session: Session, actor: Actor, match_id: int) -> ContactCard:
    """The contact of the other side of a match, for one of its sides or the area's broker."""
    require_signed_in(actor)
    match = session.get(Match, match_id)
    if match is None or match.offer_id is None:
        raise NotFound(t("Deze match bestaat niet."))
    need_org = session.get(Organisation, session.get(Need, match.need_id).organisation_id)
    offer_org = session.get(Organisation, session.get(Offer, match.offer_id).organisation_id)
    side = side_of(actor, need_org, offer_org)
    is_broker = covers_area(actor, need_org.neighbourhood)
    if side is None and not is_broker:
        raise NotAllowed(
            t("Contactgegevens zijn alleen voor de twee partijen en hun buurtmakelaar.")
        )
    if side is not None and match.status not in visible_contact_statuses():
        raise NotAllowed(t("Contactgegevens zie je pas als jullie allebei 'ja' hebben gezegd."))
    limits.check(session, actor, "reveal_contact")
    other = offer_org if side == "initiative" or side is None else need_org
    contact = session.exec(
        select(Contact).where(Contact.organisation_id == other.id)
    ).first() or Contact(organisation_id=other.id)
    record(
        session,
        user_id=actor.user_id,
        action="reveal_contact",
        entity="organisation",
        entity_id=other.id,
        detail=f"match {match.id}",
    )
    return ContactCard(other.name, contact.person, contact.email, contact.phone)
