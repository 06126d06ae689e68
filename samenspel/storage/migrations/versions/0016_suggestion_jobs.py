"""Suggestion jobs: a post's suggestions are worked out after its write commits.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "suggestion_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=True),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", WHEN(), nullable=False),
        sa.Column("claimed_until", WHEN(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_suggestion_job_need_id", "suggestion_job", ["need_id"])
    op.create_index("ix_suggestion_job_offer_id", "suggestion_job", ["offer_id"])


def downgrade() -> None:
    op.drop_index("ix_suggestion_job_offer_id", table_name="suggestion_job")
    op.drop_index("ix_suggestion_job_need_id", table_name="suggestion_job")
    op.drop_table("suggestion_job")
