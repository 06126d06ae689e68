"""One meaning for "which areas" (services/scope.py): who covers which neighbourhood, and the
SQL condition the page reads filter with."""

from __future__ import annotations

import pickle

import pytest
from sqlalchemy import column, select, table
from sqlalchemy.dialects import postgresql, sqlite

from samenspel.services.permissions import PUBLIC, Actor, covers_area
from samenspel.services.scope import (
    ALL_AREAS,
    NO_AREAS,
    AllAreas,
    Areas,
    area_scope,
    cache_key,
    exact_place_scope,
    in_scope,
)

ACTORS = {
    "public": PUBLIC,
    "initiative": Actor(user_id=1, role="initiative", organisation_id=10, areas=("Lombok",)),
    "partner": Actor(user_id=2, role="partner", organisation_id=11),
    "broker_lombok": Actor(user_id=3, role="broker", areas=("Lombok",)),
    "broker_two": Actor(user_id=4, role="broker", areas=("Lombok", "Zuilen")),
    "broker_none": Actor(user_id=5, role="broker", areas=()),
    "broker_blank": Actor(user_id=6, role="broker", areas=("",)),
    "admin": Actor(user_id=7, role="admin"),
    "command_line": Actor(user_id=None, role="admin", system=True),
}
AREAS = ("Lombok", "Zuilen", "Overvecht", "")

# actor -> the areas of AREAS it covers; every other pair is refused.
COVERED = {
    "public": set(),
    # A side's own organisation is checked by id (require_org_editor), never by area, even
    # when areas happen to be on its record.
    "initiative": set(),
    "partner": set(),
    "broker_lombok": {"Lombok"},
    "broker_two": {"Lombok", "Zuilen"},
    "broker_none": set(),  # no areas on record: nowhere, not everywhere
    "broker_blank": set(),  # an empty name is no area, and no organisation without one
    "admin": set(AREAS),
    "command_line": set(AREAS),
}
CASES = [(who, area) for who in ACTORS for area in AREAS]


@pytest.mark.parametrize(("who", "area"), CASES, ids=[f"{w}-{a or 'blank'}" for w, a in CASES])
def test_actor_by_area_case_table(who, area):
    actor = ACTORS[who]
    expected = area in COVERED[who]
    assert covers_area(actor, area) is expected
    assert actor.scope.covers(area) is expected


def test_the_scope_is_built_from_the_role_not_from_how_many_areas_there_are():
    assert area_scope("admin") is ALL_AREAS
    assert area_scope("admin", ("Lombok",)) is ALL_AREAS
    assert area_scope("broker", ("Zuilen", "Lombok")) == Areas(frozenset({"Lombok", "Zuilen"}))
    assert area_scope("broker", ()) == NO_AREAS
    for role in ("public", "initiative", "partner", "something else"):
        assert area_scope(role, ("Lombok",)) == NO_AREAS


def test_exact_places_are_for_a_broker_in_their_own_areas_only():
    assert exact_place_scope("broker", ("Lombok",)) == Areas.of("Lombok")
    assert exact_place_scope("broker", ()) == NO_AREAS
    # An administrator's map is the public one: exact places only in the audited download.
    assert exact_place_scope("admin", ("Lombok",)) == NO_AREAS
    assert exact_place_scope("initiative", ("Lombok",)) == NO_AREAS


def test_all_areas_is_one_value_even_after_a_copy():
    assert AllAreas() is ALL_AREAS
    assert pickle.loads(pickle.dumps(ALL_AREAS)) is ALL_AREAS
    assert ALL_AREAS != NO_AREAS and ALL_AREAS != Areas.of("Lombok")


def test_the_cache_key_does_not_depend_on_the_order_areas_were_given_in():
    assert cache_key(Areas.of("Zuilen", "Lombok")) == cache_key(Areas.of("Lombok", "Zuilen"))
    assert cache_key(Areas.of("Lombok")) != cache_key(Areas.of("Zuilen"))
    assert cache_key(NO_AREAS) == () and cache_key(ALL_AREAS) == "all"


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "pg"])
def test_the_sql_condition_matches_no_row_for_no_areas_and_every_row_for_all(dialect):
    organisation = table("organisation", column("neighbourhood"))

    def where(scope) -> str:
        query = select(organisation).where(in_scope(organisation.c.neighbourhood, scope))
        compiled = query.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
        return str(compiled).split("WHERE", 1)[1].strip()

    assert where(NO_AREAS) in ("0 = 1", "false")
    assert where(ALL_AREAS) in ("1 = 1", "true")
    assert where(Areas.of("Zuilen", "Lombok")) == (
        "organisation.neighbourhood IN ('Lombok', 'Zuilen')"
    )
