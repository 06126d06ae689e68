"""Retention: remove what the three retention settings say, and nothing else.

Run from cron or a systemd timer (`samenspel retention`). Each rule is a few set-based
UPDATE/DELETE statements; the run is one unit of work and writes one audit event with the
counts. The rules, precisely (docs/privacyverklaring.md says the same in plain words):

SAMENSPEL_RETENTION_CONTACT_DAYS (N): a partnership has ended when its match is done,
declined, expired or rejected; it ended at the match's `updated_at` (every status change sets
it, and nothing changes a match after such a status; this job never touches it). When that
is more than N days before `now`:
  - the match's `decision_reason` (free text typed by a broker or a side) is emptied;
  - the `detail` of the audit events about the match (`entity="match"`: reasons and
    follow-up notes) is emptied;
  - the contact reveals for the match (action "reveal_contact", detail "match <id>") lose
    their detail and their `entity_id` (whose contact it was). The row keeps `user_id` and
    `at`: someone saw a contact then, which the daily limits and the figures count;
  - the conversation of the introduction (ConversationMessage rows) is deleted.
  The match row itself stays (status, kind, value, tie), for the neighbourhood's figures.

SAMENSPEL_RETENTION_AUDIT_DAYS (N): audit events with `at` more than N days before `now`
lose their `detail`; who did what to which record, and when, stays.

SAMENSPEL_RETENTION_EXPIRED_POST_DAYS (N): a need or offer is gone when
  - it is closed and was last changed (`updated_at`, set on closing) more than N days ago;
  - or it expired: its deadline lies more than N days before today (`deadline < today - N`;
    expiring a need does not set `updated_at`, so the deadline is the moment it expired).
    For needs: status open, paused or expired (a matched need is not expired); for offers:
    open or paused (an offer has no "expired" status: its deadline decides);
  - or it is a need with status expired and no deadline, last changed more than N days ago.
  Its suggestions that never became anything (suggested, introduced, expired) are deleted.
  The matches that were decided (agreed, active, done, declined, rejected) stay: they are
  the neighbourhood's figures (the dashboard counts declined among introductions, rejected
  among the broker's decisions per month). A post that still has such a match is kept as an
  anonymous stub, the same way deleting an organisation does it
  (`privacy.anonymise_posts`: a match needs its need row); a post without any is deleted.
  The audit trail about gone posts and deleted suggestions loses its detail.

Sentence vectors (text_embedding, matching/semantic.py) are derived from need and offer
texts: a vector whose text no longer belongs to any need or offer (changed, anonymised or
deleted) is deleted, whatever its age.

The steps run in this order: contact, posts, audit, vectors. Each count is the rows that step changed,
so a second run right after the first counts zero everywhere.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, and_, cast, delete, exists, literal, or_, update
from sqlmodel import Session, col, select

from samenspel import settings
from samenspel.matching.semantic import text_key
from samenspel.services.audit import record
from samenspel.services.embeddings import current_texts
from samenspel.services.privacy import anonymise_posts
from samenspel.storage.models import (
    AuditEvent,
    ConversationMessage,
    Match,
    Need,
    Offer,
    TextEmbedding,
    utcnow,
)

ENDED = ("done", "declined", "expired", "rejected")
NEVER_DECIDED = ("suggested", "introduced", "expired")  # deleted with their need or offer
REVEAL_DETAIL = "match "  # services/contacts.py writes "match <id>" for every reveal
UNSYNCED = {"synchronize_session": False}  # plain SQL; the session's objects are not used


@dataclass(frozen=True)
class RetentionReport:
    dry_run: bool
    contact_days: int
    audit_days: int
    expired_post_days: int
    match_reasons_removed: int  # ended matches whose decision reason was emptied
    match_notes_removed: int  # audit events about ended matches whose detail was emptied
    contact_reveals_unlinked: int  # reveal events of ended matches: detail and whose, gone
    conversation_messages_deleted: int  # the conversations of ended introductions
    audit_details_removed: int  # old audit events whose detail was emptied
    suggestions_deleted: int  # never-decided matches of gone needs and offers
    needs_deleted: int
    offers_deleted: int
    needs_anonymised: int  # gone needs kept as a stub for their decided matches
    offers_anonymised: int
    vectors_deleted: int = 0  # sentence vectors of texts no need or offer has any more

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if k != "dry_run" and not k.endswith("_days")}

    def as_dict(self) -> dict:
        return asdict(self)


def apply_retention(
    *, session: Session, now: datetime | None = None, dry_run: bool = False
) -> RetentionReport:
    """Apply the three retention periods as of `now` (default: this moment, UTC), in the
    caller's unit of work, with one audit event "retention". With `dry_run` the same
    statements run in a savepoint that is rolled back: the counts are exactly what a real run
    would change, and nothing changes (no audit event either), whatever else the unit of work
    holds."""
    now = now or utcnow()
    if now.tzinfo is None:  # the database keeps UTC; a naive moment is taken as UTC
        now = now.replace(tzinfo=UTC)
    days = {kind: settings.retention_days(kind) for kind in ("contact", "audit", "expired_post")}
    trial = session.begin_nested() if dry_run else None
    contact = _contact(session, now - timedelta(days=days["contact"]))
    posts = _expired_posts(session, now, days["expired_post"])
    audit = _audit(session, now - timedelta(days=days["audit"]))
    session.flush()
    vectors = _orphan_vectors(session)
    report = RetentionReport(
        dry_run=dry_run,
        contact_days=days["contact"],
        audit_days=days["audit"],
        expired_post_days=days["expired_post"],
        **contact,
        **posts,
        audit_details_removed=audit,
        vectors_deleted=vectors,
    )
    if trial is not None:
        trial.rollback()
        return report
    record(
        session,
        user_id=None,
        action="retention",
        entity="database",
        entity_id=None,
        detail=", ".join(f"{name}={count}" for name, count in report.counts().items()),
    )
    return report


def _run(session: Session, statement) -> int:
    return session.execute(statement.execution_options(**UNSYNCED)).rowcount


def _contact(session: Session, cutoff: datetime) -> dict[str, int]:
    ended = col(Match.status).in_(ENDED) & (Match.updated_at < cutoff)
    ended_ids = select(Match.id).where(ended)
    reasons = _run(
        session, update(Match).where(ended, Match.decision_reason != "").values(decision_reason="")
    )
    notes = _run(
        session,
        update(AuditEvent)
        .where(
            AuditEvent.entity == "match",
            col(AuditEvent.entity_id).in_(ended_ids),
            AuditEvent.detail != "",
        )
        .values(detail=""),
    )
    # The reveal names the match only in its detail: compare with "match <id>" in SQL.
    reveal_details = select(literal(REVEAL_DETAIL) + cast(Match.id, String)).where(ended)
    reveals = _run(
        session,
        update(AuditEvent)
        .where(AuditEvent.action == "reveal_contact", col(AuditEvent.detail).in_(reveal_details))
        .values(detail="", entity_id=None),
    )
    messages = _run(
        session, delete(ConversationMessage).where(col(ConversationMessage.match_id).in_(ended_ids))
    )
    return {
        "match_reasons_removed": reasons,
        "match_notes_removed": notes,
        "contact_reveals_unlinked": reveals,
        "conversation_messages_deleted": messages,
    }


def _expired_posts(session: Session, now: datetime, days: int) -> dict[str, int]:
    cutoff = now - timedelta(days=days)
    last_valid_day = now.date() - timedelta(days=days)  # deadline before this: gone
    need_gone = or_(
        and_(Need.status == "closed", Need.updated_at < cutoff),
        and_(
            col(Need.status).in_(("open", "paused", "expired")), col(Need.deadline) < last_valid_day
        ),
        and_(Need.status == "expired", col(Need.deadline).is_(None), Need.updated_at < cutoff),
    )
    offer_gone = or_(
        and_(Offer.status == "closed", Offer.updated_at < cutoff),
        and_(col(Offer.status).in_(("open", "paused")), col(Offer.deadline) < last_valid_day),
    )
    gone_needs = select(Need.id).where(need_gone)
    gone_offers = select(Offer.id).where(offer_gone)
    undecided = col(Match.status).in_(NEVER_DECIDED) & (
        col(Match.need_id).in_(gone_needs) | col(Match.offer_id).in_(gone_offers)
    )
    # Their words in the trail go first: the statements below change which rows match.
    for entity, ids in (
        ("match", select(Match.id).where(undecided)),
        ("need", gone_needs),
        ("offer", gone_offers),
    ):
        _run(
            session,
            update(AuditEvent)
            .where(
                AuditEvent.entity == entity,
                col(AuditEvent.entity_id).in_(ids),
                AuditEvent.detail != "",
            )
            .values(detail=""),
        )
    # An introduction that never became anything may have a conversation: it goes with it.
    _run(
        session,
        delete(ConversationMessage).where(
            col(ConversationMessage.match_id).in_(select(Match.id).where(undecided))
        ),
    )
    suggestions = _run(session, delete(Match).where(undecided))
    need_kept = exists().where(Match.need_id == Need.id)
    offer_kept = exists().where(Match.offer_id == Offer.id)
    needs_anonymised, offers_anonymised = anonymise_posts(
        session,
        need_ids=select(Need.id).where(need_gone, need_kept),
        offer_ids=select(Offer.id).where(offer_gone, offer_kept),
    )
    # Stubs are closed now but keep their `updated_at`, so they may still count as gone:
    # the NOT EXISTS keeps every post that a match points at.
    needs = _run(session, delete(Need).where(need_gone, ~need_kept))
    offers = _run(session, delete(Offer).where(offer_gone, ~offer_kept))
    return {
        "suggestions_deleted": suggestions,
        "needs_deleted": needs,
        "offers_deleted": offers,
        "needs_anonymised": needs_anonymised,
        "offers_anonymised": offers_anonymised,
    }


def _audit(session: Session, cutoff: datetime) -> int:
    return _run(
        session,
        update(AuditEvent).where(AuditEvent.at < cutoff, AuditEvent.detail != "").values(detail=""),
    )


VECTOR_CHUNK = 500  # keys per DELETE ... IN (...)


def _orphan_vectors(session: Session) -> int:
    """Delete the sentence vectors whose text is no need's or offer's text any more. The key
    is a hash of model and text, so the live keys are computed for every model stored."""
    texts = current_texts(session)
    stored = session.exec(select(TextEmbedding.key, TextEmbedding.model)).all()
    live = {text_key(model, text) for model in {m for _, m in stored} for text in texts}
    orphans = [key for key, _ in stored if key not in live]
    for start in range(0, len(orphans), VECTOR_CHUNK):
        chunk = orphans[start : start + VECTOR_CHUNK]
        _run(session, delete(TextEmbedding).where(col(TextEmbedding.key).in_(chunk)))
    return len(orphans)
