"""Figures for the dashboard: plain DataFrames and numbers, computed in the database session
the page hands in (the page caches them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from samenspel.matching.vocabulary import CONDITIONS
from samenspel.storage.models import KINDS, Match, Need, Offer, Organisation, split_multi

INTRODUCED_OR_LATER = ("introduced", "agreed", "active", "done", "declined")
PARTNERSHIP = ("agreed", "active", "done")
UNDER_WAY = ("introduced", "agreed", "active")


@dataclass(frozen=True)
class Summary:
    open_needs: int
    introductions: int
    partnerships: int
    value_eur: float
    overdue: int

    @property
    def conversion(self) -> float:
        return self.partnerships / self.introductions if self.introductions else 0.0


def _matches(session: Session) -> pd.DataFrame:
    need_org = aliased(Organisation)
    rows = session.exec(
        select(Match.id, Match.status, Match.tie, Match.value_eur, Match.follow_up_on, Match.updated_at,
               Need.kind, Need.conditions, need_org.neighbourhood, need_org.name, Offer.title)
        .join(Need, Match.need_id == Need.id)
        .join(need_org, Need.organisation_id == need_org.id)
        .join(Offer, Match.offer_id == Offer.id, isouter=True)
        # An initiative's "Past niet" to a suggestion is no introduction that fell through.
        .where(Match.passed_at.is_(None))
    ).all()  # fmt: skip
    columns = ["id", "status", "tie", "value_eur", "follow_up_on", "updated_at", "kind", "conditions",
               "neighbourhood", "initiative", "offer_title"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def summary(session: Session, today: date) -> Summary:
    frame = _matches(session)
    open_needs = session.exec(
        select(func.count()).select_from(Need).where(Need.status == "open")
    ).one()
    overdue = overdue_follow_ups(session, today)
    return Summary(
        open_needs=open_needs,
        introductions=int(frame["status"].isin(INTRODUCED_OR_LATER).sum()),
        partnerships=int(frame["status"].isin(PARTNERSHIP).sum()),
        value_eur=float(frame.loc[frame["status"].isin(PARTNERSHIP), "value_eur"].fillna(0).sum()),
        overdue=len(overdue),
    )


def open_needs_by_neighbourhood(session: Session) -> pd.DataFrame:
    """Rows: neighbourhoods; columns: kinds; cells: open needs."""
    rows = session.exec(
        select(Organisation.neighbourhood, Need.kind, func.count())
        .join(Organisation, Need.organisation_id == Organisation.id)
        .where(Need.status == "open")
        .group_by(Organisation.neighbourhood, Need.kind)
    ).all()
    frame = pd.DataFrame(rows, columns=["neighbourhood", "kind", "count"])
    table = frame.pivot_table(
        index="neighbourhood", columns="kind", values="count", fill_value=0, aggfunc="sum"
    )
    return table.reindex(columns=[k for k in KINDS if k in table.columns]).astype(int)


def matches_per_month(session: Session) -> pd.DataFrame:
    """Rows: months; columns: statuses the broker acted on; cells: matches last changed then."""
    frame = _matches(session)
    frame = frame[frame["status"] != "suggested"]
    if frame.empty:
        return pd.DataFrame()
    frame["month"] = pd.to_datetime(frame["updated_at"], utc=True).dt.strftime("%Y-%m")
    return frame.pivot_table(
        index="month", columns="status", values="id", aggfunc="count", fill_value=0
    )


def tie_mix(session: Session) -> pd.Series:
    frame = _matches(session)
    return (
        frame[frame["status"].isin(INTRODUCED_OR_LATER)]["tie"]
        .value_counts()
        .reindex(["bonding", "bridging", "linking"], fill_value=0)
    )


def condition_coverage(session: Session) -> pd.DataFrame:
    """Rows: neighbourhoods; columns: the four conditions; cells: partnerships serving it.
    A zero shows a condition nobody works on there yet."""
    frame = _matches(session)
    frame = frame[frame["status"].isin(PARTNERSHIP)]
    counts = {
        hood: dict.fromkeys(CONDITIONS, 0)
        for hood in sorted(frame["neighbourhood"].dropna().unique())
    }
    for row in frame.itertuples(index=False):
        for condition in split_multi(row.conditions):
            if condition in CONDITIONS and row.neighbourhood in counts:
                counts[row.neighbourhood][condition] += 1
    return pd.DataFrame.from_dict(counts, orient="index", columns=list(CONDITIONS))


def overdue_follow_ups(session: Session, today: date) -> pd.DataFrame:
    frame = _matches(session)
    due = frame[frame["status"].isin(UNDER_WAY) & frame["follow_up_on"].notna()]
    due = due[due["follow_up_on"] <= today]
    return due[
        ["initiative", "offer_title", "status", "follow_up_on", "neighbourhood"]
    ].sort_values("follow_up_on")


@dataclass(frozen=True)
class Reciprocity:
    """Wederkerigheid: of the partnerships (agreed, running or done), how many have in writing
    what both sides bring in return, what one side brings, or nothing yet; and what
    initiatives wrote they bring (initiative, partner, brings), newest partnerships first."""

    partnerships: int
    both_sides: int
    one_side: int
    initiatives_bring: pd.DataFrame

    @property
    def neither(self) -> int:
        return self.partnerships - self.both_sides - self.one_side


def reciprocity(session: Session, limit: int = 10) -> Reciprocity:
    need_org, offer_org = aliased(Organisation), aliased(Organisation)
    rows = session.exec(
        select(Match.id, need_org.name, offer_org.name, Match.initiative_brings,
               Match.partner_brings)
        .join(Need, Match.need_id == Need.id)
        .join(need_org, Need.organisation_id == need_org.id)
        .join(Offer, Match.offer_id == Offer.id)
        .join(offer_org, Offer.organisation_id == offer_org.id)
        .where(Match.status.in_(PARTNERSHIP))
        .order_by(Match.id.desc())
    ).all()  # fmt: skip
    frame = pd.DataFrame(rows, columns=["id", "initiative", "partner", "initiative_brings",
                                        "partner_brings"])  # fmt: skip
    written = (frame["initiative_brings"] != "").astype(int) + (frame["partner_brings"] != "")
    bring = frame[frame["initiative_brings"] != ""].head(limit)
    return Reciprocity(
        partnerships=len(frame),
        both_sides=int((written == 2).sum()),
        one_side=int((written == 1).sum()),
        initiatives_bring=bring[["initiative", "partner", "initiative_brings"]]
        .rename(columns={"initiative_brings": "brings"})
        .reset_index(drop=True),
    )
