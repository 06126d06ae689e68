"""Accounts and sessions: a real is_active on users (disabled users were locked until the year
9999), server-side login sessions, one-time setup tokens and the first-administrator guard, and
rate events for limits per client. Per-account locks are cleared: throttling is per client now.

Revision ID: 0005
Revises: 0004
"""
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)
DISABLED_UNTIL = datetime(9999, 1, 1, tzinfo=UTC)

users = sa.table(
    "user",
    sa.column("id", sa.Integer()),
    sa.column("role", sa.String()),
    sa.column("is_demo", sa.Boolean()),
    sa.column("is_active", sa.Boolean()),
    sa.column("failed_logins", sa.Integer()),
    sa.column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime()),
)
guard = sa.table(
    "setupguard",
    sa.column("id", sa.Integer()),
    sa.column("user_id", sa.Integer()),
    sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true()))

    op.create_table(
        "loginsession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_loginsession_token_hash", "loginsession", ["token_hash"], unique=True)
    op.create_index("ix_loginsession_user_id", "loginsession", ["user_id"], unique=False)

    op.create_table(
        "setuptoken",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_setuptoken_token_hash", "setuptoken", ["token_hash"], unique=True)

    op.create_table(
        "setupguard",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )

    op.create_table(
        "rateevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rateevent_at", "rateevent", ["at"], unique=False)
    op.create_index("ix_rateevent_action_client_at", "rateevent", ["action", "client", "at"], unique=False)

    # Users disabled the old way (a lock until the year 9999) become inactive; every other
    # lock goes: a stranger's wrong passwords no longer lock anyone out.
    op.execute(users.update().where(users.c.locked_until >= FAR_FUTURE).values(is_active=False))
    op.execute(users.update().values(failed_logins=0, locked_until=None))

    # An installation that already has a real administrator is set up: close the setup.
    connection = op.get_bind()
    first = connection.execute(
        sa.select(sa.func.min(users.c.id)).where(
            users.c.role == "admin", users.c.is_demo.is_(False), users.c.is_active.is_(True)
        )
    ).scalar()
    if first is not None:
        op.execute(guard.insert().values(id=1, user_id=first, created_at=datetime.now(UTC)))


def downgrade() -> None:
    op.drop_index("ix_rateevent_action_client_at", table_name="rateevent")
    op.drop_index("ix_rateevent_at", table_name="rateevent")
    op.drop_table("rateevent")
    op.drop_table("setupguard")
    op.drop_index("ix_setuptoken_token_hash", table_name="setuptoken")
    op.drop_table("setuptoken")
    op.drop_index("ix_loginsession_user_id", table_name="loginsession")
    op.drop_index("ix_loginsession_token_hash", table_name="loginsession")
    op.drop_table("loginsession")
    op.execute(users.update().where(users.c.is_active.is_(False)).values(locked_until=DISABLED_UNTIL))
    with op.batch_alter_table("user") as batch:
        batch.drop_column("is_active")
