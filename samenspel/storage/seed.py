"""The demo city (Utrecht): seeded into an empty database on first start, never twice.

Needs and offers are read through the CSV exchange format, so the demo data is also a test of
that format; the fund catalogue comes from data/funds.csv.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from samenspel.matching.csvformat import fatal, parse_needs, parse_offers
from samenspel.matching.funds import load_catalogue
from samenspel.matching.slots import slots_to_text
from samenspel.paths import DATA_DIR
from samenspel.services import suggestions
from samenspel.services.audit import record
from samenspel.services.funding import fund_row
from samenspel.services.posts import conditions_for
from samenspel.storage.models import Contact, Match, Need, Offer, Organisation, User, join_multi

DEMO_DIR = DATA_DIR / "demo"
FUNDS_FILE = DATA_DIR / "funds.csv"


class SeedError(RuntimeError):
    pass


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _float(value: str) -> float | None:
    value = (value or "").strip()
    return float(value) if value else None


def _yes(value: str) -> bool:
    return (value or "").strip().lower() in {"yes", "ja", "true", "1"}


def is_empty(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Organisation)).one() == 0


def seed_demo(engine: Engine, *, today: date | None = None) -> bool:
    """Load the demo city when the database holds no organisation yet. True when it seeded.

    One transaction: BEGIN IMMEDIATE on SQLite means two app instances starting at once cannot
    both seed; the second finds the rows of the first.
    """
    with Session(engine) as session:
        if not is_empty(session):
            return False
        orgs = _seed_organisations(session)
        _seed_needs_and_offers(session, orgs)
        for fund in load_catalogue(FUNDS_FILE):
            session.add(fund_row(fund))
        session.flush()
        suggestions.refresh_all(session, today=today)
        users = _seed_demo_users(session, orgs)
        _seed_history(session, users, today or date.today())
        record(
            session,
            user_id=None,
            action="seed_demo",
            entity="database",
            entity_id=None,
            detail=f"{len(orgs)} organisations",
        )
        session.commit()
    return True


def _seed_organisations(session: Session) -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for row in _rows(DEMO_DIR / "organisations.csv"):
        org = Organisation(
            external_id=row["id"],
            name=row["name"],
            role=row["role"],
            partner_type=row["partner_type"],
            legal_form=row["legal_form"],
            anbi=_yes(row.get("anbi", "")),
            neighbourhood=row.get("neighbourhood", ""),
            municipality="Utrecht",
            address=row.get("address", ""),
            postcode=row.get("postcode", ""),
            lat=_float(row.get("lat", "")),
            lon=_float(row.get("lon", "")),
            description=row.get("description", ""),
            boundaries=row.get("boundaries", ""),
            themes=row.get("themes", ""),
        )
        session.add(org)
        session.flush()
        session.add(
            Contact(
                organisation_id=org.id,
                person=row.get("contact_name", ""),
                email=row.get("contact_email", ""),
                phone=row.get("contact_phone", ""),
            )
        )
        orgs[org.name] = org
    return orgs


def _seed_needs_and_offers(session: Session, orgs: dict[str, Organisation]) -> None:
    needs, need_errors = parse_needs((DEMO_DIR / "needs.csv").read_bytes())
    offers, offer_errors = parse_offers((DEMO_DIR / "offers.csv").read_bytes())
    problems = fatal(need_errors) + fatal(offer_errors)
    if problems:
        raise SeedError("demo data is invalid: " + "; ".join(map(str, problems[:5])))
    for n in needs:
        org = orgs[n.initiative]
        session.add(
            Need(
                external_id=n.id,
                organisation_id=org.id,
                kind=n.kind,
                title=n.title,
                description=n.description,
                themes=join_multi(n.themes),
                conditions=conditions_for(n.title, n.description, n.themes),
                people=n.people,
                amount_eur=n.amount_eur,
                slots=slots_to_text(n.slots),
                place=n.place,
                lat=n.lat,
                lon=n.lon,
                max_distance_km=n.max_distance_km,
                deadline=n.deadline,
            )
        )
    for o in offers:
        org = orgs[o.partner]
        session.add(
            Offer(
                external_id=o.id,
                organisation_id=org.id,
                kind=o.kind,
                title=o.title,
                description=o.description,
                themes=join_multi(o.themes),
                conditions=conditions_for(o.title, o.description, o.themes),
                capacity=o.capacity,
                amount_min_eur=o.amount_min_eur,
                amount_max_eur=o.amount_max_eur,
                slots=slots_to_text(o.slots),
                place=o.place,
                lat=o.lat,
                lon=o.lon,
                radius_km=o.radius_km,
                eligible_legal_forms=join_multi(sorted(o.eligible_legal_forms)),
                deadline=o.deadline,
                has_kitchen="keuken" in (o.description + o.title).lower(),
                step_free="drempelvrij" in (o.description + o.title).lower()
                or "rolstoel" in (o.description + o.title).lower(),
            )
        )
    session.flush()


def _best_venue_partner(session: Session, initiative: Organisation) -> Organisation | None:
    """The partner whose offer the engine suggests first for the initiative's venue need, so
    the demo accounts 'initiatief' and 'partner' meet each other in the golden path."""
    best = session.exec(
        select(Match)
        .join(Need, Match.need_id == Need.id)
        .where(
            Need.organisation_id == initiative.id, Need.kind == "venue", Match.offer_id.is_not(None)
        )
        .order_by(Match.score.desc())
    ).first()
    if best is None:
        return None
    return session.get(Organisation, session.get(Offer, best.offer_id).organisation_id)


def _seed_demo_users(session: Session, orgs: dict[str, Organisation]) -> dict[str, User]:
    """Demo accounts, marked is_demo: they only work while demo mode is on."""
    from samenspel.services.accounts import hash_password

    password = hash_password("demo")
    initiative = next(o for o in orgs.values() if o.role == "initiative")
    partner = _best_venue_partner(session, initiative) or next(
        o for o in orgs.values() if o.role == "partner"
    )
    all_areas = join_multi(sorted({o.neighbourhood for o in orgs.values() if o.neighbourhood}))
    users = {}
    for username, name, role, org, areas in [
        ("beheer", "Beheerder", "admin", None, ""),
        ("makelaar", "Sanne (buurtmakelaar)", "broker", None, all_areas),
        ("initiatief", initiative.name, "initiative", initiative, ""),
        ("partner", partner.name, "partner", partner, ""),
    ]:
        users[username] = User(
            username=username,
            display_name=name,
            role=role,
            password_hash=password,
            organisation_id=org.id if org else None,
            areas=areas,
            is_demo=True,
        )
        session.add(users[username])
    session.flush()
    return users


# How the demo city's history is drawn: every n-th need (by id) whose best suggestion then
# went this far, and how many days ago that happened. Deterministic, so every start is equal.
HISTORY = (
    (5, 0, "done", 150),
    (5, 1, "active", 90),
    (5, 2, "agreed", 45),
    (7, 3, "introduced", 30),
    (11, 4, "rejected", 60),
    (13, 6, "declined", 75),
)


def _seed_history(session: Session, users: dict[str, User], today: date) -> None:
    """Partnerships in every status, so the dashboard and the map show a living city. The
    demo accounts' own organisations are left out: their story starts with the visitor."""
    from datetime import UTC, datetime, time, timedelta

    from samenspel.services.matches import estimate_value

    broker = users["makelaar"]
    own = {users["initiatief"].organisation_id, users["partner"].organisation_id}
    needs = session.exec(select(Need).order_by(Need.id)).all()
    taken: set[int] = set()
    for index, need in enumerate(needs):
        rule = next(
            ((status, days) for every, rest, status, days in HISTORY if index % every == rest), None
        )
        if rule is None or need.organisation_id in own:
            continue
        best = next(
            (m for m in session.exec(select(Match).where(Match.need_id == need.id).order_by(Match.score.desc()))
             if m.offer_id not in taken),
            None,
        )  # fmt: skip
        offer = session.get(Offer, best.offer_id) if best else None
        if best is None or offer.organisation_id in own:
            continue
        status, days = rule
        taken.add(offer.id)
        when = datetime.combine(today - timedelta(days=days + index % 9), time(10, 0), tzinfo=UTC)
        best.status, best.decided_by_id, best.version = status, broker.id, 2
        best.created_at, best.updated_at = when, when + timedelta(days=7)
        # Follow-ups spread around today: a few overdue, most still to come.
        best.follow_up_on = today + timedelta(days=index % 28 - 6)
        best.initiative_agreed = best.partner_agreed = status in ("agreed", "active", "done")
        if status in ("introduced", "agreed", "active", "done"):
            best.value_eur = estimate_value(need, offer)
        if status == "rejected":
            best.decision_reason = "past niet bij de vraag"
        if status == "declined":
            best.decision_reason = "initiative: andere dag nodig"
        if status in ("active", "done"):
            need.status = "matched"
