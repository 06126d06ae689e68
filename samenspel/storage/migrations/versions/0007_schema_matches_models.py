"""Models and migrations agree again; this revision changes nothing in the database.

Revision ID: 0007
Revises: 0006

tests/integration/test_schema_drift.py compares what the migrations build with
samenspel/storage/models.py, on SQLite and PostgreSQL. Before 0007 it found five differences.
Each was settled where the truth already was, the database, by saying it in models.py:

- Index ix_match_status_score on match(status, score), made by 0002 for the broker's review
  queue (suggestions by status, best score first). The models did not declare it, so the next
  autogenerate would have dropped it. Match.__table_args__ now declares it.
- Server default 'engine' on match.origin (0003), '[]' on match.reasons_en (0004) and true on
  user.is_active (0005). They filled the rows that existed when each column came, and they
  still give a row written without the ORM (a restore, a later data migration) the value the
  model would give. Dropping them instead would rebuild `match` and `user` on SQLite (batch
  copy), and `user` cannot be dropped and copied while sessions, audit events and matches
  point at it. The models now declare them.
- setupguard.id is a plain integer (0005: autoincrement=False): its only row has id 1, written
  together with the first administrator, and the primary key makes a second setup fail. The
  model said nothing, which means "numbered by the database": create_all would have made a
  sequence on PostgreSQL. SetupGuard.id now says autoincrement=False. (Autogenerate does not
  compare this; the drift test checks it itself, on PostgreSQL: on SQLite an INTEGER PRIMARY
  KEY is always the rowid.)

No type differs: SQLite stores a timezone-aware datetime as DATETIME, and alembic renders the
model's type the same way there, so no rule had to ignore any type.
"""

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # every difference was the models' to fix (see above): nothing to change in the data


def downgrade() -> None:
    pass
