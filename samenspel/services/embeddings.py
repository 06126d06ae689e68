"""Sentence vectors kept in the database (the text_embedding table), so a need or offer text is
embedded once, when it is written, and read back on every later suggestion run."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, select

from samenspel import settings
from samenspel.matching.semantic import Semantic, shared_semantic
from samenspel.services.records import need_in, offer_in
from samenspel.storage.db import is_read_only
from samenspel.storage.models import Need, Offer, Organisation, TextEmbedding

CHUNK = 500  # keys per IN (...) query: well below every database's parameter limit


class SessionVectorStore:
    """Reads and writes vectors in one unit of work; the entry point commits."""

    def __init__(self, session: Session):
        self.session = session

    def load(self, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        keys = list(keys)
        for start in range(0, len(keys), CHUNK):
            rows = self.session.exec(
                select(TextEmbedding.key, TextEmbedding.vector).where(
                    TextEmbedding.model == model,
                    col(TextEmbedding.key).in_(keys[start : start + CHUNK]),
                )
            )
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype="<f4")
        return found

    def save(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        # A page that only looks ("Waarom niet?") may meet a text stored before vectors were:
        # it uses the vector and leaves storing it to the next write.
        if not vectors or is_read_only(self.session):
            return
        rows = [
            {"key": key, "model": model, "vector": np.asarray(v, dtype="<f4").tobytes()}
            for key, v in vectors.items()
        ]
        # Another app process may have stored the same text a moment ago: that row is as good.
        dialect = self.session.get_bind().dialect.name
        insert = (postgresql if dialect == "postgresql" else sqlite).insert
        for start in range(0, len(rows), CHUNK):
            statement = insert(TextEmbedding).values(rows[start : start + CHUNK])
            self.session.exec(statement.on_conflict_do_nothing(index_elements=["key"]))


def semantic_for(session: Session) -> Semantic | None:
    """The configured sentence model, reading and writing this session's stored vectors."""
    shared = shared_semantic(settings.embedder())
    return None if shared is None else shared.with_store(SessionVectorStore(session))


def current_texts(session: Session) -> set[str]:
    """The text of every need and offer as the engine reads it: what vectors are kept for."""
    needs = session.exec(select(Need, Organisation).join(Organisation))
    offers = session.exec(select(Offer, Organisation).join(Organisation))
    return {need_in(n, org).text for n, org in needs} | {offer_in(o, org).text for o, org in offers}


BACKFILL_CHUNK = 1000  # texts per batch: the store is read and written once per batch


def backfill(session: Session, progress=lambda done, total: None) -> tuple[int, int]:
    """Vectors for every need and offer text that has none yet (a database from before
    migration 0014, or a new model): (texts, of which newly embedded). One text at a time
    would make the first post after an upgrade embed a whole city inside its transaction."""
    semantic = semantic_for(session)
    if semantic is None:
        return 0, 0
    texts = sorted(current_texts(session))

    def stored() -> int:
        of_model = TextEmbedding.model == semantic.embedder.name
        return session.exec(select(func.count()).select_from(TextEmbedding).where(of_model)).one()

    before = stored()
    for start in range(0, len(texts), BACKFILL_CHUNK):
        semantic.vectors(texts[start : start + BACKFILL_CHUNK])
        progress(min(start + BACKFILL_CHUNK, len(texts)), len(texts))
    return len(texts), stored() - before
