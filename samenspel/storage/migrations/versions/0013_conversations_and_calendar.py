"""A conversation per introduction, and a private calendar feed per person.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.add_column("user", sa.Column("calendar_token_hash", S(length=64), nullable=True))
    op.create_index("ix_user_calendar_token_hash", "user", ["calendar_token_hash"], unique=True)
    op.create_table(
        "conversationmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", S(length=2000), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.Column("reported_at", WHEN(), nullable=True),
        sa.Column("reported_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["match_id"], ["match.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["reported_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_conversationmessage_match_id", "conversationmessage", ["match_id"])
    op.create_index("ix_conversationmessage_created_at", "conversationmessage", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_conversationmessage_created_at", table_name="conversationmessage")
    op.drop_index("ix_conversationmessage_match_id", table_name="conversationmessage")
    op.drop_table("conversationmessage")
    op.drop_index("ix_user_calendar_token_hash", table_name="user")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("calendar_token_hash")
