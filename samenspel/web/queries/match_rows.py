"""Matches with both sides, as rows for the pages that list them (review queue, follow-up, an
organisation's own page, the map's lines). Never a contact detail: those are in their own
table, read only by services/contacts.py."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, col, func, select

from samenspel.i18n import language
from samenspel.matching.reasons import BROKER, INITIATIVE, PARTNER, render_stored
from samenspel.services.scope import AllAreas, AreaScope, in_scope
from samenspel.storage.models import Match, Need, Offer, Organisation

MATCH_COLUMNS = [
    "match_id",
    "version",
    "status",
    "score",
    "tie",
    "reasons",
    "need_id",
    "need_title",
    "need_kind",
    "initiative",
    "neighbourhood",
    "offer_id",
    "offer_title",
    "partner",
    "initiative_agreed",
    "partner_agreed",
    "follow_up_on",
    "value_eur",
    "created_at",
    "decision_reason",
    "initiative_asked_at",
    "partner_asked_at",
    "passed_at",
    "passed_side",
    "auto_introduced",
    "initiative_brings",
    "partner_brings",
    "need_organisation_id",
    "offer_organisation_id",
    "updated_at",
]


def reader_for(organisation_id: int | None):
    """Who reads a match's reasons when `organisation_id` looks (see matching/reasons.py
    READERS): its own side, or, for anyone who is neither side, a broker's neutral words."""

    def reader(need_org: Organisation, offer_org: Organisation | None) -> str:
        if organisation_id is not None and need_org.id == organisation_id:
            return INITIATIVE
        if (
            organisation_id is not None
            and offer_org is not None
            and offer_org.id == organisation_id
        ):
            return PARTNER
        return BROKER

    return reader


def _match_rows(session: Session, query, reader=None) -> pd.DataFrame:
    """`reader(need_org, offer_org)` says whose words the reasons are written in (reader_for):
    by default a broker's, which name both sides."""
    lang = language()  # reasons are stored as codes and written out in the reader's language
    reader = reader or reader_for(None)
    rows = []
    for match, need, need_org, offer, offer_org in session.exec(query):
        rows.append(
            (
                match.id,
                match.version,
                match.status,
                match.score,
                match.tie,
                render_stored(match.reasons, lang, reader(need_org, offer_org)),
                need.id,
                need.title,
                need.kind,
                need_org.name,
                need_org.neighbourhood,
                offer.id if offer else None,
                offer.title if offer else "",
                offer_org.name if offer_org else "",
                match.initiative_agreed,
                match.partner_agreed,
                match.follow_up_on,
                match.value_eur,
                match.created_at,
                match.decision_reason,
                match.initiative_asked_at,
                match.partner_asked_at,
                match.passed_at,
                match.passed_side,
                match.auto_introduced,
                match.initiative_brings,
                match.partner_brings,
                need_org.id,
                offer_org.id if offer_org else None,
                match.updated_at,
            )
        )
    return pd.DataFrame(rows, columns=MATCH_COLUMNS)


def count_matches(
    session: Session, scope: AreaScope, *conditions, kind: str = "", neighbourhood: str = ""
) -> int:
    """How many rows `_match_query()` has whose need's organisation lies in `scope` (and in
    `neighbourhood`, with a need of `kind`, when given) and that meet `conditions` (on Match's
    own columns). Counted on the matches alone, their needs from a subquery: counting over the
    join of both sides and their organisations made SQLite visit every suggested match first
    (1.2 s of the review queue's 1.5 s at 100,000 records)."""
    query = (
        select(func.count())
        .select_from(Match)
        .where(
            col(Match.offer_id).is_not(None),
            *conditions,  # the join's inner join on the offer
        )
    )
    if not isinstance(scope, AllAreas) or kind or neighbourhood:
        needs = select(Need.id).join(Organisation, Need.organisation_id == Organisation.id)
        needs = needs.where(in_scope(col(Organisation.neighbourhood), scope))
        if kind:
            needs = needs.where(Need.kind == kind)
        if neighbourhood:
            needs = needs.where(Organisation.neighbourhood == neighbourhood)
        query = query.where(col(Match.need_id).in_(needs))
    return session.exec(query).one()


def _match_query():
    from sqlalchemy.orm import aliased

    need_org, offer_org = aliased(Organisation), aliased(Organisation)
    query = (
        select(Match, Need, need_org, Offer, offer_org)
        .join(Need, Match.need_id == Need.id)
        .join(need_org, Need.organisation_id == need_org.id)
        .join(Offer, Match.offer_id == Offer.id)
        .join(offer_org, Offer.organisation_id == offer_org.id)
    )
    return query, need_org, offer_org
