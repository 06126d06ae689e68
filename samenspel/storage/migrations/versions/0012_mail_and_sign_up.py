"""People hear what is new: an outbox of mails the worker sends, notifications with each
person's choice of how often, single-use links, an e-mail address per account, and
organisations that sign up themselves and wait for a broker's approval.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    # Plain ADD COLUMN (both databases have it): a batch copy of "user" on SQLite would drop
    # the table that setupguard and loginsession point to.
    op.add_column("user", sa.Column("email", S(length=200), nullable=False, server_default=sa.text("''")))
    op.add_column("user", sa.Column("email_confirmed_at", WHEN(), nullable=True))
    op.add_column(
        "organisation",
        sa.Column("approval", S(length=20), nullable=False, server_default="approved"),
    )
    op.create_table(
        "outboxmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", S(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("to_address", S(length=200), nullable=False),
        sa.Column("kind", S(length=40), nullable=False),
        sa.Column("language", S(length=5), nullable=False),
        sa.Column("subject", S(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("status", S(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", WHEN(), nullable=False),
        sa.Column("claimed_until", WHEN(), nullable=True),
        sa.Column("last_error", S(length=1000), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.Column("sent_at", WHEN(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_outboxmessage_user_id", "outboxmessage", ["user_id"])
    op.create_index("ix_outboxmessage_status_due", "outboxmessage", ["status", "next_attempt_at"])
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", S(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.Column("mailed_at", WHEN(), nullable=True),
        sa.Column("read_at", WHEN(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["match_id"], ["match.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notification_user_id", "notification", ["user_id"])
    op.create_index("ix_notification_match_id", "notification", ["match_id"])
    op.create_index("ix_notification_created_at", "notification", ["created_at"])
    op.create_table(
        "notificationsetting",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", S(length=40), nullable=False),
        sa.Column("frequency", S(length=10), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("user_id", "kind"),
    )
    op.create_table(
        "usedlink",
        sa.Column("token_id", S(length=64), nullable=False),
        sa.Column("used_at", WHEN(), nullable=False),
        sa.PrimaryKeyConstraint("token_id"),
    )


def downgrade() -> None:
    op.drop_table("usedlink")
    op.drop_table("notificationsetting")
    op.drop_index("ix_notification_created_at", table_name="notification")
    op.drop_index("ix_notification_match_id", table_name="notification")
    op.drop_index("ix_notification_user_id", table_name="notification")
    op.drop_table("notification")
    op.drop_index("ix_outboxmessage_status_due", table_name="outboxmessage")
    op.drop_index("ix_outboxmessage_user_id", table_name="outboxmessage")
    op.drop_table("outboxmessage")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("approval")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("email_confirmed_at")
        batch.drop_column("email")
