"""Logboek, for administrators: the audit trail (who did what, and when), filtered, newest
first, a page at a time, and as a CSV download (which is itself written in the trail)."""

from datetime import date

import streamlit as st

from samenspel.i18n import t
from samenspel.services import audit_log
from samenspel.services.errors import DomainError
from samenspel.web.ui import ask, require_page, show_domain_error, write

require_page("samenspel/web/views/audit.py")
P = "audit"
st.title(t("Logboek"))
st.write(t("Wie deed wat, en wanneer. Het nieuwste staat bovenaan."))

actions, entities = ask(audit_log.choices)
who_col, action_col, entity_col, period_col = st.columns(4)
username = who_col.text_input(t("Wie (gebruikersnaam)"), key=f"{P}_who", max_chars=100)
action = action_col.selectbox(
    t("Actie"), ["", *actions], key=f"{P}_action", format_func=lambda v: v or t("alle")
)
entity = entity_col.selectbox(
    t("Soort gegeven"), ["", *entities], key=f"{P}_entity", format_func=lambda v: v or t("alle")
)
period = period_col.date_input(
    t("Van en tot en met"), value=(), max_value=date.today(), key=f"{P}_period",
    format="DD-MM-YYYY",
)  # fmt: skip
# While a range is being picked only its first day is known: from then on, with no end yet.
start = period[0] if len(period) >= 1 else None
end = period[1] if len(period) == 2 else None
filters = audit_log.AuditFilter(
    username=username, action=action or "", entity=entity or "", start=start, end=end
)

wanted = max(1, st.session_state.get(f"{P}_page", 1))
result = ask(audit_log.search, filters=filters, page=wanted)
if result.page != wanted:  # the filters changed: fewer pages now, show the last one
    st.session_state[f"{P}_page"] = result.page

st.caption(
    t("{total} regels, bladzijde {page} van {pages}", total=result.total, page=result.page,
      pages=result.pages)
)  # fmt: skip
shown = result.rows.assign(
    time=result.rows["time"].map(lambda at: at.strftime("%d-%m-%Y %H:%M:%S")),
    username=result.rows["username"].map(lambda name: name or t("(systeem)")),
).drop(columns=["user_id"])
shown = shown.rename(
    columns={
        "time": t("tijd"),
        "username": t("wie"),
        "action": t("actie"),
        "entity": t("soort gegeven"),
        "entity_id": t("nummer"),
        "detail": t("toelichting"),
    }
)
st.dataframe(shown, hide_index=True, width="stretch")
if result.pages > 1:
    st.number_input(
        t("Bladzijde (van {n})", n=result.pages),
        min_value=1,
        max_value=result.pages,
        step=1,
        key=f"{P}_page",
    )

st.subheader(t("Downloaden"))
st.write(t("Alle regels van deze selectie als CSV-bestand. Ook dat komt in het logboek."))
if st.button(t("Download klaarmaken"), key=f"{P}_prepare"):
    try:
        st.session_state[f"{P}_file"] = (filters, write(audit_log.export_csv, filters=filters))
    except DomainError as exc:
        show_domain_error(exc)
prepared = st.session_state.get(f"{P}_file")
if prepared and prepared[0] == filters:  # a file made for other filters is not offered
    st.download_button(
        t("Download (CSV)"),
        prepared[1],
        file_name="samenspel-logboek.csv",
        mime="text/csv",
        key=f"{P}_download",
    )
