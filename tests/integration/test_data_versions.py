"""Data versions (storage/versions.py) and the cached reads keyed on them (web/cache.py):
a write bumps exactly the tables it changed, in its own transaction, and a cached read on
another engine (another app instance) sees it on its next call."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import delete, event, update
from sqlmodel import Session, select

from samenspel.storage import db, versions
from samenspel.storage.models import (
    AuditEvent,
    Fund,
    LoginSession,
    Match,
    Need,
    Offer,
    Organisation,
    RateEvent,
    User,
    utcnow,
)
from samenspel.web import cache


def current(engine) -> dict[str, int]:
    return versions.snapshot(engine)


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Which tables moved, and by how much."""
    return {
        name: after.get(name, 0) - before.get(name, 0)
        for name in before.keys() | after.keys()
        if after.get(name, 0) != before.get(name, 0)
    }


@pytest.fixture
def organisation_id(engine) -> int:
    with db.unit_of_work(engine) as session:
        org = Organisation(name="Buurtkeuken De Pan", neighbourhood="Lombok")
        session.add(org)
        session.flush()
        return org.id


def test_a_write_to_one_table_changes_only_that_tables_version(engine, organisation_id):
    before = current(engine)
    with db.unit_of_work(engine) as session:
        session.add(Need(organisation_id=organisation_id, kind="venue", title="Plek"))
    assert changed(before, current(engine)) == {"need": 1}


def test_a_transaction_bumps_each_table_it_changed_once(engine, organisation_id):
    before = current(engine)
    with db.unit_of_work(engine) as session:
        for title in ("Een", "Twee", "Drie"):
            session.add(Need(organisation_id=organisation_id, kind="venue", title=title))
            session.flush()  # several flushes, one transaction
        session.add(Offer(organisation_id=organisation_id, kind="venue", title="Zaal"))
        org = session.get(Organisation, organisation_id)
        org.description = "Samen koken"
    assert changed(before, current(engine)) == {"need": 1, "offer": 1, "organisation": 1}


def test_a_rolled_back_write_changes_no_version(engine, organisation_id):
    before = current(engine)
    with pytest.raises(RuntimeError), db.unit_of_work(engine) as session:
        session.add(Need(organisation_id=organisation_id, kind="venue", title="Plek"))
        session.flush()
        session.exec(update(Organisation).values(description="weg"))
        raise RuntimeError("the action failed after its writes")
    assert current(engine) == before
    # The same session object is not reused, but a new unit of work starts clean too.
    with db.unit_of_work(engine) as session:
        session.add(Fund(key="oranje", name="Oranje Fonds"))
    assert changed(before, current(engine)) == {"fund": 1}


def test_a_commit_that_fails_changes_no_version(engine, organisation_id):
    with db.unit_of_work(engine) as session:
        session.add(Fund(key="oranje", name="Oranje Fonds"))
    before = current(engine)
    with pytest.raises(Exception, match="(?i)unique|duplicate"), db.unit_of_work(engine) as s:
        s.add(Need(organisation_id=organisation_id, kind="venue", title="Plek"))
        s.add(Fund(key="oranje", name="Nog een keer"))  # the unique key fails at the commit
    assert current(engine) == before


def test_orm_bulk_update_and_delete_bump_their_table(engine, organisation_id):
    with db.unit_of_work(engine) as session:
        session.add(Need(organisation_id=organisation_id, kind="venue", title="Plek"))
        session.add(Fund(key="oranje", name="Oranje Fonds"))
    before = current(engine)
    with db.unit_of_work(engine) as session:
        session.exec(update(Need).where(Need.kind == "venue").values(status="expired"))
    assert changed(before, current(engine)) == {"need": 1}
    with db.unit_of_work(engine) as session:
        session.exec(delete(Fund).where(Fund.key == "oranje"))
    assert changed(before, current(engine)) == {"need": 1, "fund": 1}


def test_a_service_style_session_that_commits_itself_bumps_too(engine, organisation_id):
    """Sessions outside unit_of_work (tests, older callers) get the same events."""
    before = current(engine)
    with Session(engine) as session:
        session.add(Need(organisation_id=organisation_id, kind="venue", title="Plek"))
        session.commit()
        need = session.exec(select(Need)).one()
        need.title = need.title  # no real change: nothing to bump
        session.commit()
    assert changed(before, current(engine)) == {"need": 1}


def test_a_login_and_the_audit_trail_change_nothing_shared(engine, organisation_id):
    with db.unit_of_work(engine) as session:
        user = User(username="anja", organisation_id=organisation_id)
        session.add(user)
        session.flush()
        user_id = user.id
    before = current(engine)
    with db.unit_of_work(engine) as session:
        session.add(LoginSession(token_hash="a" * 64, user_id=user_id, expires_at=utcnow()))
        session.add(RateEvent(action="login_failed", client="c" * 64))
        session.add(AuditEvent(user_id=user_id, action="login", entity="user", entity_id=user_id))
    assert current(engine) == before
    with pytest.raises(ValueError, match="no data version"):
        versions.tracked_names([LoginSession])


def test_a_savepoint_is_bumped_with_the_transaction_around_it(engine, organisation_id):
    before = current(engine)
    with db.unit_of_work(engine) as session:
        with session.begin_nested():
            session.add(Need(organisation_id=organisation_id, kind="venue", title="Plek"))
        assert current(engine) == before  # nothing is visible before the outer commit
    assert changed(before, current(engine)) == {"need": 1}


