"""Pages that list a city's worth of rows draw one page of them, and the broker's recommended
plan is worked out only when asked for."""

from __future__ import annotations

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from samenspel import settings
from samenspel.services import suggestions
from samenspel.storage import db
from samenspel.storage.models import Match, Need, Offer, Organisation
from tests.app.conftest import log_in
from tests.conftest import APP

PARTNERSHIPS = "samenspel/web/views/partnerships.py"
REVIEW = "samenspel/web/views/review.py"


def as_broker(demo_users, path: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, demo_users["makelaar"])
    at.run()
    return at.switch_page(path).run()


def agree_many(count: int) -> int:
    """`count` more agreed partnerships between the demo city's own needs and offers; how
    many partnerships there are now."""
    with db.unit_of_work(db.engine_for(settings.database_url())) as session:
        taken = set(session.exec(select(Match.need_id, Match.offer_id)).all())
        needs = session.exec(select(Need.id)).all()
        offers = session.exec(select(Offer.id)).all()
        pairs = [(n, o) for n in needs for o in offers if (n, o) not in taken][:count]
        for need_id, offer_id in pairs:
            session.add(Match(need_id=need_id, offer_id=offer_id, status="agreed", score=0.5,
                              initiative_agreed=True, partner_agreed=True))  # fmt: skip
    with db.unit_of_work(db.engine_for(settings.database_url()), read_only=True) as session:
        statuses = ("introduced", "agreed", "active", "done")
        return len(session.exec(select(Match.id).where(Match.status.in_(statuses))).all())


def cards(at: AppTest) -> list[str]:
    return [
        block.key
        for block in at.get("flex_container")
        if str(block.key).startswith("partners_card_")
    ]


def test_partnerships_come_twenty_cards_to_a_page(demo_users):
    total = agree_many(45)
    at = as_broker(demo_users, PARTNERSHIPS)
    assert not at.exception
    assert any(c.value.startswith(f"{total} samenwerkingen") for c in at.caption)
    first = cards(at)
    assert len(first) == 20

    pages = at.number_input(key="partners_page")
    assert pages.max == -(-total // 20)
    pages.set_value(pages.max).run()
    assert not at.exception
    last = cards(at)
    assert len(last) == total - 20 * (pages.max - 1)
    assert not set(last) & set(first)


def test_the_recommended_plan_is_worked_out_only_when_asked_for(demo_users, monkeypatch):
    calls = []
    real = suggestions.recommended_plan

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(suggestions, "recommended_plan", counted)
    at = as_broker(demo_users, REVIEW)
    assert not at.exception
    assert calls == []
    assert not [c for c in at.caption if "koppels in de verdeling" in c.value]

    at.toggle(key="review_plan").set_value(True).run()
    assert not at.exception
    assert calls == [1]
    (caption,) = [c.value for c in at.caption if "koppels in de verdeling" in c.value]
    plan_rows = int(caption.split()[0])
    assert plan_rows > 0
    assert any(len(frame.value) == min(plan_rows, 100) and "Initiatief" in frame.value.columns
               for frame in at.dataframe)  # fmt: skip


MINE = "samenspel/web/views/mine.py"


def add_offers(kind: str, titles: list[str]) -> None:
    with db.unit_of_work(db.engine_for(settings.database_url())) as session:
        org = session.exec(select(Organisation).where(Organisation.lat.is_not(None))).first()
        for title in titles:
            session.add(Offer(organisation_id=org.id, kind=kind, title=title))


def test_why_not_lists_twenty_offers_and_finds_the_one_typed(demo_users):
    from samenspel.web.queries import open_offer_titles

    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, demo_users["initiatief"])
    at.run()
    at.switch_page(MINE).run()
    box = next(b for b in at.selectbox if str(b.key).startswith("mine_whynot_"))
    need_id = int(str(box.key).removeprefix("mine_whynot_"))
    with db.unit_of_work(db.engine_for(settings.database_url()), read_only=True) as session:
        kind = session.get(Need, need_id).kind
    add_offers(kind, [f"Stapelaanbod {n:02}" for n in range(30)] + ["Korting 100% op huur"])
    at.run()
    box = at.selectbox(key=f"mine_whynot_{need_id}")
    assert len(box.options) == 20
    assert any("de eerste 20 staan hier" in c.value for c in at.caption)

    at.text_input(key=f"mine_whynot_search_{need_id}").set_value("100%").run()
    assert not at.exception
    (only,) = at.selectbox(key=f"mine_whynot_{need_id}").options
    assert only.startswith("Korting 100% op huur")

    at.text_input(key=f"mine_whynot_search_{need_id}").set_value("stapelAANBOD 1").run()
    options = at.selectbox(key=f"mine_whynot_{need_id}").options
    assert len(options) == 10 and all(option.startswith("Stapelaanbod 1") for option in options)

    with db.unit_of_work(db.engine_for(settings.database_url()), read_only=True) as session:
        # % and _ typed are the characters themselves, not wildcards.
        assert open_offer_titles(session, kind, "0%")[1] == 1
        assert open_offer_titles(session, kind, "_")[1] == 0


def test_a_card_acted_on_stays_in_sight_when_its_new_status_sorts_it_onto_another_page(
    demo_users,
):
    agree_many(45)
    at = as_broker(demo_users, PARTNERSHIPS)
    starts = [b for b in at.button if str(b.key).startswith("partners_start_")]
    assert starts, "an agreed partnership on the first page"
    match_id = int(str(starts[-1].key).removeprefix("partners_start_"))
    starts[-1].click().run()  # agreed -> running: it sorts after every agreed one
    assert not at.exception
    assert f"partners_card_{match_id}" in cards(at)
    with db.unit_of_work(db.engine_for(settings.database_url()), read_only=True) as session:
        assert session.get(Match, match_id).status == "active"

    # Someone else opening the page sees the usual order: it is no longer on the first page.
    assert f"partners_card_{match_id}" not in cards(as_broker(demo_users, PARTNERSHIPS))
    at.number_input(key="partners_page").set_value(2).run()  # another page: the usual order
    assert len(cards(at)) == 20
