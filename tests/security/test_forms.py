"""The post and profile forms in AppTest: payloads typed into text fields are stored as data
and shown back as data. Nothing Streamlit renders as markdown (messages, captions, labels)
may hold a payload with its markdown, LaTeX or directive characters unescaped."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from samenspel.storage import db
from samenspel.storage.models import Contact, Need, Organisation, User
from samenspel.web.ui import plain
from tests.app.conftest import log_in
from tests.conftest import APP
from tests.security.payloads import PAYLOADS, same_text, short, summary

# Characters that mean something to Streamlit's markdown (with LaTeX and its directives).
MARKDOWN = set("\\`*_{}[]()<>#+-.!|~$:")
MARKDOWN_KINDS = ("markdown", "caption", "title", "header", "subheader", "info", "success",
                  "warning", "error", "exception")  # fmt: skip
TITLE_FITS = [p for p in PAYLOADS if len(p.text) <= 200]


def open_page(user_id: int, path: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    log_in(at, user_id)
    at.run()
    return at.switch_page(path).run()


def rendered_markdown(at: AppTest) -> list[str]:
    """Every value Streamlit renders as markdown: where an unescaped payload would be live."""
    values = [str(e.value) for kind in MARKDOWN_KINDS for e in at.get(kind)]
    values += [str(e.label) for kind in ("expander", "tab", "metric") for e in at.get(kind)]
    return values


def unescaped(value: str) -> str:
    """What a reader sees of markdown that `ui.plain` escaped: the backslashes gone."""
    return re.sub(r"\\(.)", r"\1", value)


def live_markdown(at: AppTest, text: str) -> list[str]:
    """Rendered markdown values that hold this payload raw (it has markdown characters)."""
    if not MARKDOWN & set(text) or len(text) < 3:
        return []
    escaped = plain(text)  # the one safe way for it to be there
    return [v for v in rendered_markdown(at) if text in v.replace(escaped, "")]


def stored_need(title_like: str) -> Need | None:
    with Session(db.engine_for(db.settings.database_url())) as session:
        needs = session.exec(select(Need).order_by(Need.id.desc())).all()
    return next((n for n in needs if same_text(n.title, title_like)), None)


def test_post_form_stores_and_shows_every_payload_as_data(demo_users):
    # As the broker, who may post for an initiative many times a day (paper intake).
    at = open_page(demo_users["makelaar"], "samenspel/web/views/post.py")
    at.selectbox(key="post_kind").set_value("goods").run()
    tried = stored = live = crashed = 0
    problems = []
    for payload in TITLE_FITS:
        tried += 1
        at.text_input(key="post_title").input(payload.text)
        at.text_area(key="post_description").input(payload.text)
        at.text_input(key="post_themes").input(payload.text)
        at.button(key="post_submit").click().run()
        if at.exception:
            crashed += 1
            problems.append(f"{payload}: {at.exception[0].value[:200]}")
            at = open_page(demo_users["makelaar"], "samenspel/web/views/post.py")
            continue
        found = live_markdown(at, payload.text)
        live += bool(found)
        problems += [f"{payload}: live markdown {short(v)}" for v in found]
        need = stored_need(payload.text)
        if need is None:
            problems.append(f"{payload}: not stored; errors {[e.value for e in at.error]}")
            continue
        stored += 1
        if not same_text(need.description, payload.text):
            problems.append(f"{payload}: description stored as {short(need.description)}")
        shown = [unescaped(s.value) for s in at.success]
        titles = [
            m.group(1) for s in shown if (m := re.search(r"Geplaatst: '(.*)'\. We zoeken", s, re.S))
        ]
        if not any(same_text(title, payload.text) for title in titles):
            problems.append(f"{payload}: shown back as {[short(s) for s in shown]}")
    summary("post form", payloads=len(TITLE_FITS), fields=3, tried=tried, stored=stored,
            crashed=crashed, live_markdown=live)  # fmt: skip
    assert problems == [], "\n".join(problems)


def test_post_form_messages_about_a_wrong_field_show_the_payload_as_text(demo_users):
    """'when' and 'place' are echoed in their error message: the message is markdown."""
    at = open_page(demo_users["initiatief"], "samenspel/web/views/post.py")
    at.selectbox(key="post_kind").set_value("goods").run()
    tried = live = crashed = 0
    problems = []
    for payload in TITLE_FITS:
        tried += 1
        at.text_input(key="post_title").input("Stoelen")
        at.text_input(key="post_when").input(payload.text)
        at.text_input(key="post_place").input(payload.text)
        at.button(key="post_submit").click().run()
        if at.exception:
            crashed += 1
            problems.append(f"{payload}: {at.exception[0].value[:200]}")
            at = open_page(demo_users["initiatief"], "samenspel/web/views/post.py")
            at.selectbox(key="post_kind").set_value("goods").run()
            continue
        found = live_markdown(at, payload.text)
        live += bool(found)
        problems += [f"{payload}: live markdown {short(v)}" for v in found]
    summary("post form errors", payloads=len(TITLE_FITS), fields=2, tried=tried, crashed=crashed,
            live_markdown=live)  # fmt: skip
    assert problems == [], "\n".join(problems)


PROFILE_FIELDS = ("profile_description", "profile_boundaries", "profile_address",
                  "profile_person", "profile_phone")  # fmt: skip


def organisation_of(user_id: int) -> tuple[Organisation, Contact]:
    with Session(db.engine_for(db.settings.database_url())) as session:
        org = session.get(Organisation, session.get(User, user_id).organisation_id)
        contact = session.exec(select(Contact).where(Contact.organisation_id == org.id)).one()
        return org, contact


@pytest.mark.parametrize("user", ["partner"])
def test_profile_form_stores_and_shows_every_payload_as_data(demo_users, user):
    user_id = demo_users[user]
    original, _ = organisation_of(user_id)
    at = open_page(user_id, "samenspel/web/views/profile.py")
    tried = stored = live = crashed = 0
    problems = []
    for payload in [p for p in PAYLOADS if len(p.text) <= 50]:  # the phone field's limit
        tried += 1
        at.text_input(key="profile_name").input(f"{original.name} {payload.text}"[:200])
        for key in PROFILE_FIELDS:
            field = (
                at.text_area(key=key)
                if key in ("profile_description", "profile_boundaries")
                else at.text_input(key=key)
            )
            field.input(payload.text)
        at.button[0].click().run()  # the form's "Opslaan"
        if at.exception:
            crashed += 1
            problems.append(f"{payload}: {at.exception[0].value[:200]}")
            at = open_page(user_id, "samenspel/web/views/profile.py")
            continue
        found = live_markdown(at, payload.text)
        live += bool(found)
        problems += [f"{payload}: live markdown {short(v)}" for v in found]
        org, contact = organisation_of(user_id)
        texts = [org.description, org.boundaries, org.address, contact.person, contact.phone]
        if any(e.value for e in at.error):
            problems.append(f"{payload}: not saved: {[e.value for e in at.error]}")
        elif not all(same_text(t, payload.text) for t in texts):
            problems.append(f"{payload}: stored as {[short(t) for t in texts]}")
        else:
            stored += 1
            shown = at.text_area(key="profile_description").value
            if not same_text(shown, payload.text):
                problems.append(f"{payload}: shown back as {short(shown)}")
    summary("profile form", payloads=tried, fields=len(PROFILE_FIELDS) + 1, tried=tried,
            stored=stored, crashed=crashed, live_markdown=live)  # fmt: skip
    assert problems == [], "\n".join(problems)
