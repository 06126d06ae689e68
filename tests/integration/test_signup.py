"""Getting in without an administrator, on SQLite and PostgreSQL: an organisation signs up,
confirms its address by a link (once), waits for a broker of its own area, and only then logs
in; a known address or name gets the same answer; limits per client; a forgotten password is
set again through a single-use link that ends every session. The links are read from the
queued mails (OutboxMessage), as a person reads them from their mailbox."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import itsdangerous
import pytest
from sqlmodel import Session, func, select

from samenspel.services import accounts, links, notify, signup
from samenspel.services.errors import Conflict, InvalidInput, NotAllowed
from samenspel.services.permissions import PUBLIC, Actor
from samenspel.services.scope import area_scope
from samenspel.storage import db
from samenspel.storage.models import (
    AuditEvent,
    Contact,
    LoginSession,
    Notification,
    Organisation,
    OutboxMessage,
    User,
)
from samenspel.web import queries

PASSWORD = "paars fietsenrek zee"
NEW_PASSWORD = "groene kikker op de brug"
WRONG_LINK = "Deze link klopt niet. Gebruik de link uit de mail, helemaal."
USED = "Deze link is al gebruikt."
EXPIRED = "Deze link is verlopen. Vraag een nieuwe aan."


def form(**changes) -> signup.SignupForm:
    values = dict(name="Moestuin De Wortel", role="initiative", partner_type="",
                  neighbourhood="Lombok", contact_person="Fatima", email="Fatima@Wortel.example",
                  password=PASSWORD)  # fmt: skip
    return signup.SignupForm(**{**values, **changes})


def register(engine, client="ip:10.0.0.1", **changes) -> None:
    with db.unit_of_work(engine) as session:
        assert signup.register(session=session, actor=PUBLIC, form=form(**changes),
                               client=client) is None  # fmt: skip


def mails(engine, kind: str | None = None) -> list[OutboxMessage]:
    with Session(engine) as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return list(session.exec(query))


def token_in(message: OutboxMessage) -> str:
    """The token of the account link in a mail, from the plain text and the HTML alike."""
    (url,) = re.findall(r"https?://\S+/account_link\?\S+", message.body_text)
    assert f'href="{url}"' in message.body_html
    return parse_qs(urlsplit(url).query)["token"][0]


def user_by_email(engine, email: str) -> User | None:
    with Session(engine) as session:
        return session.exec(select(User).where(User.email == email)).first()


def org_named(engine, name: str) -> Organisation | None:
    with Session(engine) as session:
        return session.exec(select(Organisation).where(Organisation.name == name)).first()


def count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def confirm(engine, token: str) -> signup.Confirmed:
    with db.unit_of_work(engine) as session:
        return signup.confirm_email(session=session, actor=PUBLIC, token=token)


def decide(engine, actor: Actor, organisation_id: int, *, reason: str | None = None):
    with db.unit_of_work(engine) as session:
        if reason is None:
            return signup.approve(session=session, actor=actor, organisation_id=organisation_id)
        return signup.reject(session=session, actor=actor, organisation_id=organisation_id,
                             reason=reason)  # fmt: skip


def login(engine, username: str, password: str = PASSWORD, client: str = "ip:10.0.0.1"):
    with db.unit_of_work(engine) as session:
        user = accounts.authenticate(session=session, username=username, password=password,
                                     demo_mode=False, client=client)  # fmt: skip
        return user.id if user else None


def signed_up(engine) -> tuple[int, str]:
    """A fresh sign-up: (organisation id, the token from its confirmation mail)."""
    register(engine)
    (message,) = mails(engine, "confirm_email")
    return org_named(engine, "Moestuin De Wortel").id, token_in(message)


def test_signing_up_creates_a_waiting_organisation_its_contact_and_user_and_mails_a_link(world):
    engine = world["engine"]
    register(engine)
    org = org_named(engine, "Moestuin De Wortel")
    assert (org.approval, org.role, org.partner_type, org.neighbourhood) == (
        "pending", "initiative", "initiative", "Lombok",
    )  # fmt: skip
    assert org.lat is not None  # the centre of its neighbourhood
    user = user_by_email(engine, "fatima@wortel.example")
    assert (user.username, user.role, user.organisation_id) == ("fatima@wortel.example", "initiative", org.id)  # fmt: skip
    assert user.is_active and user.email_confirmed_at is None
    assert accounts.verify_password(user.password_hash, PASSWORD)
    with Session(engine) as session:
        contact = session.exec(select(Contact).where(Contact.organisation_id == org.id)).one()
    assert (contact.person, contact.email) == ("Fatima", "fatima@wortel.example")
    (message,) = mails(engine)
    assert (message.kind, message.to_address, message.user_id) == ("confirm_email", "fatima@wortel.example", user.id)  # fmt: skip
    assert "Moestuin De Wortel" in message.body_text and "Hallo Fatima" in message.body_text
    assert links.read_token(token_in(message), "confirm_email")["user_id"] == user.id


def test_each_wrong_field_gets_its_own_message_and_nothing_is_stored(world):
    engine = world["engine"]
    with pytest.raises(InvalidInput) as refused:
        register(engine, name=" ", role="bank", neighbourhood="Atlantis", contact_person="",
                 email="geen-adres", password="wachtwoord123")  # fmt: skip
    assert set(refused.value.field_errors) == {
        "name", "role", "neighbourhood", "contact_person", "email", "password",
    }  # fmt: skip
    assert refused.value.field_errors["email"].startswith("Dit e-mailadres klopt niet.")
    assert (count(engine, Organisation), count(engine, User), count(engine, OutboxMessage)) == (3, 7, 0)  # fmt: skip


def test_a_known_address_or_name_gets_the_same_answer_and_only_its_owner_a_mail(world):
    engine = world["engine"]
    with Session(engine) as session:
        anja = session.exec(select(User).where(User.username == "anja")).one()
        anja.email = "anja@depan.example"
        session.commit()
        anja_id = anja.id
    before = (count(engine, Organisation), count(engine, User))
    register(engine, email="ANJA@depan.example")  # returns None, like a new sign-up
    register(engine, name="buurtkeuken de pan", email="nieuw@pan.example")
    assert (count(engine, Organisation), count(engine, User)) == before
    known, taken = mails(engine)
    assert (known.kind, known.to_address, known.user_id) == ("signup_known", "anja@depan.example", anja_id)  # fmt: skip
    assert "/forgot" in known.body_text and "/login" in known.body_text
    assert (taken.kind, taken.to_address) == ("signup_name_taken", "nieuw@pan.example")
    assert "buurtkeuken de pan" in taken.body_text
    # Tried again the same day: no second mail to the same account.
    register(engine, email="anja@depan.example")
    assert len(mails(engine, "signup_known")) == 1


def test_signing_up_again_before_confirming_sends_a_fresh_link(world):
    engine = world["engine"]
    register(engine)
    register(engine)
    assert count(engine, Organisation) == 4
    first, second = mails(engine, "confirm_email")
    assert token_in(first) != token_in(second)


def test_a_client_signs_up_a_few_organisations_a_day_at_most(world):
    engine = world["engine"]
    for n in range(5):
        register(engine, name=f"Initiatief {n}", email=f"iemand{n}@example.org")
    with pytest.raises(NotAllowed, match="grens van 5 per dag"):
        register(engine, name="Initiatief 5", email="iemand5@example.org")
    assert org_named(engine, "Initiatief 5") is None
    register(engine, client="ip:10.9.9.9", name="Initiatief 5", email="iemand5@example.org")
    assert org_named(engine, "Initiatief 5") is not None


def test_a_confirmation_link_works_once(world):
    engine = world["engine"]
    _org_id, token = signed_up(engine)
    assert confirm(engine, token) == signup.Confirmed("pending", "Lombok")
    confirmed_at = user_by_email(engine, "fatima@wortel.example").email_confirmed_at
    assert confirmed_at is not None
    with pytest.raises(InvalidInput) as refused:
        confirm(engine, token)
    assert refused.value.field_errors == {"token": USED}
    assert user_by_email(engine, "fatima@wortel.example").email_confirmed_at == confirmed_at
    with Session(engine) as session:
        actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["sign_up", "confirm_email"]


def test_a_tampered_expired_or_other_purpose_link_is_refused_and_nothing_changes(
    world, monkeypatch
):
    engine = world["engine"]
    _org_id, token = signed_up(engine)
    user_id = user_by_email(engine, "fatima@wortel.example").id
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    other_purpose = links.make_token("reset_password", user_id=user_id)
    for bad, message in ((tampered, WRONG_LINK), ("", WRONG_LINK), (other_purpose, WRONG_LINK)):
        with pytest.raises(InvalidInput) as refused:
            confirm(engine, bad)
        assert refused.value.field_errors == {"token": message}
    # A link made four days ago (it works three).
    long_ago = int(time.time()) - 4 * links.DAY
    monkeypatch.setattr(itsdangerous.TimestampSigner, "get_timestamp", lambda self: long_ago)
    old = links.make_token("confirm_email", user_id=user_id)
    monkeypatch.undo()
    with pytest.raises(InvalidInput) as refused:
        confirm(engine, old)
    assert refused.value.field_errors == {"token": EXPIRED}
    with db.unit_of_work(engine, read_only=True) as session:  # the link page says the same
        with pytest.raises(InvalidInput, match="verlopen"):
            signup.link_purpose(session=session, actor=PUBLIC, token=old)
        with pytest.raises(InvalidInput, match="klopt niet"):
            signup.link_purpose(session=session, actor=PUBLIC, token=tampered)
        assert signup.link_purpose(session=session, actor=PUBLIC, token=token) == "confirm_email"
    assert user_by_email(engine, "fatima@wortel.example").email_confirmed_at is None
    assert count(engine, AuditEvent) == 1  # the sign-up only


def test_the_brokers_of_its_area_hear_of_a_confirmed_sign_up(world):
    engine = world["engine"]
    actors = world["actors"]
    _org_id, token = signed_up(engine)
    assert count(engine, Notification) == 0  # not before the address is confirmed
    confirm(engine, token)
    with Session(engine) as session:
        told = session.exec(select(Notification.user_id, Notification.kind)).all()
    assert sorted(told) == sorted(
        (actors[name].user_id, "signup_waiting") for name in ("sanne", "ahmed")
    )
    with db.unit_of_work(engine, read_only=True) as session:
        (line,) = notify.recent(session=session, actor=actors["sanne"])
    assert (line.text, line.page) == ("Nieuwe aanmelding: Moestuin De Wortel", "organisations")


def test_login_waits_for_the_confirmation_and_the_brokers_approval(world):
    engine = world["engine"]
    org_id, token = signed_up(engine)
    name = "fatima@wortel.example"
    assert login(engine, name, "een fout wachtwoord hier") is None  # says nothing more
    with pytest.raises(NotAllowed, match="^Bevestig eerst je e-mailadres: kijk in je mail.$"):
        login(engine, name)
    confirm(engine, token)
    with pytest.raises(NotAllowed, match="^Je aanmelding wacht nog op de buurtmakelaar.$"):
        login(engine, name)
    decide(engine, world["actors"]["sanne"], org_id)
    assert login(engine, "Fatima@Wortel.example") == user_by_email(engine, name).id
    (welcome,) = mails(engine, "signup_approved")
    assert welcome.to_address == name and "/login" in welcome.body_text


def test_only_a_broker_of_its_own_area_or_an_administrator_decides(world):
    engine = world["engine"]
    actors = world["actors"]
    org_id, token = signed_up(engine)
    with pytest.raises(Conflict, match="nog niet bevestigd"):
        decide(engine, actors["sanne"], org_id)  # nobody confirmed the address yet
    confirm(engine, token)
    for outsider, refusal in ((actors["noord"], "niet in jouw buurten"),
                              (actors["karim"], "mag je niet"), (PUBLIC, "Log eerst in")):  # fmt: skip
        with pytest.raises(NotAllowed, match=refusal):
            decide(engine, outsider, org_id)
    with db.unit_of_work(engine, read_only=True) as session:
        lombok = signup.signups(session=session, actor=actors["sanne"])
        zuilen = signup.signups(session=session, actor=actors["noord"])
        news = queries.broker_news(session, scope=area_scope("broker", ("Lombok",)))
    assert [(s.name, s.approval, s.confirmed, s.email) for s in lombok] == [
        ("Moestuin De Wortel", "pending", True, "fatima@wortel.example")
    ]
    assert zuilen == [] and news.signups_waiting == 1
    decide(engine, actors["ahmed"], org_id)
    # The other broker of Lombok, a moment later, hears what happened.
    with pytest.raises(Conflict, match="al goedgekeurd"):
        decide(engine, actors["sanne"], org_id, reason="Dubbel")
    assert org_named(engine, "Moestuin De Wortel").approval == "approved"
    with Session(engine) as session:
        (event,) = session.exec(select(AuditEvent).where(AuditEvent.action == "approve_signup"))
    assert (event.user_id, event.entity_id) == (actors["ahmed"].user_id, org_id)


def test_a_rejection_needs_a_reason_which_the_person_reads_and_keeps_them_out(world):
    engine = world["engine"]
    org_id, token = signed_up(engine)
    confirm(engine, token)
    with pytest.raises(InvalidInput) as refused:
        decide(engine, world["actors"]["admin"], org_id, reason="  ")
    assert set(refused.value.field_errors) == {"reason"}
    decide(engine, world["actors"]["admin"], org_id, reason="Dit is <b>geen</b> buurtinitiatief.")
    (message,) = mails(engine, "signup_rejected")
    assert "Dit is <b>geen</b> buurtinitiatief." in message.body_text
    assert "Dit is &lt;b&gt;geen&lt;/b&gt; buurtinitiatief." in message.body_html
    with pytest.raises(NotAllowed, match="niet goedgekeurd"):
        login(engine, "fatima@wortel.example")
    with pytest.raises(Conflict, match="al afgewezen"):
        decide(engine, world["actors"]["sanne"], org_id)


def request_reset(engine, email: str, client: str = "ip:10.0.0.2", now=None) -> None:
    with db.unit_of_work(engine) as session:
        signup.request_password_reset(session=session, actor=PUBLIC, email=email, client=client,
                                      now=now)  # fmt: skip


def reset(engine, token: str, password: str = NEW_PASSWORD, repeat: str | None = None) -> None:
    with db.unit_of_work(engine) as session:
        signup.reset_password(session=session, actor=PUBLIC, token=token, password=password,
                              repeat=password if repeat is None else repeat)  # fmt: skip


def karim_with_address(engine) -> int:
    with Session(engine) as session:
        karim = session.exec(select(User).where(User.username == "karim")).one()
        karim.email, karim.password_hash = "karim@deboog.example", accounts.hash_password(PASSWORD)
        session.commit()
        return karim.id


def test_a_forgotten_password_is_set_again_once_through_the_mailed_link(world):
    engine = world["engine"]
    karim = karim_with_address(engine)
    with db.unit_of_work(engine) as session:
        session_token = accounts.start_session(session=session, user_id=karim)
    request_reset(engine, "unknown@nowhere.example")  # the same answer: nothing to see
    assert mails(engine) == []
    request_reset(engine, " Karim@DeBoog.example ")
    (message,) = mails(engine, "reset_password")
    assert (message.to_address, message.user_id) == ("karim@deboog.example", karim)
    token = token_in(message)
    with db.unit_of_work(engine, read_only=True) as session:
        assert signup.link_purpose(session=session, actor=PUBLIC, token=token) == "reset_password"
    # A refused new password leaves the link unused.
    with pytest.raises(InvalidInput) as refused:
        reset(engine, token, repeat="iets anders")
    assert set(refused.value.field_errors) == {"repeat"}
    with pytest.raises(InvalidInput) as refused:
        reset(engine, token, password="wachtwoord123")
    assert set(refused.value.field_errors) == {"password"}
    reset(engine, token)
    assert login(engine, "karim", NEW_PASSWORD) == karim
    assert login(engine, "karim", PASSWORD, client="ip:10.0.0.3") is None
    with Session(engine) as session:
        before = session.exec(select(LoginSession).where(LoginSession.user_id == karim)).all()
    assert len(before) == 1 and before[0].revoked_at is not None  # logged out everywhere
    with db.unit_of_work(engine, read_only=True) as session:
        ended = accounts.check_session(session=session, token=session_token, idle_minutes=30,
                                       demo_mode=False)  # fmt: skip
    assert ended.user is None
    with pytest.raises(InvalidInput) as refused:
        reset(engine, token, password="nog een heel ander wachtwoord")
    assert refused.value.field_errors == {"token": USED}
    assert login(engine, "karim", NEW_PASSWORD) == karim


def test_an_older_reset_link_stops_working_once_the_password_changed(world):
    engine = world["engine"]
    karim = karim_with_address(engine)
    with db.unit_of_work(engine) as session:  # two links, made before the password changed
        first = links.make_token("reset_password", user_id=karim,
                                 mark=signup._password_mark(session.get(User, karim)))  # fmt: skip
    request_reset(engine, "karim@deboog.example")
    second = token_in(mails(engine, "reset_password")[0])
    reset(engine, second)
    with pytest.raises(InvalidInput, match="wachtwoord is al veranderd"):
        reset(engine, first, password="nog een heel ander wachtwoord")
    assert login(engine, "karim", NEW_PASSWORD) == karim


def test_reset_mails_are_limited_per_client_and_address_and_per_account(world):
    engine = world["engine"]
    karim_with_address(engine)
    every = signup.RESET_MAIL_EVERY_MINUTES * 60
    now = datetime.fromtimestamp((time.time() // every) * every + 1, UTC)  # early in a period
    for _ in range(3):
        request_reset(engine, "karim@deboog.example", now=now)
    with pytest.raises(NotAllowed, match="per uur"):
        request_reset(engine, "karim@deboog.example", now=now)
    # Unknown addresses are limited just the same: the refusal tells nothing either.
    for _ in range(3):
        request_reset(engine, "unknown@nowhere.example", client="ip:10.0.0.7", now=now)
    with pytest.raises(NotAllowed, match="per uur"):
        request_reset(engine, "unknown@nowhere.example", client="ip:10.0.0.7", now=now)
    # Many clients asking for one address: still one mail per few minutes to that mailbox.
    for n in range(5):
        request_reset(engine, "karim@deboog.example", client=f"ip:10.1.0.{n}", now=now)
    assert len(mails(engine, "reset_password")) == 1
    request_reset(engine, "karim@deboog.example", client="ip:10.1.1.1",
                  now=now + timedelta(seconds=every))  # fmt: skip
    assert len(mails(engine, "reset_password")) == 2
    with pytest.raises(InvalidInput, match="klopt niet"):
        request_reset(engine, "geen adres")
