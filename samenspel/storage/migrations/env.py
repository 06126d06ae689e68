"""Alembic environment: runs migrations on the engine that samenspel.storage.db hands over.

The comparison rules below are the ones autogenerate and tests/integration/test_schema_drift.py
both use (the test runs this file), so a draft migration and the drift test never disagree.
"""

from alembic import context
from sqlalchemy import JSON, create_engine, literal, literal_column, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import SQLModel

from samenspel.storage import models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata
config = context.config


def compare_server_default(
    migration_context,
    inspected_column,
    metadata_column,
    inspected_default,
    metadata_default,
    rendered_metadata_default,
):
    """True when a column's server default in the database differs from the models.

    Only JSON on PostgreSQL needs its own rule: alembic compares defaults there by asking the
    server `'[]'::json = '[]'`, and PostgreSQL has no `=` for json. Comparing both as jsonb asks
    the same question. Everything else (None) is alembic's own comparison."""
    if (
        migration_context.dialect.name != "postgresql"
        or not isinstance(metadata_column.type, JSON)
        or inspected_default is None
        or rendered_metadata_default is None
    ):
        return None
    # The database's default is SQL from its own catalogue; a string in models.py is the value
    # itself (sent as a parameter), anything else there is SQL that models.py spelled out.
    arg = metadata_column.server_default.arg
    in_models = literal(arg) if isinstance(arg, str) else literal_column(rendered_metadata_default)
    same = migration_context.connection.scalar(
        select(literal_column(inspected_default).cast(JSONB) == in_models.cast(JSONB))
    )
    return not same


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_engine(
        config.get_main_option("sqlalchemy.url")
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most of a table in place: alembic's batch mode copies it.
            render_as_batch=connection.dialect.name == "sqlite",
            # A column's type and server default are part of the schema as much as its name:
            # the drift test must see a migration that made either differently from models.py.
            compare_type=True,
            compare_server_default=compare_server_default,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
