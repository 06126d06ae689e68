"""Initiatives and partners ask for a suggestion themselves: who and when per side, how many
sides asked (for the review queue's order, with an index that serves it), and when the
initiative said "Past niet".

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("match") as batch:
        batch.add_column(sa.Column("initiative_asked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("initiative_asked_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("partner_asked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("partner_asked_by_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("asked_sides", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("passed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.create_foreign_key(
            "fk_match_initiative_asked_by_id_user", "user", ["initiative_asked_by_id"], ["id"]
        )
        batch.create_foreign_key(
            "fk_match_partner_asked_by_id_user", "user", ["partner_asked_by_id"], ["id"]
        )
        batch.create_index(
            "ix_match_status_asked_score", ["status", "asked_sides", "score"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("match") as batch:
        batch.drop_index("ix_match_status_asked_score")
        batch.drop_constraint("fk_match_partner_asked_by_id_user", type_="foreignkey")
        batch.drop_constraint("fk_match_initiative_asked_by_id_user", type_="foreignkey")
        for column in ("passed_at", "asked_sides", "partner_asked_by_id", "partner_asked_at",
                       "initiative_asked_by_id", "initiative_asked_at"):  # fmt: skip
            batch.drop_column(column)
