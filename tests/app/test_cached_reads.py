"""The map's cached reads in a real app run (web/cache.py): a write by another app instance is
on the map at the next run without clearing any cache, and a write to a table the map does not
read leaves its cache alone."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from sqlalchemy import event
from streamlit.testing.v1 import AppTest

from samenspel import settings
from samenspel.storage import db
from samenspel.web import queries
from tests.conftest import APP, ROOT


def points_on_map(at: AppTest) -> int:
    (caption,) = [c.value for c in at.caption if "punten op de kaart" in c.value]
    return int(caption.split()[0])


def open_venue_needs(at: AppTest) -> int:
    """From the legend's line "Ruimte: 14 vragen, 24 aanbod"."""
    (line,) = [m.value for m in at.markdown if "</span>Ruimte:" in m.value]
    return int(line.split("</span>Ruimte:")[1].split()[0])


def in_another_process(code: str) -> None:
    """Write the way another app instance does: its own process, its own engine, the same
    database (SAMENSPEL_INSTANCE_DIR of this test), nothing shared in memory."""
    script = "from samenspel.storage import db\nfrom samenspel.storage.models import *\n"
    script += "from sqlmodel import select\n" + textwrap.dedent(code)
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=120)


def test_another_instance_writes_and_the_next_run_shows_it(monkeypatch):
    real, calls = queries.map_points, []

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr("samenspel.web.queries.map_points", counted)
    version_reads = []

    @event.listens_for(db.engine_for(settings.database_url()), "before_cursor_execute")
    def _seen(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT") and "data_version" in statement:
            version_reads.append(statement)

    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception
    points, venues, reads = points_on_map(at), open_venue_needs(at), len(calls)
    assert reads == 1
    # The page has three cached reads (counts, points, lines): one look at the versions.
    assert len(version_reads) == 1

    at.run()  # nothing changed: the cached read serves it
    assert (points_on_map(at), len(calls)) == (points, reads)
    assert len(version_reads) == 2  # and every run looks again

    in_another_process("""
        with db.unit_of_work() as session:
            session.add(Fund(key="nieuw-fonds", name="Nieuw fonds"))
    """)
    at.run()  # the fund list changed, the map did not
    assert (points_on_map(at), len(calls)) == (points, reads)

    in_another_process("""
        with db.unit_of_work() as session:
            org = session.exec(select(Organisation).where(Organisation.lat.is_not(None))).first()
            session.add(Need(organisation_id=org.id, kind="venue", title="Nog een plek"))
    """)
    at.run()
    assert not at.exception
    assert (points_on_map(at), open_venue_needs(at)) == (points + 1, venues + 1)
    assert len(calls) == reads + 1
