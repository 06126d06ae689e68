"""Sentence vectors of need and offer texts, kept so each text is embedded once.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "text_embedding",
        sa.Column("key", S(length=64), nullable=False),
        sa.Column("model", S(length=100), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_text_embedding_model", "text_embedding", ["model"])


def downgrade() -> None:
    op.drop_index("ix_text_embedding_model", table_name="text_embedding")
    op.drop_table("text_embedding")
