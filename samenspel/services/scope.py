"""Which neighbourhoods someone works in: one value that the permission checks and the page
reads share.

A bare list of areas used to mean two things: empty was "nowhere" to the permission checks and
"everywhere" to the page queries, so a broker whose areas were emptied saw every area's review
queue while being refused every action in it. Now there are two explicit values:

- `ALL_AREAS`: every neighbourhood, also one nobody has named yet (an administrator);
- `Areas(names)`: exactly these; `NO_AREAS` (empty) is nowhere.

`area_scope` builds the value once from a role and the areas on record; nothing else decides
what an empty list means. The module is pure: no session, no database access, no Streamlit
(`in_scope` only builds a SQL expression for a query to use).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, false, true


class AllAreas:
    """Every neighbourhood. There is one: `ALL_AREAS` (AllAreas() returns it too)."""

    __slots__ = ()
    _instance: AllAreas | None = None

    def __new__(cls) -> AllAreas:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __reduce__(self) -> tuple:
        return (AllAreas, ())  # a copy (a cache, a pickle) is the same single value

    def covers(self, neighbourhood: str) -> bool:  # noqa: ARG002 - every one is covered
        return True

    def __repr__(self) -> str:
        return "ALL_AREAS"


@dataclass(frozen=True)
class Areas:
    """Exactly these neighbourhoods; empty is nowhere (never "no filter")."""

    names: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, *names: str) -> Areas:
        return cls(frozenset(name for name in names if name))

    def covers(self, neighbourhood: str) -> bool:
        return neighbourhood in self.names

    def __repr__(self) -> str:
        return f"Areas.of({', '.join(repr(name) for name in sorted(self.names))})"


AreaScope = AllAreas | Areas
ALL_AREAS = AllAreas()
NO_AREAS = Areas()


def area_scope(role: str, areas: Iterable[str] = ()) -> AreaScope:
    """Where this role works: an administrator everywhere, a broker in their own areas (none on
    record: nowhere), an initiative or a partner in no area (their own organisation is checked
    by its id, not by area), the public nowhere."""
    if role == "admin":
        return ALL_AREAS
    if role == "broker":
        return Areas.of(*areas)
    return NO_AREAS


def exact_place_scope(role: str, areas: Iterable[str] = ()) -> Areas:
    """Where this viewer sees informal groups at their exact place (often a home) on the map:
    only a broker, only in their own areas. Never ALL_AREAS: an administrator's map is the
    public one, and exact places reach an administrator only through the full download, which
    is audited (docs/security.md)."""
    return Areas.of(*areas) if role == "broker" else NO_AREAS


def in_scope(neighbourhood: ColumnElement, scope: AreaScope) -> ColumnElement[bool]:
    """A WHERE condition: the neighbourhood column lies in `scope`. NO_AREAS matches no row."""
    if isinstance(scope, AllAreas):
        return true()
    if not scope.names:
        return false()
    return neighbourhood.in_(sorted(scope.names))


def cache_key(scope: AreaScope) -> str | tuple[str, ...]:
    """A stable key for caches (a frozenset's order is not stable between processes)."""
    return "all" if isinstance(scope, AllAreas) else tuple(sorted(scope.names))
