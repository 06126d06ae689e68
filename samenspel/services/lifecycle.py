"""The life of a match in one table: its statuses, the steps between them, who may take each
step, and the word a page shows for each status.

    suggested -> introduced -> agreed -> active -> done
    (suggested -> agreed when both sides had asked for the suggestion themselves)
    exits: rejected (the broker, instead of introducing), declined (a side says no or "Past
    niet", or it did not work out), expired (a deadline passed while nobody had decided yet)

Standard library only, so that the services (samenspel/services/matches.py, which makes every
step one conditioned UPDATE), the pages and the tests all read this same table. Who someone
is for a match (one of its two sides, the area's broker) is decided by the caller; this
module only says what each of them may do.
"""

from __future__ import annotations

from enum import Enum


def N_(message: str) -> str:  # noqa: N802 - gettext's "mark now, translate where shown"
    """Marks a label for the catalogue (samenspel/catalogue.py extracts every N_("...")); the
    page translates it with t(). Defined here, not imported, to keep this module standard
    library only."""
    return message


SUGGESTED = "suggested"
INTRODUCED = "introduced"
AGREED = "agreed"
ACTIVE = "active"
DONE = "done"
REJECTED = "rejected"
DECLINED = "declined"
EXPIRED = "expired"
STATUSES = (SUGGESTED, INTRODUCED, AGREED, ACTIVE, DONE, REJECTED, DECLINED, EXPIRED)
# Nothing moves a match on from these.
FINAL = frozenset({DONE, REJECTED, DECLINED, EXPIRED})
# Both sides said yes: their contact details are visible to each other, and the need is
# matched (off the map, no new suggestions).
AGREED_ON = (AGREED, ACTIVE, DONE)

# Who takes a step.
BROKER = "broker"  # the broker of the need's neighbourhood, or an administrator
INITIATIVE = "initiative"  # the organisation that has the need
PARTNER = "partner"  # the organisation that has the offer
SYSTEM = "system"  # nobody: a deadline passed (`samenspel expire`, the app's start)
MOVERS = (BROKER, INITIATIVE, PARTNER, SYSTEM)
SIDES = frozenset({INITIATIVE, PARTNER})
_SIDES_OR_BROKER = SIDES | {BROKER}

# (from, to) -> who may take that step. A step that is not here cannot be taken by anyone.
STEPS: dict[tuple[str, str], frozenset[str]] = {
    # The broker reviews a suggestion: introduce both sides, or reject it with a reason.
    (SUGGESTED, INTRODUCED): frozenset({BROKER}),
    (SUGGESTED, REJECTED): frozenset({BROKER}),
    (SUGGESTED, EXPIRED): frozenset({SYSTEM}),
    # A side says "Past niet" to a suggestion: the pair is never suggested again. (A side's
    # "ja" is no step: the match stays suggested, marked as asked by that side, and counts as
    # its yes when the broker introduces them.)
    (SUGGESTED, DECLINED): SIDES,
    # Both sides had asked: introducing them is their agreement at once. The broker does it,
    # or nobody where the area chose "both said yes = introduced" (services/areas.py).
    (SUGGESTED, AGREED): frozenset({BROKER, SYSTEM}),
    # Each side answers for itself; the second yes makes it agreed. The broker does not
    # answer for them: after an introduction only the sides decide.
    (INTRODUCED, AGREED): SIDES,
    (INTRODUCED, DECLINED): SIDES,
    (INTRODUCED, EXPIRED): frozenset({SYSTEM}),
    # From the agreement on, either side or their broker says how it goes ("Is het gelukt?").
    # An agreed partnership does not expire: it ends as done or declined.
    (AGREED, ACTIVE): _SIDES_OR_BROKER,
    (AGREED, DECLINED): _SIDES_OR_BROKER,
    # "Ja, en het is klaar" on a partnership nobody marked as started: it ran and it is over.
    (AGREED, DONE): _SIDES_OR_BROKER,
    (ACTIVE, DONE): _SIDES_OR_BROKER,
    (ACTIVE, DECLINED): _SIDES_OR_BROKER,
}

# What a status is called on a page: one Dutch word each (the msgid; English in en.po).
LABELS = {
    SUGGESTED: N_("suggestie"),
    INTRODUCED: N_("kennismaking"),
    AGREED: N_("afgesproken"),
    ACTIVE: N_("loopt"),
    DONE: N_("klaar"),
    REJECTED: N_("afgewezen"),
    DECLINED: N_("afgeslagen"),
    EXPIRED: N_("verlopen"),
}


class Refusal(Enum):
    """Why a step cannot be taken (see `refusal`)."""

    NOT_A_STEP = "not_a_step"  # no step leads from this status to that one
    NOT_YOURS = "not_yours"  # the step exists, but not for this mover


def next_statuses(status: str) -> frozenset[str]:
    """Where a match in `status` can go (by anyone)."""
    return frozenset(to for (start, to) in STEPS if start == status)


def movers(start: str, to: str) -> frozenset[str]:
    """Who may move a match from `start` to `to` (empty: nobody, it is not a step)."""
    return STEPS.get((start, to), frozenset())


def refusal(start: str, to: str, who: str | frozenset[str] | set[str]) -> Refusal | None:
    """None when `who` (one mover, or every role the person has for this match) may move a
    match from `start` to `to`; otherwise why not."""
    allowed = STEPS.get((start, to))
    if allowed is None:
        return Refusal.NOT_A_STEP
    roles = {who} if isinstance(who, str) else set(who)
    return None if roles & allowed else Refusal.NOT_YOURS


def may(start: str, to: str, who: str | frozenset[str] | set[str]) -> bool:
    return refusal(start, to, who) is None


def label_key(status: str) -> str:
    """The Dutch word for a status (pass it through t() to show it); unknown: the status."""
    return LABELS.get(status, status)
