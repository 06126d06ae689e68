"""Role x action: every service that writes or reveals, for every role including anonymous.

Each case runs on a fresh neighbourhood (tests/integration/conftest.py): Anja's initiative
De Pan and Karim's community centre De Boog in Lombok, the Zuilen initiative (which tries to
reach De Pan's records by id: IDOR), brokers for Lombok and for Zuilen, and an administrator.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from samenspel.services import accounts, contacts, matches, organisations, posts, privacy
from samenspel.services.errors import NotAllowed
from samenspel.services.permissions import PUBLIC
from samenspel.storage.models import Match, Need, Offer, User
from tests.integration.conftest import TODAY

ACTORS = ["public", "anja", "karim", "zuilen", "sanne", "noord", "admin"]


def _need_and_offer(world, status="suggested", agreed=False) -> tuple[int, int, Match]:
    """A need of De Pan, an offer of De Boog and a match between them (returned detached,
    with its id and version loaded)."""
    with Session(world["engine"]) as session:
        need = Need(organisation_id=world["pan"], kind="venue", title="Plek om te koken", people=20)
        offer = Offer(
            organisation_id=world["boog"], kind="venue", title="Zaal met keuken", capacity=40
        )
        session.add_all([need, offer])
        session.flush()
        match = Match(
            need_id=need.id,
            offer_id=offer.id,
            score=0.8,
            status=status,
            initiative_agreed=agreed,
            partner_agreed=agreed,
        )
        session.add(match)
        session.commit()
        session.refresh(match)
        return need.id, offer.id, match


def _form(kind="goods"):
    return posts.PostForm(kind=kind, title="Stoelen en tafels")


def create_need(s, actor, w):
    posts.create_need(session=s, actor=actor, organisation_id=w["pan"], form=_form(), today=TODAY)


def create_offer(s, actor, w):
    posts.create_offer(session=s, actor=actor, organisation_id=w["boog"], form=_form(), today=TODAY)


def close_need(s, actor, w):
    need_id, _, _ = _need_and_offer(w)
    posts.close_need(session=s, actor=actor, need_id=need_id)


def update_profile(s, actor, w):
    form = organisations.ProfileForm(
        name="Buurtkeuken De Pan", neighbourhood="Lombok", lat=52.09, lon=5.10
    )
    organisations.update_profile(session=s, actor=actor, organisation_id=w["pan"], form=form)


def read_own_contact(s, actor, w):
    organisations.own_contact(session=s, actor=actor, organisation_id=w["pan"])


def introduce(s, actor, w):
    _, _, match = _need_and_offer(w)
    matches.introduce(
        session=s, actor=actor, match_id=match.id, seen_version=match.version, today=TODAY
    )


def reject(s, actor, w):
    _, _, match = _need_and_offer(w)
    matches.reject(
        session=s, actor=actor, match_id=match.id, seen_version=match.version, reason="te ver"
    )


def respond(s, actor, w):
    _, _, match = _need_and_offer(w, status="introduced")
    matches.respond(
        session=s, actor=actor, match_id=match.id, seen_version=match.version, accept=True
    )


def reveal_contact(s, actor, w):
    _, _, match = _need_and_offer(w, status="agreed", agreed=True)
    contacts.other_side_contact(session=s, actor=actor, match_id=match.id)


def offer_help(s, actor, w):
    need_id, offer_id, _ = _need_and_offer(w)
    with Session(w["engine"]) as cleanup:  # offer help on a pair the engine did not suggest
        for match in cleanup.exec(select(Match)):
            cleanup.delete(match)
        cleanup.commit()
    matches.offer_help(session=s, actor=actor, need_id=need_id, offer_id=offer_id, today=TODAY)


def export_data(s, actor, w):
    privacy.export_organisation(session=s, actor=actor, organisation_id=w["pan"])


def delete_organisation(s, actor, w):
    privacy.delete_organisation(session=s, actor=actor, organisation_id=w["pan"])


def create_user(s, actor, w):
    accounts.create_user(
        session=s,
        actor=actor,
        username="nieuw",
        role="broker",
        password="lang genoeg wachtwoord",
        areas=("Lombok",),
    )


def reset_password(s, actor, w):
    anja = s.exec(select(User).where(User.username == "anja")).one()
    accounts.set_password(
        session=s, actor=actor, user_id=anja.id, password="lang genoeg wachtwoord"
    )


# action -> who may do it (everyone else is refused with NotAllowed)
MATRIX = {
    create_need: {"anja", "sanne", "admin"},
    create_offer: {"karim", "sanne", "admin"},
    close_need: {"anja", "sanne", "admin"},
    update_profile: {"anja", "sanne", "admin"},
    read_own_contact: {"anja", "sanne", "admin"},
    introduce: {"sanne", "admin"},
    reject: {"sanne", "admin"},
    respond: {"anja", "karim"},
    reveal_contact: {"anja", "karim", "sanne", "admin"},
    offer_help: {"karim"},
    export_data: {"anja", "sanne", "admin"},
    delete_organisation: {"anja", "admin"},
    create_user: {"admin"},
    reset_password: {"anja", "admin"},
}
CASES = [(action, who) for action in MATRIX for who in ACTORS]


@pytest.mark.parametrize(("action", "who"), CASES, ids=[f"{a.__name__}-{w}" for a, w in CASES])
def test_role_action_matrix(sqlite_world, action, who):
    actor = PUBLIC if who == "public" else sqlite_world["actors"][who]
    with Session(sqlite_world["engine"]) as session:
        if who in MATRIX[action]:
            action(session, actor, sqlite_world)
        else:
            with pytest.raises(NotAllowed):
                action(session, actor, sqlite_world)


def test_refused_actions_change_nothing(sqlite_world):
    """A refused IDOR attempt leaves the record as it was."""
    need_id, _, match = _need_and_offer(sqlite_world)
    zuilen = sqlite_world["actors"]["zuilen"]
    with Session(sqlite_world["engine"]) as session:
        for attempt in (
            lambda: posts.close_need(session=session, actor=zuilen, need_id=need_id),
            lambda: matches.introduce(session=session, actor=zuilen, match_id=match.id,
                                      seen_version=match.version, today=date(2026, 11, 25)),
            lambda: privacy.delete_organisation(session=session, actor=zuilen, organisation_id=sqlite_world["pan"]),
        ):  # fmt: skip
            with pytest.raises(NotAllowed):
                attempt()
            session.rollback()
    with Session(sqlite_world["engine"]) as session:
        assert session.get(Need, need_id).status == "open"
        assert session.get(Match, match.id).status == "suggested"
        from samenspel.storage.models import Organisation

        assert session.get(Organisation, sqlite_world["pan"]).name == "Buurtkeuken De Pan"
