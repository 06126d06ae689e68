"""The map page at city size: partnership lines only when asked for, and the list view sent
one page at a time."""

from __future__ import annotations

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from samenspel import settings
from samenspel.storage import db
from samenspel.storage.models import Need, Organisation
from samenspel.web import maps
from tests.conftest import APP


def run_home() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=120).run()


def test_partnership_lines_are_drawn_only_when_asked_for(monkeypatch):
    drawn = []
    real = maps.build_map

    def recording(points, **kwargs):
        drawn.append(kwargs.get("lines") or [])
        return real(points, **kwargs)

    monkeypatch.setattr(maps, "build_map", recording)
    at = run_home()
    assert not at.exception
    assert drawn[-1] == []  # the demo city has agreed partnerships, but nobody asked

    at.toggle(key="home_lines").set_value(True).run()
    assert not at.exception
    labels = [line.label for line in drawn[-1]]
    assert labels and all(" - " in label for label in labels)

    # Only the partnerships of the points the filters show.
    at.multiselect(key="home_kinds").set_value(["money"]).run()
    assert not at.exception
    assert 0 < len(drawn[-1]) < len(labels)


def add_needs(count: int) -> None:
    with db.unit_of_work(db.engine_for(settings.database_url())) as session:
        org = session.exec(select(Organisation).where(Organisation.lat.is_not(None))).first()
        for number in range(count):
            session.add(Need(organisation_id=org.id, kind="goods", title=f"Lijsttest {number:03}"))


def test_the_list_view_sends_one_page_of_points_at_a_time():
    add_needs(150)
    at = run_home()
    at.session_state["home_view"] = "list"
    at.run()
    assert not at.exception
    (caption,) = [c.value for c in at.caption if "staan hier" in c.value]
    total = int(caption.split()[0])
    assert total > 200
    assert caption.startswith(f"{total} punten, 1 tot en met 100 staan hier.")
    (table,) = at.dataframe
    first_page = list(table.value["Titel"])
    assert len(first_page) == 100

    pages = at.number_input(key="home_list_page")
    assert pages.max == -(-total // 100)
    pages.set_value(2).run()
    assert not at.exception
    (table,) = at.dataframe
    second_page = list(table.value["Titel"])
    assert len(second_page) == 100 and not set(second_page) & set(first_page)
    assert any(c.value.startswith(f"{total} punten, 101 tot en met 200") for c in at.caption)

    at.number_input(key="home_list_page").set_value(pages.max).run()
    (table,) = at.dataframe
    assert len(table.value) == total - 100 * (pages.max - 1)


def test_with_too_many_points_the_map_counts_them_per_neighbourhood(monkeypatch):
    monkeypatch.setenv("SAMENSPEL_MAP_POINTS_MAX", "50")
    drawn = {"areas": [], "points": []}
    real_areas, real_points = maps.build_area_map, maps.build_map

    def recording_areas(areas, **kwargs):
        drawn["areas"].append(areas)
        return real_areas(areas, **kwargs)

    def recording_points(points, **kwargs):
        drawn["points"].append(points)
        return real_points(points, **kwargs)

    monkeypatch.setattr(maps, "build_area_map", recording_areas)
    monkeypatch.setattr(maps, "build_map", recording_points)
    at = run_home()
    assert not at.exception
    assert drawn["points"] == [] and len(drawn["areas"]) == 1
    areas = drawn["areas"][0]
    (caption,) = [c.value for c in at.caption if "te veel om los te tonen" in c.value]
    total = int(caption.split()[0])
    assert total > 50 and sum(count for _, _, count, _ in areas) == total
    labels = [label for *_, label in areas]
    biggest = labels[0].split(":")[0]
    assert labels[0] == f"{biggest}: {areas[0][2]} punten"

    # Choosing that neighbourhood (as a click on its circle does) brings its points back.
    at.multiselect(key="home_hoods").set_value([biggest]).run()
    assert not at.exception
    (shown,) = drawn["points"]
    assert len(shown) == areas[0][2] and set(shown["neighbourhood"]) == {biggest}
