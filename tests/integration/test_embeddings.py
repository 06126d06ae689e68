"""Sentence vectors live in the database: a text is embedded when it is written, once."""

from __future__ import annotations

import numpy as np
from sqlmodel import Session, delete, func, select

from samenspel.matching.semantic import shared_semantic
from samenspel.services import suggestions
from samenspel.services.embeddings import backfill
from samenspel.services.retention import apply_retention
from samenspel.storage import db
from samenspel.storage.models import Need, Offer, TextEmbedding
from tests.integration.conftest import TODAY
from tests.integration.test_flows import post_kitchen_need_and_hall

PLUGGED = "tests.unit.test_semantic:CountingEmbedder"


def test_posting_stores_each_text_vector_once_and_a_refresh_reuses_them(world, monkeypatch):
    monkeypatch.setenv("SAMENSPEL_EMBEDDER", PLUGGED)
    semantic = shared_semantic(PLUGGED)
    semantic.clear_memory()  # a fresh process: nothing in memory yet
    model = semantic.embedder
    need_id, hall_id = post_kitchen_need_and_hall(world)
    with Session(world["engine"]) as session:
        texts = [session.get(Need, need_id).title, session.get(Offer, hall_id).title]
        stored = session.exec(select(TextEmbedding)).all()
    assert len(stored) == 2 and {row.model for row in stored} == {"counting"}
    assert all(any(title in text for text in model.encoded) for title in texts)
    vector = np.frombuffer(stored[0].vector, dtype="<f4")
    assert vector.shape == (16,) and abs(float(np.linalg.norm(vector)) - 1) < 1e-5

    model.encoded.clear()
    semantic.clear_memory()  # a restarted app process
    with db.unit_of_work(world["engine"]) as session:
        suggestions.refresh_for_need(session, need_id, today=TODAY)
    assert model.encoded == []  # read back from the table, not computed again
    with Session(world["engine"]) as session:
        assert session.exec(select(func.count()).select_from(TextEmbedding)).one() == 2


def test_retention_deletes_the_vectors_of_texts_that_are_gone(world, monkeypatch):
    monkeypatch.setenv("SAMENSPEL_EMBEDDER", PLUGGED)
    shared_semantic(PLUGGED).clear_memory()
    need_id, _hall = post_kitchen_need_and_hall(world)
    with db.unit_of_work(world["engine"]) as session:
        session.get(Need, need_id).title = "Een andere vraag"  # its old vector is derived data
    with db.unit_of_work(world["engine"]) as session:
        first = apply_retention(session=session)
    with db.unit_of_work(world["engine"]) as session:
        second = apply_retention(session=session)
    assert (first.vectors_deleted, second.vectors_deleted) == (1, 0)
    with Session(world["engine"]) as session:
        assert session.exec(select(func.count()).select_from(TextEmbedding)).one() == 1


def test_a_page_that_only_looks_can_explain_a_pair_whose_vectors_were_never_stored(
    world, monkeypatch
):
    """A database from before vectors existed: "Waarom niet?" runs in a read-only unit of work."""
    monkeypatch.setenv("SAMENSPEL_EMBEDDER", PLUGGED)
    need_id, hall_id = post_kitchen_need_and_hall(world)
    with db.unit_of_work(world["engine"]) as session:
        session.exec(delete(TextEmbedding))
    shared_semantic(PLUGGED).clear_memory()
    with db.unit_of_work(world["engine"], read_only=True) as session:
        result = suggestions.why_not(session, need_id=need_id, offer_id=hall_id, today=TODAY)
    assert 0 <= result.components["semantic"] <= 1
    with Session(world["engine"]) as session:
        assert session.exec(select(func.count()).select_from(TextEmbedding)).one() == 0


def test_after_an_upgrade_one_command_embeds_every_text_once(world, monkeypatch):
    monkeypatch.setenv("SAMENSPEL_EMBEDDER", PLUGGED)
    post_kitchen_need_and_hall(world)
    with db.unit_of_work(world["engine"]) as session:
        session.exec(delete(TextEmbedding))  # as a database from before migration 0014
    shared_semantic(PLUGGED).clear_memory()  # `samenspel embed` is a process of its own
    with db.unit_of_work(world["engine"]) as session:
        first = backfill(session)
    with db.unit_of_work(world["engine"]) as session:
        second = backfill(session)
    assert first == (2, 2) and second == (2, 0)
