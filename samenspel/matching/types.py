"""Plain dataclasses that go into and come out of the engine: no ORM objects cross this line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from samenspel.matching.reasons import Reason
from samenspel.matching.slots import Slot

KINDS = ("venue", "volunteers", "money", "art", "goods", "expertise")
LEGAL_FORMS = ("informal", "association", "foundation", "company", "public")
PARTNER_TYPES = (
    "business",
    "art_collective",
    "venue",
    "welfare",
    "municipality",
    "fund",
    "crowdfunding",
    "education",
    "housing",
    "initiative",
    "volunteers",
    "intermediary",  # a vrijwilligerscentrale or matching platform: it finds people for others
)
NEED_STATUSES = ("open", "paused", "matched", "closed", "expired")
OFFER_STATUSES = ("open", "paused", "closed")
# Kinds of entry in the fund catalogue, and how far a fund reaches.
SOURCE_TYPES = ("fund", "municipal", "crowdfunding", "business", "referral")
REGION_SCOPES = ("national", "province", "municipality")
# Institutions of the systeemwereld: a match with them is "linking" (docs/glossary.md: bonding,
# bridging, linking).
LINKING_TYPES = frozenset({"municipality", "welfare", "fund", "education", "housing"})


@dataclass(frozen=True)
class PostIn:
    """What the engine reads of a need and of an offer alike."""

    id: str
    kind: str
    title: str
    description: str = ""
    themes: tuple[str, ...] = ()
    place: str = ""
    lat: float | None = None
    lon: float | None = None
    slots: frozenset[Slot] = frozenset()
    deadline: date | None = None

    @property
    def text(self) -> str:
        return " ".join([self.title, self.description, " ".join(self.themes)])


@dataclass(frozen=True)
class NeedIn(PostIn):
    initiative: str = ""
    legal_form: str = "informal"
    people: int | None = None
    amount_eur: float | None = None
    max_distance_km: float | None = None
    needs_kitchen: bool = False
    needs_step_free: bool = False
    # Fairness: small and new initiatives must not be crowded out ("kneuterigheid").
    is_new: bool = False


@dataclass(frozen=True)
class OfferIn(PostIn):
    partner: str = ""
    partner_type: str = "business"
    capacity: int | None = None
    amount_min_eur: float | None = None
    amount_max_eur: float | None = None
    radius_km: float | None = None
    eligible_legal_forms: frozenset[str] = frozenset()
    has_kitchen: bool | None = None
    step_free: bool | None = None
    # How many partnerships this offer already has running elsewhere.
    load: int = 0


@dataclass(frozen=True)
class Exclusion:
    """Why a pair is never suggested: a code for programs, and a reason that
    matching.reasons.render writes out for people in their language."""

    code: str
    reason: Reason


@dataclass
class Suggestion:
    need_id: str
    offer_id: str
    score: float
    components: dict[str, float]
    reasons: list[Reason]  # codes with parameters; matching.reasons.render writes them out
    tie: str  # bonding | bridging | linking
    distance_km: float | None = None


@dataclass
class NeedSuggestions:
    need_id: str
    suggestions: list[Suggestion] = field(default_factory=list)
