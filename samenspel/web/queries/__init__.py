"""Reads for pages: plain DataFrames and dataclasses, never ORM objects (so pages may cache
them, web/cache.py). One module per page or concern; callers use `queries.<function>`.

Which areas a read covers is always an explicit scope (services/scope.py), the same value the
permission checks use: NO_AREAS is nowhere, never "no filter".
"""

from samenspel.web.queries.admin import neighbourhoods, organisations, users
from samenspel.web.queries.follow_up import partnerships
from samenspel.web.queries.funding import money_needs
from samenspel.web.queries.map import (
    POINT_COLUMNS,
    PointCard,
    areas_of,
    counts_per_kind,
    filter_points,
    lines_of,
    map_points,
    partnership_lines,
    point_card,
)
from samenspel.web.queries.match_rows import MATCH_COLUMNS
from samenspel.web.queries.news import BrokerNews, SideNews, broker_news, side_news
from samenspel.web.queries.own import (
    matches_of_organisation,
    organisation_location,
    own_open_offers,
    own_posts,
    searching,
    searching_stalled,
)
from samenspel.web.queries.posting import (
    SIMILAR_CUTOFF,
    SIMILAR_WITHIN_KM,
    open_offer_titles,
    similar_posts,
)
from samenspel.web.queries.review import ASKED_GROUPS, asked_waiting, review_queue

__all__ = [
    "MATCH_COLUMNS",
    "BrokerNews",
    "SideNews",
    "broker_news",
    "side_news",
    "POINT_COLUMNS",
    "SIMILAR_CUTOFF",
    "SIMILAR_WITHIN_KM",
    "PointCard",
    "areas_of",
    "counts_per_kind",
    "filter_points",
    "lines_of",
    "map_points",
    "matches_of_organisation",
    "money_needs",
    "neighbourhoods",
    "open_offer_titles",
    "organisation_location",
    "organisations",
    "own_open_offers",
    "own_posts",
    "partnership_lines",
    "partnerships",
    "point_card",
    "review_queue",
    "asked_waiting",
    "ASKED_GROUPS",
    "searching",
    "searching_stalled",
    "similar_posts",
    "users",
]
