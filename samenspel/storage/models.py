"""All database tables of Samenspel, in one place (docs/design.md, "Domain model").

Multi-valued fields (themes, conditions, slots, legal forms, areas) are stored as `;`-separated
text, as the CSV exchange format reads them (services/records.py maps every field between a
row, the format and the engine).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint, false, text, true
from sqlmodel import Field, SQLModel

# The domain's values come from the engine, so engine, models, services and pages agree.
from samenspel.matching.types import (  # noqa: F401 (re-exported)
    KINDS,
    LEGAL_FORMS,
    NEED_STATUSES,
    OFFER_STATUSES,
    PARTNER_TYPES,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


ROLES = ("initiative", "partner", "broker", "admin")
MATCH_STATUSES = (
    "suggested",
    "introduced",
    "agreed",
    "active",
    "done",
    "rejected",
    "declined",
    "expired",
)


class OrganisationBase(SQLModel):
    name: str = Field(index=True, max_length=200)
    role: str = Field(default="initiative", max_length=20)  # initiative | partner
    partner_type: str = Field(default="initiative", max_length=30)
    description: str = Field(default="", max_length=2000)
    boundaries: str = Field(default="", max_length=2000)
    legal_form: str = Field(default="informal", max_length=20)
    anbi: bool = False
    neighbourhood: str = Field(default="", max_length=100)
    municipality: str = Field(default="", max_length=100)
    address: str = Field(default="", max_length=200)
    postcode: str = Field(default="", max_length=10)
    lat: float | None = None
    lon: float | None = None
    conditions: str = Field(default="", max_length=200)
    themes: str = Field(default="", max_length=500)


class Organisation(OrganisationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, index=True, unique=True, max_length=64)
    # An organisation that signed up itself waits until a broker of its area approves it
    # (pending | approved | rejected); every earlier one is approved (migration 0012).
    approval: str = Field(
        default="approved", max_length=20, sa_column_kwargs={"server_default": "approved"}
    )
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Contact(SQLModel, table=True):
    """The organisation's "vast gezicht". Its own table so that it is never read by accident:
    only the contact services reveal it, and every reveal is audited."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", unique=True, index=True)
    person: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=50)


class PostBase(SQLModel):
    """What a need and an offer both have: the kind of help, the text, when and where."""

    kind: str = Field(index=True, max_length=20)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    themes: str = Field(default="", max_length=500)
    conditions: str = Field(default="", max_length=200)
    hours_per_week: float | None = None
    skills: str = Field(default="", max_length=500)
    slots: str = Field(default="", max_length=200)
    place: str = Field(default="", max_length=200)
    lat: float | None = None
    lon: float | None = None
    deadline: date | None = None


