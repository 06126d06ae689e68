"""Who may do what. Every service that writes or reveals calls one of these first: a hidden
button in a page is never the only check."""

from __future__ import annotations

from dataclasses import dataclass

from samenspel.i18n import t
from samenspel.services.errors import NotAllowed
from samenspel.services.scope import AreaScope, area_scope
from samenspel.storage.models import Organisation


@dataclass(frozen=True)
class Actor:
    """The person behind a call, as plain values (never an ORM object)."""

    user_id: int | None
    role: str  # public | initiative | partner | broker | admin
    organisation_id: int | None = None
    # The neighbourhoods on this user's record. What they mean for this role is `scope`: never
    # read them as "where this actor works" directly.
    areas: tuple[str, ...] = ()
    name: str = ""
    # The command line and maintenance jobs: whoever runs them can read the database anyway.
    system: bool = False
    # Who is calling from where (limits per client, services/limits.py); empty: not a page.
    client: str = ""

    @property
    def is_staff(self) -> bool:
        return self.role in ("broker", "admin")

    @property
    def scope(self) -> AreaScope:
        """Where this actor works (services/scope.py): all areas for an administrator and the
        command line, a broker's own areas, none for anyone else."""
        return area_scope(self.role, self.areas)


PUBLIC = Actor(user_id=None, role="public")


def require_signed_in(actor: Actor) -> None:
    if actor.role == "public" or (actor.user_id is None and not actor.system):
        raise NotAllowed(t("Log eerst in."))


def require_role(actor: Actor, *roles: str) -> None:
    require_signed_in(actor)
    if actor.role not in roles:
        raise NotAllowed(t("Dit mag je niet doen met jouw account."))


def covers_area(actor: Actor, neighbourhood: str) -> bool:
    """A broker works in their own areas (none given: nowhere); an admin everywhere. The page
    reads filter with the same scope (scope.in_scope), so a list shows what may be acted on."""
    return actor.scope.covers(neighbourhood)


def require_org_editor(actor: Actor, org: Organisation) -> None:
    """The organisation's own users, its area's broker, or an admin."""
    require_signed_in(actor)
    if actor.organisation_id == org.id or covers_area(actor, org.neighbourhood):
        return
    raise NotAllowed(t("Dit is niet van jouw organisatie."))
