"""Where a suggestion came from: the engine, or a partner offering help itself.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("match") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=10), nullable=False, server_default="engine"))


def downgrade() -> None:
    with op.batch_alter_table("match") as batch:
        batch.drop_column("origin")
