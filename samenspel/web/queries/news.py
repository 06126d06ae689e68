"""What is new for someone ("Nieuw voor jullie", the first page after logging in), and the
counts on the navigation: for an organisation, what waits for its answer and what the other
side said; for a broker, what people asked for and what the area introduced by itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from samenspel.services.scope import AreaScope, in_scope
from samenspel.storage.models import Match, Need, Offer, Organisation, User, utcnow
from samenspel.web.queries.match_rows import _match_query, count_matches
from samenspel.web.queries.own import matches_of_organisation

RECENT_DAYS = 14  # an answer from the other side counts as news this long
UNDER_WAY = ("introduced", "agreed", "active")


@dataclass(frozen=True)
class SideNews:
    """An organisation's news; each frame holds rows of queries.match_rows, plus "other"
    (the other side's name) and "post" (the other side's title)."""

    for_needs: pd.DataFrame  # suggestions for our needs we have not answered
    for_offers: pd.DataFrame  # needs suggested for our offers we have not answered
    waiting_for_yes: pd.DataFrame  # introductions the other side or the broker made, our yes due
    answers: pd.DataFrame  # what the other side did lately (column "answer": its kind)
    follow_ups: pd.DataFrame  # partnerships whose "Is het gelukt?" date has come
    has_posts: bool

    @property
    def count(self) -> int:
        """What asks for this organisation's action: the number on the navigation."""
        return (len(self.for_needs) + len(self.for_offers) + len(self.waiting_for_yes)
                + len(self.follow_ups))  # fmt: skip

    @property
    def empty(self) -> bool:
        return not (self.count or len(self.answers))


def _recent(moment, now: datetime) -> bool:
    return not pd.isna(moment) and pd.Timestamp(moment).tz_localize(None) >= pd.Timestamp(
        now - timedelta(days=RECENT_DAYS)
    ).tz_localize(None)


def side_news(session: Session, organisation_id: int, *, today: date | None = None) -> SideNews:
    today = today or date.today()
    now = utcnow()
    rows = matches_of_organisation(session, organisation_id)
    ours = rows["need_organisation_id"] == organisation_id  # we are the initiative
    rows = rows.assign(
        we_initiative=ours,
        other=rows["partner"].where(ours, rows["initiative"]),
        post=rows["offer_title"].where(ours, rows["need_title"]),
        we_asked=rows["initiative_asked_at"].where(ours, rows["partner_asked_at"]).notna(),
        they_asked_at=rows["partner_asked_at"].where(ours, rows["initiative_asked_at"]),
        we_agreed=rows["initiative_agreed"].where(ours, rows["partner_agreed"]).astype(bool),
        they_agreed=rows["partner_agreed"].where(ours, rows["initiative_agreed"]).astype(bool),
        other_side=pd.Series("partner", index=rows.index).where(ours, "initiative"),
    )
    open_suggestion = (rows["status"] == "suggested") & rows["passed_at"].isna() & ~rows["we_asked"]
    waiting = (rows["status"] == "introduced") & ~rows["we_agreed"]
    due = rows["status"].isin(("agreed", "active")) & rows["follow_up_on"].map(
        lambda day: day is not None and not pd.isna(day) and day <= today
    )
    answers = []
    for m in rows.itertuples(index=False):
        kind = ""
        if m.status == "suggested" and not m.we_asked and _recent(m.they_asked_at, now):
            kind = "asked"  # they want to meet us
        elif m.status == "introduced" and m.they_agreed and not m.we_agreed:
            kind = "said_yes"
        elif m.status == "agreed" and _recent(m.updated_at, now):
            kind = "agreed"
        elif (
            m.status == "declined"
            and _recent(m.updated_at, now)
            and (m.passed_side == m.other_side or m.decision_reason.startswith(f"{m.other_side}:"))
        ):
            kind = "declined"
        if kind:
            answers.append({**m._asdict(), "answer": kind})
    answer_frame = pd.DataFrame(answers, columns=[*rows.columns, "answer"])
    has_posts = (
        session.exec(
            select(func.count()).select_from(Need).where(Need.organisation_id == organisation_id)
        ).one()
        + session.exec(
            select(func.count()).select_from(Offer).where(Offer.organisation_id == organisation_id)
        ).one()
    )
    return SideNews(
        for_needs=rows[open_suggestion & ours],
        for_offers=rows[open_suggestion & ~ours],
        waiting_for_yes=rows[waiting],
        answers=answer_frame,
        follow_ups=rows[due],
        has_posts=bool(has_posts),
    )


