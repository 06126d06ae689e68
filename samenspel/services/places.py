"""Where others may see an organisation's posts.

Informal initiatives are often someone's home. Everyone but the broker of their own area sees
them at the centre of their neighbourhood, and every distance shown to others (reasons,
"Bestaat dit al?") is measured from that same public point: with two or three distances to an
exact place, a home could be found.
"""

from __future__ import annotations

from samenspel.matching.geo import default_gazetteer
from samenspel.services.scope import NO_AREAS, AreaScope
from samenspel.storage.models import Organisation


def public_location(
    org: Organisation, lat: float | None, lon: float | None, exact_in: AreaScope = NO_AREAS
) -> tuple[float | None, float | None, bool]:
    """(lat, lon, blurred): the post's own place, or the organisation's, moved to the centre of
    its neighbourhood for an informal group unless the viewer brokers that area (`exact_in`,
    scope.exact_place_scope)."""
    lat = lat if lat is not None else org.lat
    lon = lon if lon is not None else org.lon
    if (
        org.legal_form != "informal"
        or lat is None
        or lon is None
        or exact_in.covers(org.neighbourhood)
    ):
        return lat, lon, False
    gazetteer = default_gazetteer()
    hood = None
    if org.neighbourhood and (lat, lon) == (org.lat, org.lon):  # the group's own place
        hood = next((p for p in gazetteer.neighbourhoods if p.name == org.neighbourhood), None)
    # A post placed elsewhere is blurred where it is, not moved to the group's home area.
    hood = hood or gazetteer.neighbourhood_of(lat, lon)
    if hood is None:  # far from any known neighbourhood: round to about a kilometre
        return round(lat, 2), round(lon, 2), True
    return hood.lat, hood.lon, True