# --- Cached reads across two app instances --------------------------------------------------


def _titles_read_through(second, calls: list):
    """A cached read of open need titles, by the second instance (engine) only."""

    @cache.cached_read(Need, engine=lambda: second)
    def open_titles(kind: str) -> list[str]:
        calls.append(kind)
        with db.unit_of_work(second, read_only=True) as session:
            return sorted(session.exec(select(Need.title).where(Need.kind == kind)).all())

    return open_titles


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_a_write_through_one_instance_reaches_the_others_cached_read(
    request, database, tmp_path, migrated_sqlite_template
):
    url = request.getfixturevalue("sqlite_url" if database == "sqlite" else "postgres_url")
    first, second = db.make_engine(url), db.make_engine(url)
    try:
        db.upgrade(first)
        with db.unit_of_work(first) as session:
            org = Organisation(name=f"Buurthuis {database}", neighbourhood="Lombok")
            session.add(org)
            session.flush()
            org_id = org.id
        calls: list[str] = []
        open_titles = _titles_read_through(second, calls)
        assert open_titles("venue") == [] and open_titles("venue") == []
        assert len(calls) == 1  # the second call came from the cache

        with db.unit_of_work(first) as session:  # another table: the cache stays
            session.add(Fund(key="oranje", name="Oranje Fonds"))
        assert open_titles("venue") == [] and len(calls) == 1

        with db.unit_of_work(first) as session:
            session.add(Need(organisation_id=org_id, kind="venue", title="Plek om te koken"))
        assert open_titles("venue") == ["Plek om te koken"]
        assert len(calls) == 2
        assert open_titles("venue") == ["Plek om te koken"] and len(calls) == 2
    finally:
        first.dispose()
        second.dispose()


def _count_version_reads(engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(_conn, _cursor, statement, *_args):
        if "data_version" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    return seen


def test_versions_are_read_once_per_page_run_and_again_after_a_local_write(
    sqlite_engine, monkeypatch
):
    run = SimpleNamespace(cursors={})
    monkeypatch.setattr(cache, "get_script_run_ctx", lambda suppress_warning=False: run)
    with db.unit_of_work(sqlite_engine) as session:
        org = Organisation(name="De Pan", neighbourhood="Lombok")
        session.add(org)
        session.flush()
        org_id = org.id
    reads = _count_version_reads(sqlite_engine)
    calls: list[str] = []
    open_titles = _titles_read_through(sqlite_engine, calls)

    open_titles("venue"), open_titles("goods"), open_titles("venue")
    assert len(reads) == 1 and calls == ["venue", "goods"]

    with db.unit_of_work(sqlite_engine) as session:  # a write earlier in the same run
        session.add(Need(organisation_id=org_id, kind="venue", title="Plek"))
    assert open_titles("venue") == ["Plek"] and len(reads) == 2

    open_titles("venue")
    assert len(reads) == 2  # still the same run
    run.cursors = {}  # Streamlit starts the next run
    open_titles("venue")
    assert len(reads) == 3 and calls == ["venue", "goods", "venue"]


def test_a_cached_read_must_name_tracked_tables_that_exist():
    with pytest.raises(ValueError, match="no data version"):
        cache.cached_read(AuditEvent)
    with pytest.raises(ValueError, match="no data version"):
        cache.cached_read("loginsession")
    with pytest.raises(ValueError, match="no table 'needs'"):
        cache.cached_read("needs")  # a page names its tables: a typo fails at once
    with pytest.raises(ValueError, match="must name"):
        cache.cached_read()
    assert cache.cached_read("need", Offer)(lambda: None).tables == ("need", "offer")


def test_two_cached_reads_with_the_same_arguments_never_share_a_cache(sqlite_engine):
    @cache.cached_read(Need, engine=lambda: sqlite_engine)
    def first(kind: str) -> str:
        return f"first {kind}"

    @cache.cached_read(Need, engine=lambda: sqlite_engine)
    def second(kind: str) -> str:
        return f"second {kind}"

    assert (first("venue"), second("venue")) == ("first venue", "second venue")


# --- Restore --------------------------------------------------------------------------------


def test_after_a_restore_every_version_is_new(sqlite_engine, tmp_path):
    """A backup brings older versions back; continuing from them would reuse numbers that
    caches hold for the data written after the backup."""
    from samenspel.services.backup import backup, restore

    with db.unit_of_work(sqlite_engine) as session:
        org = Organisation(name="De Pan", neighbourhood="Lombok")
        session.add(org)
        session.flush()
        org_id = org.id
    path = backup(sqlite_engine, tmp_path / "backup.db")
    for title in ("Een", "Twee", "Drie"):
        with db.unit_of_work(sqlite_engine) as session:
            session.add(Need(organisation_id=org_id, kind="venue", title=title))
    seen = current(sqlite_engine)
    restore(sqlite_engine, path)
    after = current(sqlite_engine)
    assert after.keys() >= seen.keys()
    assert all(after[name] > number for name, number in seen.items())
    with Session(sqlite_engine) as session:
        assert session.exec(select(Need)).all() == []  # the backup's data is back
        assert session.exec(select(Match)).all() == []