@dataclass(frozen=True)
class BrokerNews:
    asked_by_both: int  # suggestions both sides asked for, waiting for the broker
    asked_by_one: int
    new_suggestions: int  # the engine's own, nobody asked yet
    auto_introduced: pd.DataFrame  # agreed lately by the area's setting: initiative, partner
    follow_ups: int  # partnerships under way whose follow-up date has come
    # Organisations that signed up, confirmed their address and wait for approval
    # (services/signup.py): not on the navigation's number, which is about "Te beoordelen".
    signups_waiting: int = 0
    # Open needs for which Samenspel found no offer good enough (matching/scoring.MIN_SCORE)
    # and nobody is working on: need_id, title, kind, initiative, created_at.
    gaps: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def count(self) -> int:
        return self.asked_by_both + self.asked_by_one

    @property
    def empty(self) -> bool:
        return not (self.count or self.new_suggestions or len(self.auto_introduced)
                    or self.follow_ups or self.signups_waiting or len(self.gaps))  # fmt: skip


def broker_news(session: Session, *, scope: AreaScope, today: date | None = None) -> BrokerNews:
    today = today or date.today()
    query, need_org, _ = _match_query()
    in_area = in_scope(need_org.neighbourhood, scope)

    def count(*conditions) -> int:
        return count_matches(session, scope, *conditions)

    suggested = Match.status == "suggested"
    since = utcnow() - timedelta(days=RECENT_DAYS)
    auto = [
        (match.id, initiative.name, partner.name if partner else "", need.title, match.updated_at)
        for match, need, initiative, _offer, partner in session.exec(
            query.where(in_area, Match.auto_introduced.is_(True),
                        Match.status.in_(("agreed", "active")), Match.updated_at >= since)
            .order_by(Match.updated_at.desc()).limit(20)
        )
    ]  # fmt: skip
    return BrokerNews(
        gaps=gaps(session, scope=scope),
        asked_by_both=count(suggested, Match.asked_sides == 2),
        asked_by_one=count(suggested, Match.asked_sides == 1),
        new_suggestions=count(suggested, Match.asked_sides == 0),
        auto_introduced=pd.DataFrame(
            auto, columns=["match_id", "initiative", "partner", "need_title", "updated_at"]
        ),
        follow_ups=count(Match.status.in_(UNDER_WAY), Match.follow_up_on <= today),
        signups_waiting=session.exec(
            select(func.count())
            .select_from(Organisation)
            .where(
                Organisation.approval == "pending",
                in_scope(Organisation.neighbourhood, scope),
                Organisation.id.in_(
                    select(User.organisation_id).where(User.email_confirmed_at.is_not(None))
                ),
            )
        ).one(),
    )


GAP_ROWS = 20  # the oldest first: they have waited longest


def gaps(session: Session, *, scope: AreaScope) -> pd.DataFrame:
    """Open needs in the broker's areas with no suggestion or partnership under way: the
    engine found nothing good enough, so a person has to look (or help sharpen the question)."""
    in_play = select(Match.need_id).where(
        Match.status.in_(("suggested", *UNDER_WAY)), Match.passed_at.is_(None)
    )
    rows = session.exec(
        select(Need.id, Need.title, Need.kind, Organisation.name, Need.created_at)
        .join(Organisation, Organisation.id == Need.organisation_id)
        .where(
            Need.status == "open",
            in_scope(Organisation.neighbourhood, scope),
            Need.id.not_in(in_play),
        )
        .order_by(Need.created_at, Need.id)
        .limit(GAP_ROWS)
    ).all()
    return pd.DataFrame(rows, columns=["need_id", "title", "kind", "initiative", "created_at"])
