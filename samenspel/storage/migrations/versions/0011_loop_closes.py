"""The loop closes: which side said "Past niet" (partners answer suggestions too), a partnership
introduced by the area's setting instead of the broker, what each side brings in return
("tegenprestatie"), and the area setting itself.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("match") as batch:
        batch.add_column(sa.Column("passed_side", sqlmodel.sql.sqltypes.AutoString(length=10),
                                   nullable=False, server_default=sa.text("''")))  # fmt: skip
        batch.add_column(
            sa.Column("auto_introduced", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("initiative_brings", sqlmodel.sql.sqltypes.AutoString(length=500),
                                   nullable=False, server_default=sa.text("''")))  # fmt: skip
        batch.add_column(sa.Column("partner_brings", sqlmodel.sql.sqltypes.AutoString(length=500),
                                   nullable=False, server_default=sa.text("''")))  # fmt: skip
    # Rows from before: only initiatives could pass.
    op.execute("UPDATE match SET passed_side = 'initiative' WHERE passed_at IS NOT NULL")
    op.create_table(
        "areasetting",
        sa.Column("area", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("auto_introduce", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("area"),
    )


def downgrade() -> None:
    op.drop_table("areasetting")
    with op.batch_alter_table("match") as batch:
        for column in ("partner_brings", "initiative_brings", "auto_introduced", "passed_side"):
            batch.drop_column(column)
