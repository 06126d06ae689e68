"""Partnerships and follow-up, for brokers and both sides: what was introduced, did it happen?"""

from datetime import date

import pandas as pd
import streamlit as st

from samenspel.i18n import t
from samenspel.services import matches
from samenspel.services.errors import DomainError
from samenspel.services.scope import area_scope
from samenspel.web import queries
from samenspel.web.ui import (
    current_user,
    messages_of,
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
    try:
        write(service, **kwargs)
        st.session_state.setdefault(f"{P}_messages", []).append(message)
    except DomainError as exc:
        st.session_state.setdefault(f"{P}_problems", []).extend(messages_of(exc))


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

if rows.empty:
    st.write(t("Nog geen samenwerkingen."))
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
            yes, no = st.columns(2)
            yes.button(
                t("Is het gelukt? Ja"),
                key=f"{P}_yes_{m.match_id}",
                on_click=_act,
                args=(matches.follow_up, t("Fijn! Bijgewerkt.")),
                kwargs={"match_id": m.match_id, "seen_version": m.version, "happened": True},
            )
            no.button(
                t("Nee, het is niet gelukt"),
                key=f"{P}_no_{m.match_id}",
                on_click=_act,
                args=(matches.follow_up, t("Bijgewerkt.")),
                kwargs={"match_id": m.match_id, "seen_version": m.version, "happened": False},
            )