class PostRecord(SQLModel):
    """The stored side of a need or an offer: its ids, owner, status and times."""

    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, index=True, unique=True, max_length=64)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    status: str = Field(default="open", index=True, max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class NeedBase(PostBase):
    people: int | None = None
    amount_eur: float | None = None
    needs_kitchen: bool = False
    needs_step_free: bool = False
    start_date: date | None = None
    max_distance_km: float | None = None


class Need(NeedBase, PostRecord, table=True):
    pass


class OfferBase(PostBase):
    capacity: int | None = None
    amount_min_eur: float | None = None
    amount_max_eur: float | None = None
    has_kitchen: bool = False
    step_free: bool = False
    radius_km: float | None = None
    eligible_legal_forms: str = Field(default="", max_length=100)


class Offer(OfferBase, PostRecord, table=True):
    pass


class FundBase(SQLModel):
    key: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(max_length=200)
    source_type: str = Field(
        default="fund", max_length=20
    )  # fund|municipal|crowdfunding|business|referral
    region_scope: str = Field(default="national", max_length=20)
    regions: str = Field(default="", max_length=1000)
    themes: str = Field(default="", max_length=500)
    amount_min_eur: float | None = None
    amount_max_eur: float | None = None
    matchfunding_ratio: float | None = None
    matchfunding_cap_eur: float | None = None
    eligible_legal_forms: str = Field(default="", max_length=100)
    anbi_required: bool = False
    lead_time_weeks: float | None = None
    rounds: str = Field(default="", max_length=200)
    decision_weeks: float | None = None
    via_intermediary: bool = False
    referral_only: bool = False
    url: str = Field(default="", max_length=300)
    notes: str = Field(default="", max_length=1000)
    checked_on: date | None = None
    uncertain: bool = False


class Fund(FundBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class Match(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("need_id", "offer_id", name="uq_match_need_offer"),
        # The broker's review queue: suggestions by status, best score first (migration 0002).
        Index("ix_match_status_score", "status", "score"),
        # The queue puts people first: asked by both sides, then by one, then by score
        # (migration 0010; web/queries/review.py orders by exactly these columns).
        Index("ix_match_status_asked_score", "status", "asked_sides", "score"),
    )

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    offer_id: int | None = Field(default=None, foreign_key="offer.id", index=True)
    fund_id: int | None = Field(default=None, foreign_key="fund.id", index=True)
    score: float = 0.0
    components: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Codes with parameters, [{"code": ..., "params": {...}}] (matching/reasons.py `to_data`),
    # written out in the reader's language when shown (`render_stored`); migration 0008.
    reasons: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tie: str = Field(default="bridging", max_length=10)  # bonding | bridging | linking
    # engine: suggested by the matching engine (refreshed when the need or offer changes);
    # partner: a partner offered help itself (never replaced by a refresh). The server
    # default filled the rows that existed when the column came (migration 0003); it stays,
    # so a row written without the ORM agrees.
    origin: str = Field(
        default="engine", max_length=10, sa_column_kwargs={"server_default": "engine"}
    )
    status: str = Field(default="suggested", index=True, max_length=20)
    initiative_agreed: bool = False
    partner_agreed: bool = False
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    # A side asked for this suggestion itself (the initiative's "Ja, hier willen we mee
    # kennismaken", the partner's "Ik kan helpen"): who and when; asked_sides counts them
    # (0, 1 or 2) so the review queue can order on it with an index (migration 0010).
    initiative_asked_at: datetime | None = None
    initiative_asked_by_id: int | None = Field(default=None, foreign_key="user.id")
    partner_asked_at: datetime | None = None
    partner_asked_by_id: int | None = Field(default=None, foreign_key="user.id")
    asked_sides: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # A side said "Past niet" to the suggestion (status declined, reason kept): when, and
    # which side ("initiative" or "partner"; migration 0011).
    passed_at: datetime | None = None
    passed_side: str = Field(
        default="", max_length=10, sa_column_kwargs={"server_default": text("''")}
    )
    # Both sides asked, and the area's setting introduced them without the broker, who is told
    # and can still step in (migration 0011).
    auto_introduced: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # Wederkerigheid: what each side brings in return, in its own words (migration 0011).
    initiative_brings: str = Field(
        default="", max_length=500, sa_column_kwargs={"server_default": text("''")}
    )
    partner_brings: str = Field(
        default="", max_length=500, sa_column_kwargs={"server_default": text("''")}
    )
    decision_reason: str = Field(default="", max_length=1000)
    follow_up_on: date | None = None
    value_eur: float | None = None
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=100)
    display_name: str = Field(default="", max_length=200)
    password_hash: str = Field(default="", max_length=300)
    role: str = Field(default="initiative", max_length=20)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    areas: str = Field(default="", max_length=1000)  # neighbourhoods a broker covers
    language: str = Field(default="nl", max_length=5)
    is_demo: bool = False
    # An administrator disables an account (its history stays); every rerun checks this.
    # Its server default made every existing account active in migration 0005.
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    # Unused since migration 0005: a per-account lock let strangers lock anyone out, so
    # failed logins are throttled per client instead (services/limits.py).
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # Where mail for this person goes ("" = in the app only), and since when the address is
    # confirmed by a link sent to it (migration 0012).
    email: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": text("''")})
    email_confirmed_at: datetime | None = None
    # The private calendar feed: the hash of its secret (the URL holds the secret itself), so
    # a copy of the database opens no feed; renewing it makes the old URL stop (migration 0013).
    calendar_token_hash: str | None = Field(default=None, max_length=64, index=True, unique=True)


class ConversationMessage(SQLModel, table=True):
    """One message in the conversation of an introduction, between its two sides and their
    broker (migration 0013). Text only, shown as text; no contact details needed to talk."""

    id: int | None = Field(default=None, primary_key=True)
    match_id: int = Field(foreign_key="match.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    body: str = Field(max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    # Either side may report a message to the broker, who sees it marked.
    reported_at: datetime | None = None
    reported_by_id: int | None = Field(default=None, foreign_key="user.id")


class OutboxMessage(SQLModel, table=True):
    """A mail to send, written in the same transaction as the event that causes it: nothing is
    lost while the mail server is down, and nothing is sent for a change that rolled back. The
    worker (services/mail_worker.py) claims due rows, sends them and marks them (migration 0012)."""

    __table_args__ = (Index("ix_outboxmessage_status_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # One message per cause: a second enqueue of the same key is ignored, and a worker that
    # died after sending but before marking is recognised by it (the SMTP Message-ID).
    idempotency_key: str = Field(unique=True, max_length=200)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    to_address: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    language: str = Field(default="nl", max_length=5)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str = Field(sa_column=Column(Text, nullable=False))
    # [{"filename": ..., "content_type": "text/calendar", "text": ...}]
    attachments: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # pending | sent | failed | logged (no SMTP server set: only logged, never sent)
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    # A worker holds a claimed row until then; one that died lets it go when it passes.
    claimed_until: datetime | None = None
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class Notification(SQLModel, table=True):
    """Something new for one person (a suggestion, an answer, a follow-up due), shown in the app
    and mailed at once or in a digest, as the person chose (NotificationSetting)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=40)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    match_id: int | None = Field(default=None, foreign_key="match.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    mailed_at: datetime | None = None  # in a direct mail or a digest
    read_at: datetime | None = None


class NotificationSetting(SQLModel, table=True):
    """How often one person hears about one kind of news by mail. No row: the kind's default."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    kind: str = Field(primary_key=True, max_length=40)
    frequency: str = Field(max_length=10)  # direct | daily | weekly | never


class UsedLink(SQLModel, table=True):
    """A single-use link (confirm an address, reset a password, answer a follow-up) that has
    been used: the signed token's id, so it works once only."""

    token_id: str = Field(primary_key=True, max_length=64)
    used_at: datetime = Field(default_factory=utcnow)


class AreaSetting(SQLModel, table=True):
    """How a neighbourhood's brokers want to work (migration 0011). No row: the defaults."""

    area: str = Field(primary_key=True, max_length=100)
    # Both sides asked for a suggestion: introduce them at once (the broker is told and can
    # still step in) instead of waiting for the broker. Default: the broker introduces.
    auto_introduce: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)


class LoginSession(SQLModel, table=True):
    """A login. The browser holds a random token (in a cookie); the database only its hash,
    so a copy of the database opens no session. Every rerun and service call checks it."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None


class SetupToken(SQLModel, table=True):
    """A one-time code for creating the first administrator, shown only on the server (its
    log, `samenspel setup-token`): whoever holds it runs the server. Stored hashed."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class SetupGuard(SQLModel, table=True):
    """One row with id 1, inserted in the same transaction as the first administrator: the
    primary key lets exactly one of two simultaneous setups commit."""

    # Always given (1), never numbered by the database: migration 0005 made a plain integer.
    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class RateEvent(SQLModel, table=True):
    """One counted attempt (a failed login, a post, a contact reveal) of a client, for limits
    per client. Client and subject are stored as hashes: an IP address is personal data."""

    __table_args__ = (Index("ix_rateevent_action_client_at", "action", "client", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    action: str = Field(max_length=30)
    client: str = Field(max_length=64)
    subject: str = Field(default="", max_length=64)


class AuditEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    action: str = Field(max_length=50)
    entity: str = Field(max_length=30)
    entity_id: int | None = None
    detail: str = Field(default="", max_length=2000)


class DataVersion(SQLModel, table=True):
    """How often each table has changed: bumped in the transaction that changed it
    (storage/versions.py), and part of the key of every cached page read of that table
    (web/cache.py), so a write on any app instance reaches every instance's cache."""

    __tablename__ = "data_version"

    name: str = Field(primary_key=True, max_length=64)  # a table's name
    version: int = 0


class TextEmbedding(SQLModel, table=True):
    """The sentence vector of one exact text under one model (matching/semantic.py): computed
    once when a need or offer is written, read on every suggestion run after that."""

    __tablename__ = "text_embedding"

    key: str = Field(primary_key=True, max_length=64)  # sha256 of model and text
    model: str = Field(max_length=100, index=True)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # float32, little-endian
    created_at: datetime = Field(default_factory=utcnow)


class SuggestionJob(SQLModel, table=True):
    """A need or offer whose suggestions are to be worked out again: queued by the write that
    changed it, in that write's transaction, and done after it committed, by the app's
    background thread or the worker (services/suggestion_jobs.py; migration 0016)."""

    __tablename__ = "suggestion_job"

    id: int | None = Field(default=None, primary_key=True)
    # One of the two. No foreign key: a post deleted meanwhile leaves a job that is skipped.
    need_id: int | None = Field(default=None, index=True)
    offer_id: int | None = Field(default=None, index=True)
    queued_at: datetime = Field(default_factory=utcnow)
    # A runner holds a claimed job until then; one that died lets it go when it passes.
    claimed_until: datetime | None = None


class Matchmarkt(SQLModel, table=True):
    """A matchmarkt (beursvloer): an evening of 1:1 talks at tables in rounds, where
    organisations close deals in kind (docs/matchmarkt.md; migration 0015)."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    held_on: date
    starts_at: str = Field(default="19:00", max_length=5)  # HH:MM, local time
    place: str = Field(default="", max_length=200)
    rounds: int = 4
    round_minutes: int = 15
    tables: int = 10
    # The neighbourhoods whose organisations are invited (`;`-separated, as everywhere).
    areas: str = Field(default="", max_length=1000)
    # The last plan's figures, and the greedy plan's next to them (matchmarkt.Plan.summary).
    plan_summary: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    planned_at: datetime | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class MatchmarktCrew(SQLModel, table=True):
    """Who runs the day besides the area's brokers: matchmakers record deals, a notaris
    confirms them. Any signed-in person can be asked (a volunteer, a partner's employee)."""

    __tablename__ = "matchmarkt_crew"

    matchmarkt_id: int = Field(foreign_key="matchmarkt.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    role: str = Field(primary_key=True, max_length=20)  # matchmaker | notaris


class MatchmarktParty(SQLModel, table=True):
    """An organisation at a matchmarkt: invited, then registered with the needs it seeks and
    the offers it brings (its own open posts), or declined."""

    __tablename__ = "matchmarkt_party"
    __table_args__ = (UniqueConstraint("matchmarkt_id", "organisation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    matchmarkt_id: int = Field(foreign_key="matchmarkt.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    status: str = Field(default="invited", max_length=20)  # invited | registered | declined
    need_ids: str = Field(default="", max_length=1000)  # `;`-separated ids of its own needs
    offer_ids: str = Field(default="", max_length=1000)
    note: str = Field(default="", max_length=500)  # what they seek and bring, in their words
    registered_at: datetime | None = None
    registered_by_id: int | None = Field(default=None, foreign_key="user.id")


class MatchmarktWish(SQLModel, table=True):
    """A party asks for a talk with another party, or declines one, before the day."""

    __tablename__ = "matchmarkt_wish"

    matchmarkt_id: int = Field(foreign_key="matchmarkt.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    other_id: int = Field(foreign_key="organisation.id", primary_key=True)
    wish: str = Field(max_length=10)  # ask | decline


class MatchmarktTalk(SQLModel, table=True):
    """One planned talk: a need and an offer at one table in one round. A locked talk stays
    where the broker put it when the plan is made again."""

    __tablename__ = "matchmarkt_talk"
    __table_args__ = (UniqueConstraint("matchmarkt_id", "round", "table_no"),)

    id: int | None = Field(default=None, primary_key=True)
    matchmarkt_id: int = Field(foreign_key="matchmarkt.id", index=True)
    round: int
    table_no: int
    need_id: int = Field(foreign_key="need.id")
    offer_id: int = Field(foreign_key="offer.id")
    score: float = 0.0
    reasons: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    locked: bool = False


class MatchmarktDeal(SQLModel, table=True):
    """A deal made on the day: who (a need and an offer), what, the tegenprestatie and by
    when. A matchmaker records it; the notaris confirms it, which makes it an agreed
    partnership (match_id) with both sides' contacts shared."""

    __tablename__ = "matchmarkt_deal"

    id: int | None = Field(default=None, primary_key=True)
    matchmarkt_id: int = Field(foreign_key="matchmarkt.id", index=True)
    need_id: int = Field(foreign_key="need.id")
    offer_id: int = Field(foreign_key="offer.id")
    what: str = Field(max_length=500)
    in_return: str = Field(default="", max_length=500)  # the tegenprestatie
    due_on: date
    corner: str = Field(max_length=20)  # hands | knowledge | means
    value_eur: float | None = None
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow)
    confirmed_by_id: int | None = Field(default=None, foreign_key="user.id")
    confirmed_at: datetime | None = None
    match_id: int | None = Field(default=None, foreign_key="match.id")


def split_multi(value: str | None) -> list[str]:
    """`"a; b;;c"` -> `["a", "b", "c"]`: the exchange format's multi-valued cell."""
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def join_multi(values) -> str:
    return ";".join(v for v in values if v)


def sha256_hex(text: str) -> str:
    """How tokens, client keys and typed names are stored: never as they came in."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
