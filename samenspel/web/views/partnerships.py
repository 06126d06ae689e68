"""Partnerships and follow-up, for brokers and both sides: what was introduced, did it happen,
and what does each side bring in return?"""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from samenspel.i18n import t
from samenspel.services import matches, partnerships
from samenspel.services.errors import DomainError
from samenspel.services.lifecycle import AGREED_ON
from samenspel.services.scope import area_scope
from samenspel.web import conversation, queries
from samenspel.web.ui import (
    current_user,
    messages_of,
    page_number,
    plain,
    read,
    require_page,
    status_label,
    write,
)

require_page("samenspel/web/views/partnerships.py")
P = "partners"
user = current_user()
st.title(t("Samenwerkingen"))
for message in st.session_state.pop(f"{P}_messages", []):
    st.success(message)
for message in st.session_state.pop(f"{P}_problems", []):
    st.warning(message)

if user.role in ("broker", "admin"):
    rows = read(queries.partnerships, scope=area_scope(user.role, user.areas))
else:
    rows = read(queries.partnerships, organisation_id=user.organisation_id)
# What still needs attention first: introductions, then agreed, running, and finished last.
rows = (
    rows.assign(_order=rows["status"].map({"introduced": 0, "agreed": 1, "active": 2, "done": 3}))
    .sort_values(["_order", "follow_up_on"], na_position="last")
    .drop(columns="_order")
)


def _act(service, message: str, **kwargs) -> None:
    # The card acted on stays on this page even when its new status sorts it onto another.
    st.session_state[f"{P}_acted_on"] = (
        kwargs.get("match_id"),
        st.session_state.get(f"{P}_page", 1),
    )
    try:
        write(service, **kwargs)
        st.session_state.setdefault(f"{P}_messages", []).append(message)
    except DomainError as exc:
        st.session_state.setdefault(f"{P}_problems", []).extend(messages_of(exc))


def _answer(message: str, match_id: int, seen_version: int, outcome: str) -> None:
    """Read the date and the note as they are at the click, not when the button was drawn."""
    _act(
        partnerships.follow_up,
        message,
        match_id=match_id,
        seen_version=seen_version,
        outcome=outcome,
        next_date=st.session_state.get(f"{P}_next_{match_id}"),
        note=st.session_state.get(f"{P}_note_{match_id}", ""),
    )


def _save_contribution(match_id: int) -> None:
    _act(
        partnerships.write_contribution,
        t("Opgeslagen wat jullie inbrengen."),
        match_id=match_id,
        text=st.session_state.get(f"{P}_brings_{match_id}", ""),
    )


today = date.today()
overdue = rows[
    rows["follow_up_on"].notna()
    & (rows["follow_up_on"] <= today)
    & rows["status"].isin(["introduced", "agreed", "active"])
]
total_value = (
    rows.loc[rows["status"].isin(["agreed", "active", "done"]), "value_eur"].fillna(0).sum()
)
a, b, c = st.columns(3)
a.metric(t("Onderweg"), int(rows["status"].isin(["introduced", "agreed", "active"]).sum()))
b.metric(t("Opvolgen"), len(overdue))
c.metric(t("Geschatte waarde"), f"EUR {total_value:,.0f}".replace(",", "."))


def follow_up_answers(m) -> None:
    """ "Is het gelukt?": yes, and finished or still running (with the next check); or no,
    with a short reason if they like."""
    ids = {"match_id": m.match_id, "seen_version": m.version}
    yes, no = st.columns(2)
    with yes.popover(t("Is het gelukt? Ja"), width="stretch"):
        st.button(
            t("Ja, en het is klaar"),
            key=f"{P}_done_{m.match_id}",
            on_click=_answer,
            args=(t("Fijn! De samenwerking is klaar."),),
            kwargs={**ids, "outcome": partnerships.DONE},
        )
        st.date_input(
            t("Wanneer kijken we weer hoe het gaat?"),
            value=today + timedelta(weeks=partnerships.NEXT_CHECK_WEEKS),
            min_value=today + timedelta(days=1),
            key=f"{P}_next_{m.match_id}",
            format="DD-MM-YYYY",
        )
        st.button(
            t("Ja, en het loopt nog door"),
            key=f"{P}_continue_{m.match_id}",
            on_click=_answer,
            args=(t("Fijn! We vragen het weer op de nieuwe datum."),),
            kwargs={**ids, "outcome": partnerships.CONTINUE},
        )
    with no.popover(t("Nee, het is niet gelukt"), width="stretch"):
        st.text_input(
            t("Wat ging er mis? (mag leeg blijven)"), key=f"{P}_note_{m.match_id}", max_chars=200
        )
        st.button(
            t("Opslaan: het is niet gelukt"),
            key=f"{P}_no_{m.match_id}",
            on_click=_answer,
            args=(t("Bijgewerkt."),),
            kwargs={**ids, "outcome": partnerships.FAILED},
        )


