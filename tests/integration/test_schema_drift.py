"""The schema the migrations build is the schema samenspel/storage/models.py describes, on
SQLite and on PostgreSQL.

The comparison is alembic's autogenerate, run through samenspel/storage/migrations/env.py with
its rules (types and server defaults included), on a database upgraded to head: an empty list
is what `alembic revision --autogenerate` would find. On top of that, one thing autogenerate
does not look at: whether the database numbers a primary key itself (see
`primary_key_numbering_differences`).
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata, produce_migrations, render_python_code
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.schema import DefaultClause
from sqlmodel import SQLModel

from samenspel.storage import (
    db,
    models,  # noqa: F401  (registers the tables on SQLModel.metadata)
)

VERSIONS = "samenspel/storage/migrations/versions"


def autogenerate(engine) -> tuple[list, str, str]:
    """(differences, draft upgrade() body, head revision), exactly as autogenerate sees them:
    env.py configures the comparison, this only collects what it finds."""
    config = db.alembic_config(engine)
    script = ScriptDirectory.from_config(config)
    found: dict = {}

    def collect(_heads, context):
        metadata = context.opts["target_metadata"]
        found["diffs"] = compare_metadata(context, metadata)
        ops = produce_migrations(context, metadata).upgrade_ops
        found["draft"] = render_python_code(
            ops, render_as_batch=bool(context.opts.get("render_as_batch"))
        )
        return []  # run no migration: the database is already at head

    with EnvironmentContext(config, script, fn=collect):
        script.run_env()
    return found["diffs"], found["draft"], script.get_current_head()


def flatten(diffs: list) -> list[tuple]:
    """compare_metadata groups the changes of one column in a list; one line per change here."""
    flat = []
    for diff in diffs:
        flat.extend(diff if isinstance(diff, list) else [diff])
    return flat


def default_text(default) -> str:
    if default is None:
        return "none"
    arg = default.arg if isinstance(default, DefaultClause) else default
    return str(getattr(arg, "text", arg))


def index_text(index) -> str:
    columns = ", ".join(column.name for column in index.columns)
    unique = "unique " if index.unique else ""
    return f"{unique}index {index.name} on {index.table.name}({columns})"


def constraint_text(constraint) -> str:
    columns = ", ".join(column.name for column in constraint.columns)
    kind = type(constraint).__name__
    return f"{kind} {constraint.name or '(no name)'} on {constraint.table.name}({columns})"


def describe(diff: tuple) -> str:
    """One difference in words. "add" means the models have it and the database does not;
    "remove" means the database has it and the models do not."""
    kind = diff[0]
    in_models = "in models.py, not made by any migration"
    in_database = "made by a migration, not in models.py"
    if kind in ("add_table", "remove_table"):
        where = in_models if kind == "add_table" else in_database
        return f"table {diff[1].name}: {where}"
    if kind in ("add_column", "remove_column"):
        where = in_models if kind == "add_column" else in_database
        return f"column {diff[2]}.{diff[3].name} ({diff[3].type}): {where}"
    if kind in ("add_index", "remove_index"):
        where = in_models if kind == "add_index" else in_database
        return f"{index_text(diff[1])}: {where}"
    if kind in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        where = in_models if kind.startswith("add") else in_database
        return f"{constraint_text(diff[1])}: {where}"
    if kind.startswith("modify_"):
        _kind, _schema, table, column, _existing, in_db, in_model = diff
        what = kind.removeprefix("modify_").replace("_", " ")
        if kind == "modify_default":
            in_db, in_model = default_text(in_db), default_text(in_model)
        return f"{table}.{column}: {what} is {in_db} in the database, {in_model} in models.py"
    return repr(diff)  # a kind alembic added later: still shown, never hidden


def primary_key_numbering_differences(engine) -> list[str]:
    """Autogenerate does not compare whether the database numbers a primary key itself
    (PostgreSQL: a sequence behind it, or not). A model that leaves it on where the migration
    made a plain integer would get a sequence from create_all and none from the migrations.

    SQLite cannot express the difference: an INTEGER PRIMARY KEY is always its rowid, numbered
    when no value is given, so there is nothing to compare and the rule covers PostgreSQL only.
    """
    if engine.dialect.name == "sqlite":
        return []
    inspector = inspect(engine)
    differences = []
    for table in SQLModel.metadata.sorted_tables:
        reflected = {column["name"]: column for column in inspector.get_columns(table.name)}
        for column in table.primary_key.columns:
            if column.name not in reflected:
                continue  # a missing column is already a difference of its own
            in_models = table.autoincrement_column is column
            in_database = bool(reflected[column.name].get("autoincrement"))
            if in_models != in_database:
                differences.append(
                    f"{table.name}.{column.name}: the database numbers it itself: "
                    f"{'yes' if in_database else 'no'} in the database, "
                    f"{'yes' if in_models else 'no'} in models.py (autoincrement=...)"
                )
    return differences


def drift_report(dialect: str, lines: list[str], draft: str, head: str) -> str:
    listed = "\n".join(f"  - {line}" for line in lines)
    # render_python_code indents every line but the first by four spaces: even them out.
    first, *rest = draft.strip().splitlines()
    indented = "\n".join(f"        {line}" for line in [first, *(r[4:] for r in rest)])
    return f"""
The database the migrations build on {dialect} differs from samenspel/storage/models.py:
{listed}

What to do (the database must end up exactly as models.py says):
  * You changed or added a model: make the same change in a migration in {VERSIONS}
    (the placeholder your task names, or a new file with down_revision = {head!r}, the head
    now). What autogenerate would write into its upgrade(), as a start (check it, write
    downgrade() too, and keep the data that rows already hold):
{indented}
  * A migration made something on purpose that models.py does not say (an index, a server
    default, a plain integer key): declare it in models.py, e.g. Index(...) in __table_args__
    or sa_column_kwargs={{"server_default": ...}} or {{"autoincrement": False}}.
  * Examples of both: the docstring of migration 0007, which settled the earlier drift.
Check again with: python -m pytest -q -p no:cacheprovider tests/integration/test_schema_drift.py
"""


def test_the_migrations_build_exactly_the_schema_of_the_models(engine):
    diffs, draft, head = autogenerate(engine)
    lines = [describe(diff) for diff in flatten(diffs)]
    lines += primary_key_numbering_differences(engine)
    if lines:
        pytest.fail(drift_report(engine.dialect.name, lines, draft, head), pytrace=False)


def test_the_migrations_form_one_line_without_branches(sqlite_engine):
    """Two migrations with the same down_revision give two heads, and `upgrade head` refuses
    to run: every start of the app would fail."""
    script = ScriptDirectory.from_config(db.alembic_config(sqlite_engine))
    heads = script.get_heads()
    assert len(heads) == 1, (
        f"the migrations in {VERSIONS} have {len(heads)} heads {heads}: give the newest one "
        f"the down_revision of the one before it, so that they form one line"
    )
    assert db.current_revision(sqlite_engine) == heads[0]
