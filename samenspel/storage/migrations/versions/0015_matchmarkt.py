"""Matchmarkt events: the event, its crew, parties, wishes, planned talks and deals.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "matchmarkt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", S(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("starts_at", S(length=5), nullable=False),
        sa.Column("place", S(length=200), nullable=False),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("round_minutes", sa.Integer(), nullable=False),
        sa.Column("tables", sa.Integer(), nullable=False),
        sa.Column("areas", S(length=1000), nullable=False),
        sa.Column("plan_summary", sa.JSON(), nullable=False),
        sa.Column("planned_at", WHEN(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "matchmarkt_crew",
        sa.Column("matchmarkt_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", S(length=20), nullable=False),
        sa.ForeignKeyConstraint(["matchmarkt_id"], ["matchmarkt.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("matchmarkt_id", "user_id", "role"),
    )
    op.create_table(
        "matchmarkt_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matchmarkt_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("status", S(length=20), nullable=False),
        sa.Column("need_ids", S(length=1000), nullable=False),
        sa.Column("offer_ids", S(length=1000), nullable=False),
        sa.Column("note", S(length=500), nullable=False),
        sa.Column("registered_at", WHEN(), nullable=True),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["matchmarkt_id"], ["matchmarkt.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["registered_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("matchmarkt_id", "organisation_id"),
    )
    op.create_index("ix_matchmarkt_party_matchmarkt_id", "matchmarkt_party", ["matchmarkt_id"])
    op.create_index("ix_matchmarkt_party_organisation_id", "matchmarkt_party", ["organisation_id"])
    op.create_table(
        "matchmarkt_wish",
        sa.Column("matchmarkt_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("wish", S(length=10), nullable=False),
        sa.ForeignKeyConstraint(["matchmarkt_id"], ["matchmarkt.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["other_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("matchmarkt_id", "organisation_id", "other_id"),
    )
    op.create_table(
        "matchmarkt_talk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matchmarkt_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("table_no", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["matchmarkt_id"], ["matchmarkt.id"]),
        sa.ForeignKeyConstraint(["need_id"], ["need.id"]),
        sa.ForeignKeyConstraint(["offer_id"], ["offer.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("matchmarkt_id", "round", "table_no"),
    )
    op.create_index("ix_matchmarkt_talk_matchmarkt_id", "matchmarkt_talk", ["matchmarkt_id"])
    op.create_table(
        "matchmarkt_deal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matchmarkt_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("what", S(length=500), nullable=False),
        sa.Column("in_return", S(length=500), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("corner", S(length=20), nullable=False),
        sa.Column("value_eur", sa.Float(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", WHEN(), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", WHEN(), nullable=True),
        sa.Column("match_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["matchmarkt_id"], ["matchmarkt.id"]),
        sa.ForeignKeyConstraint(["need_id"], ["need.id"]),
        sa.ForeignKeyConstraint(["offer_id"], ["offer.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["confirmed_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["match_id"], ["match.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_matchmarkt_deal_matchmarkt_id", "matchmarkt_deal", ["matchmarkt_id"])


def downgrade() -> None:
    for table in ("matchmarkt_deal", "matchmarkt_talk", "matchmarkt_wish", "matchmarkt_party",
                  "matchmarkt_crew", "matchmarkt"):  # fmt: skip
        op.drop_table(table)
