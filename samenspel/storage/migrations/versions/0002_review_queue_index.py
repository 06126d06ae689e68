"""Index for the broker's review queue: suggestions by status, best score first.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_match_status_score", "match", ["status", "score"])


def downgrade() -> None:
    op.drop_index("ix_match_status_score", table_name="match")
