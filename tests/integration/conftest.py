"""A small neighbourhood on a real database, built through the same tables the app uses."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from samenspel.services import suggestion_jobs
from samenspel.services.permissions import Actor
from samenspel.storage.models import Contact, Organisation, User

TODAY = date(2026, 11, 25)


def work_out_suggestions(world) -> int:
    """What the app's background thread does once a post committed (services/suggestion_jobs.py):
    the tests do it at once, on TODAY, so what they read next is there."""
    return suggestion_jobs.run_due(world["engine"], today=TODAY)


@pytest.fixture
def world(engine):
    return build_world(engine)


@pytest.fixture
def sqlite_world(sqlite_engine):
    """The same neighbourhood on SQLite only, for tests that run many times over."""
    return build_world(sqlite_engine)


def build_world(engine):
    """Two organisations (an initiative in Lombok and a community centre), an initiative in
    Zuilen, their users, two brokers for Lombok, one for Zuilen, and an administrator."""
    with Session(engine) as session:
        pan = Organisation(
            name="Buurtkeuken De Pan",
            role="initiative",
            legal_form="informal",
            neighbourhood="Lombok",
            lat=52.0920,
            lon=5.1010,
        )
        boog = Organisation(
            name="Buurthuis De Boog",
            role="partner",
            partner_type="venue",
            legal_form="foundation",
            neighbourhood="Lombok",
            lat=52.0935,
            lon=5.1040,
        )
        other = Organisation(
            name="Taalcafé Zuilen",
            role="initiative",
            legal_form="informal",
            neighbourhood="Zuilen",
            lat=52.105,
            lon=5.095,
        )
        session.add_all([pan, boog, other])
        session.flush()
        session.add_all(
            [
                Contact(
                    organisation_id=pan.id,
                    person="Anja",
                    email="anja@depan.example",
                    phone="06-11111111",
                ),
                Contact(
                    organisation_id=boog.id,
                    person="Karim",
                    email="karim@deboog.example",
                    phone="030-2222222",
                ),
            ]
        )
        users = {
            "anja": User(
                username="anja", role="initiative", organisation_id=pan.id, display_name="Anja"
            ),
            "karim": User(
                username="karim", role="partner", organisation_id=boog.id, display_name="Karim"
            ),
            "sanne": User(username="sanne", role="broker", areas="Lombok", display_name="Sanne"),
            "ahmed": User(username="ahmed", role="broker", areas="Lombok", display_name="Ahmed"),
            "zuilen": User(
                username="zuilen", role="initiative", organisation_id=other.id, display_name="Z"
            ),
            "noord": User(username="noord", role="broker", areas="Zuilen", display_name="Noord"),
            "admin": User(username="admin", role="admin", display_name="Beheer"),
        }
        session.add_all(users.values())
        session.flush()
        actors = {
            name: Actor(
                user_id=u.id,
                role=u.role,
                organisation_id=u.organisation_id,
                areas=tuple(a for a in u.areas.split(";") if a),
                name=u.display_name,
            )
            for name, u in users.items()
        }
        ids = {"pan": pan.id, "boog": boog.id, "other": other.id}
        session.commit()
    # The session is closed before the test runs: an open one would hold SQLite's write lock.
    return {"engine": engine, "actors": actors, **ids}


def insert_as_of_now(session, row) -> int:
    """Insert a model instance with only the columns its table has in the database now: for a
    test that stands at an older revision, where today's model has columns a later migration
    adds. Values are the instance's own (its defaults included). Returns the new id."""
    import sqlalchemy as sa

    table = type(row).__table__
    present = {c["name"] for c in sa.inspect(session.connection()).get_columns(table.name)}
    columns = [c for c in table.columns if c.name in present and c.name != "id"]
    inserted = session.execute(
        sa.table(table.name, sa.column("id", sa.Integer()), *(sa.column(c.name, c.type) for c in columns))
        .insert()
        .values({c.name: getattr(row, c.key) for c in columns})
        .returning(sa.column("id", sa.Integer()))
    )  # fmt: skip
    return inserted.scalar_one()


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free port for this test (tests/smtp_server.py): `.url()` for
    SAMENSPEL_SMTP_URL, `.inbox.wait_for(n)` for the mails that arrived, parsed."""
    from tests.smtp_server import smtp_server as serve

    with serve() as server:
        yield server
