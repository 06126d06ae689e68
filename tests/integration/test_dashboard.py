"""Dashboard figures from real rows."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from samenspel.services import dashboard
from samenspel.storage.models import Match, Need, Offer

TODAY = date(2026, 11, 25)


def test_dashboard_counts_partnerships_value_coverage_and_overdue(world):
    with Session(world["engine"]) as session:
        needs = [
            Need(
                organisation_id=world["pan"],
                kind="venue",
                title=f"vraag {i}",
                conditions=c,
                status=s,
            )
            for i, (c, s) in enumerate(
                [("cohesion;security", "matched"), ("inclusion", "open"), ("", "open")]
            )
        ]
        offer = Offer(organisation_id=world["boog"], kind="venue", title="zaal")
        session.add_all([*needs, offer])
        session.flush()
        session.add_all([
            Match(need_id=needs[0].id, offer_id=offer.id, status="active", tie="bridging", value_eur=900.0,
                  follow_up_on=date(2026, 11, 1)),
            Match(need_id=needs[1].id, offer_id=offer.id, status="introduced", tie="linking",
                  follow_up_on=date(2026, 12, 20)),
            Match(need_id=needs[2].id, offer_id=offer.id, status="suggested", tie="bonding"),
        ])  # fmt: skip
        session.commit()

        summary = dashboard.summary(session, TODAY)
        assert (summary.open_needs, summary.introductions, summary.partnerships) == (2, 2, 1)
        assert summary.value_eur == 900.0 and summary.conversion == 0.5
        coverage = dashboard.condition_coverage(session)
        assert coverage.loc["Lombok"].to_dict() == {
            "security": 1,
            "inclusion": 0,
            "cohesion": 1,
            "empowerment": 0,
        }
        assert dashboard.tie_mix(session).to_dict() == {"bonding": 0, "bridging": 1, "linking": 1}
        overdue = dashboard.overdue_follow_ups(session, TODAY)
        assert overdue["initiative"].tolist() == ["Buurtkeuken De Pan"] and len(overdue) == 1
        assert dashboard.open_needs_by_neighbourhood(session).loc["Lombok", "venue"] == 2
