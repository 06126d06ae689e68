"""Stored reasons of informal groups lose their distance: before 0006 the distance in a reason
("1,3 km verderop") was measured from the group's exact place (often a home), while the map
shows it at its neighbourhood's centre. New reasons measure from that public point.

Revision ID: 0006
Revises: 0005
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DISTANCE = re.compile(r"^\d[\d.,]* km (verderop|away)$")

matches = sa.table(
    "match",
    sa.column("id", sa.Integer()),
    sa.column("need_id", sa.Integer()),
    sa.column("offer_id", sa.Integer()),
    sa.column("reasons", sa.JSON()),
    sa.column("reasons_en", sa.JSON()),
)
needs = sa.table("need", sa.column("id", sa.Integer()), sa.column("organisation_id", sa.Integer()))
offers = sa.table(
    "offer", sa.column("id", sa.Integer()), sa.column("organisation_id", sa.Integer())
)
organisations = sa.table(
    "organisation", sa.column("id", sa.Integer()), sa.column("legal_form", sa.String())
)


def upgrade() -> None:
    connection = op.get_bind()
    informal = sa.select(organisations.c.id).where(organisations.c.legal_form == "informal")
    rows = connection.execute(
        sa.select(matches.c.id, matches.c.reasons, matches.c.reasons_en).where(
            matches.c.need_id.in_(
                sa.select(needs.c.id).where(needs.c.organisation_id.in_(informal))
            )
            | matches.c.offer_id.in_(
                sa.select(offers.c.id).where(offers.c.organisation_id.in_(informal))
            )
        )
    ).all()
    for match_id, reasons, reasons_en in rows:
        kept = [r for r in reasons or [] if not DISTANCE.match(str(r))]
        kept_en = [r for r in reasons_en or [] if not DISTANCE.match(str(r))]
        if kept != (reasons or []) or kept_en != (reasons_en or []):
            connection.execute(
                matches.update()
                .where(matches.c.id == match_id)
                .values(reasons=kept, reasons_en=kept_en)
            )


def downgrade() -> None:
    pass  # the exact distances are gone on purpose
