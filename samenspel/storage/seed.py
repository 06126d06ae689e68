"""The demo city (Utrecht): seeded into an empty database on first start, never twice.

Needs and offers are read through the CSV exchange format, so the demo data is also a test of
that format; the fund catalogue comes from data/funds.csv.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from samenspel.matching.csvformat import fatal, parse_records
from samenspel.matching.fields import CONTACT, NEEDS, OFFERS, ORGANISATIONS, OWN
from samenspel.matching.funds import load_catalogue
from samenspel.paths import DATA_DIR
from samenspel.services import records, suggestions
from samenspel.services.audit import record
from samenspel.services.funding import fund_row
from samenspel.services.posts import conditions_for
from samenspel.storage import db
from samenspel.storage.models import Contact, Match, Need, Offer, Organisation, User, join_multi

DEMO_DIR = DATA_DIR / "demo"
FUNDS_FILE = DATA_DIR / "funds.csv"
DEMO_MUNICIPALITY = "Utrecht"


class SeedError(RuntimeError):
    pass


def is_empty(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Organisation)).one() == 0


def seed_demo(engine: Engine, *, today: date | None = None) -> bool:
    """Load the demo city when the database holds no organisation yet. True when it seeded.

    One transaction: BEGIN IMMEDIATE on SQLite means two app instances starting at once cannot
    both seed; the second finds the rows of the first.
    """
    with db.unit_of_work(engine) as session:
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
    return True


def _seed_organisations(session: Session) -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for values in _demo_records("organisations.csv", ORGANISATIONS):
        org = Organisation(external_id=values["id"], name=values["name"])
        session.add(org)
        session.flush()
        contact = Contact(organisation_id=org.id)
        # The demo file has no municipality column: its whole city is Utrecht.
        values = values | {"municipality": values["municipality"] or DEMO_MUNICIPALITY}
        records.apply(ORGANISATIONS, values, {OWN: org, CONTACT: contact})
        session.add(contact)
        orgs[org.name] = org
    return orgs


def _seed_needs_and_offers(session: Session, orgs: dict[str, Organisation]) -> None:
    for kind, table, name in ((NEEDS, Need, "initiative"), (OFFERS, Offer, "partner")):
        for values in _demo_records(f"{kind.name}.csv", kind):
            post = table(external_id=values["id"], organisation_id=orgs[values[name]].id,
                         kind=values["kind"], title=values["title"])  # fmt: skip
            records.apply(kind, values, {OWN: post})
            post.conditions = conditions_for(post.title, post.description, values["themes"])
            if table is Offer:
                _venue_from_words(post, values)
            session.add(post)
    session.flush()


def _venue_from_words(offer: Offer, values: dict) -> None:
    """The demo offers say in words what their file has no column for: "keuken",
    "drempelvrij", "rolstoel"."""
    words = (offer.description + offer.title).lower()
    if values["has_kitchen"] is None:
        offer.has_kitchen = "keuken" in words
    if values["step_free"] is None:
        offer.step_free = "drempelvrij" in words or "rolstoel" in words


def _demo_records(name: str, kind) -> list[dict]:
    """The typed values of every row of a demo file, read as every import reads a file."""
    parsed = parse_records((DEMO_DIR / name).read_bytes(), kind)
    problems = fatal(parsed.errors)
    if problems:
        raise SeedError("demo data is invalid: " + "; ".join(map(str, problems[:5])))
    return [values for _, values in parsed.records]


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