def what_each_side_brings(m) -> None:
    """Wederkerigheid: both sides' words on the card (a row of queries.partnerships); a side
    writes its own, the broker neither."""
    for name, words in ((m.initiative, m.initiative_brings), (m.partner, m.partner_brings)):
        bold = "**" + plain(name) + "**"
        what = plain(words) if words else t("nog niet ingevuld")
        st.markdown(t("{name} brengt in: {what}", name=bold, what=what))
    if user.organisation_id is not None and m.need_organisation_id == user.organisation_id:
        own = m.initiative_brings
    elif user.organisation_id is not None and m.offer_organisation_id == user.organisation_id:
        own = m.partner_brings
    else:
        return  # the broker reads both, and writes neither
    with st.form(f"{P}_brings_form_{m.match_id}", border=False):
        st.text_area(
            t("Wat brengen jullie in?"),
            value=own,
            max_chars=partnerships.BRINGS_MAX,
            key=f"{P}_brings_{m.match_id}",
            help=t("Wat jullie terug doen voor de ander, bijvoorbeeld: we koken één keer per maand voor de vrijwilligers."),
        )  # fmt: skip
        st.form_submit_button(
            t("Opslaan"),
            key=f"{P}_brings_save_{m.match_id}",
            on_click=_save_contribution,
            args=(m.match_id,),
        )


PER_PAGE = 20  # cards a person can read; a city's thousands are not drawn at once
if rows.empty:
    st.write(t("Nog geen samenwerkingen."))
elif len(rows) > PER_PAGE:
    st.caption(t("{n} samenwerkingen, wat aandacht nodig heeft eerst.", n=len(rows)))
page = page_number(len(rows), PER_PAGE, key=f"{P}_page")
on_page = rows.iloc[(page - 1) * PER_PAGE : page * PER_PAGE]
acted_on, acted_page = st.session_state.get(f"{P}_acted_on", (None, None))
if acted_page == page and acted_on not in set(on_page["match_id"]):
    on_page = pd.concat([rows[rows["match_id"] == acted_on], on_page])
rows = on_page
talks = conversation.summaries(rows["match_id"])
for m in rows.itertuples(index=False):
    with st.container(border=True, key=f"{P}_card_{m.match_id}"):
        st.markdown(
            f"**{plain(m.initiative)}** ↔ **{plain(m.partner)}** · {status_label(m.status)}"
        )
        st.caption(f"{plain(m.need_title)} / {plain(m.offer_title)}")
        if pd.notna(m.value_eur) and m.value_eur:
            st.caption(
                t("Geschatte waarde: EUR {value}", value=f"{m.value_eur:,.0f}".replace(",", "."))
            )
        due = (
            m.follow_up_on is not None
            and m.follow_up_on <= today
            and m.status in ("introduced", "agreed", "active")
        )
        if due:
            day = m.follow_up_on.strftime("%d-%m-%Y")
            if m.status == "introduced":  # no answer yet from both sides: nothing to report on
                st.warning(
                    t(
                        "Opvolgen: het is {date}. Vraag beide kanten of ze al 'ja' hebben gezegd.",
                        date=day,
                    )
                )
            else:
                st.warning(t("Opvolgen: het is {date}. Is het gelukt?", date=day))
        if m.status == "agreed":
            st.button(
                t("We zijn begonnen"),
                key=f"{P}_start_{m.match_id}",
                on_click=_act,
                args=(matches.start, t("Gestart.")),
                kwargs={"match_id": m.match_id, "seen_version": m.version},
            )
        if m.status in ("agreed", "active"):  # an introduction first needs both sides' yes
            follow_up_answers(m)
        if m.status in AGREED_ON:  # once both said yes
            what_each_side_brings(m)
        conversation.show(m.match_id, m.status, talks.get(m.match_id), page=P)
