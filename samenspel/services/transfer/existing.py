"""The rows an import changes instead of adding: found by the ids in the file, so that
importing the same file again updates what the first import stored."""

from __future__ import annotations

from sqlmodel import Session, col, select

from samenspel.services.records import KIND_OF_TABLE

CHUNK = 500  # ids per query (SQLite allows a limited number of parameters)


def by_exchange_id(session: Session, table, ids: list[str]) -> dict:
    """Existing rows by their ids in the file. An id such as N12, which our exports give a
    record that came without an id, finds record 12 (an importer that stores the row makes
    that id its own, as if it had come with it)."""
    wanted = [i for i in dict.fromkeys(ids) if i]
    found: dict[str, object] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        for row in session.exec(select(table).where(col(table.external_id).in_(chunk))):
            found[row.external_id] = row
    prefix = KIND_OF_TABLE[table].id_prefix
    for exchange_id in wanted:
        number = exchange_id[len(prefix) :]
        if exchange_id in found or not exchange_id.startswith(prefix):
            continue
        if number.isdigit() and len(number) < 16:  # beyond that no table has the id
            row = session.get(table, int(number))
            if row is not None and row.external_id is None:
                found[exchange_id] = row
    return found
