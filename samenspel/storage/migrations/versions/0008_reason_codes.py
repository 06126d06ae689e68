"""Reasons stored as codes with parameters, in one column: `match.reasons_en` goes.

Before 0008 a match kept its reasons as finished sentences, Dutch in `reasons` and English in
`reasons_en`, so a better wording or a third language meant migrating data. From 0008 on,
`reasons` holds [{"code": ..., "params": {...}}] and samenspel/matching/reasons.py writes
them out in the reader's language when they are shown.

Upgrade: the stored sentences are not turned back into codes (guessing a code from a sentence
would put words in people's mouths). Each becomes the code `legacy` with the Dutch and the
English text as they were, paired by position; a row from before 0004 has no English, and its
English reader sees the Dutch, as before. New suggestions are stored as codes.

Downgrade: `reasons_en` comes back and every reason is written out again, Dutch in `reasons`
and English in `reasons_en`. A legacy reason gives back exactly the sentences it was made
from (an empty side adds nothing), so upgrade then downgrade changes no row.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from samenspel.matching.reasons import LEGACY, from_data, legacy, render

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 1000  # rows read and written at a time, so a large city never sits in memory at once

matches = sa.table(
    "match",
    sa.column("id", sa.Integer()),
    sa.column("reasons", sa.JSON()),
    sa.column("reasons_en", sa.JSON()),
)


def _batches(connection):
    """The rows of `match` in id order, BATCH at a time (keyset: no OFFSET to grow slow)."""
    last = 0
    while True:
        rows = connection.execute(
            sa.select(matches).where(matches.c.id > last).order_by(matches.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _by_id(**columns):
    """UPDATE match SET <columns> WHERE id = :match_id, for executemany (bind names differ
    from column names: SQLAlchemy keeps those for the SET clause)."""
    return (
        matches.update()
        .where(matches.c.id == sa.bindparam("match_id"))
        .values({name: sa.bindparam(bind, type_=sa.JSON()) for name, bind in columns.items()})
    )


def as_codes(dutch, english) -> list[dict]:
    """The two sentence lists of one match as legacy reasons, paired by position."""
    dutch, english = list(dutch or []), list(english or [])
    found = []
    for position in range(max(len(dutch), len(english))):
        nl = str(dutch[position]) if position < len(dutch) else ""
        en = str(english[position]) if position < len(english) else ""
        found.append(legacy(nl, en).to_data())
    return found


def as_sentences(stored) -> tuple[list[str], list[str]]:
    """Stored reasons back as (Dutch sentences, English sentences)."""
    dutch, english = [], []
    for reason in from_data(stored):
        if reason.code == LEGACY:  # exactly what it was made from
            dutch.extend([reason.params["nl"]] if reason.params["nl"] else [])
            english.extend([reason.params["en"]] if reason.params["en"] else [])
        else:
            dutch.append(render(reason, "nl"))
            english.append(render(reason, "en"))
    return dutch, english


def upgrade() -> None:
    connection = op.get_bind()
    write = _by_id(reasons="codes")
    for rows in _batches(connection):
        connection.execute(
            write,
            [{"match_id": row.id, "codes": as_codes(row.reasons, row.reasons_en)} for row in rows],
        )
    with op.batch_alter_table("match") as batch:
        batch.drop_column("reasons_en")


def downgrade() -> None:
    with op.batch_alter_table("match") as batch:
        batch.add_column(sa.Column("reasons_en", sa.JSON(), nullable=False, server_default="[]"))
    connection = op.get_bind()
    write = _by_id(reasons="dutch", reasons_en="english")
    for rows in _batches(connection):
        values = []
        for row in rows:
            dutch, english = as_sentences(row.reasons)
            values.append({"match_id": row.id, "dutch": dutch, "english": english})
        connection.execute(write, values)
