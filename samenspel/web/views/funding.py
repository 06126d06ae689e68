"""Money plan, for initiatives and brokers: which funds, budgets, businesses and crowdfunding
together pay for a money need, when to apply, and why other funds do not fit."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from samenspel.i18n import language, t
from samenspel.matching.reasons import render, render_all
from samenspel.services import funding
from samenspel.services.errors import DomainError, InvalidInput
from samenspel.services.exports import to_csv_bytes
from samenspel.services.scope import area_scope
from samenspel.web import queries
from samenspel.web.ui import ask, current_user, plain, read, require_page, show_domain_error, write

require_page("samenspel/web/views/funding.py")
P = "fund"
user = current_user()
st.title(t("Geldplan"))
st.write(
    t(
        "Samenspel zoekt een mix van fondsen, gemeentegeld, bedrijven en crowdfunding die samen jullie vraag betalen."
    )
)

KIND_LABELS = {
    "fund": t("fonds"), "municipal": t("gemeente"), "crowdfunding": t("crowdfunding"),
    "matchfunding": t("matchfunding"), "business": t("bedrijf"),
}  # fmt: skip
is_staff = user.role in ("broker", "admin")
tabs = st.tabs([t("Plan"), t("Fondsenlijst")] if is_staff else [t("Plan")])

with tabs[0]:
    if is_staff:
        needs = read(queries.money_needs, scope=area_scope(user.role, user.areas))
    else:
        needs = read(queries.money_needs, organisation_id=user.organisation_id)
    if needs.empty:
        st.info(t("Er is nog geen open vraag om geld. Plaats er een via 'Plaatsen'."))
        st.stop()
    need_id = st.selectbox(
        t("Voor welke vraag?"),
        needs["id"].tolist(),
        key=f"{P}_need",
        format_func=dict(zip(needs["id"], needs["label"], strict=True)).get,
    )
    chosen = needs.set_index("id").loc[need_id]
    default_start = chosen["start"] if chosen["start"] else date.today() + timedelta(weeks=8)
    left, right = st.columns(2)
    start = left.date_input(
        t("Wanneer begint het project?"),
        value=default_start,
        min_value=date.today(),
        key=f"{P}_start_{need_id}",
        format="DD-MM-YYYY",
    )
    anbi = right.checkbox(t("Wij hebben een ANBI-status"), key=f"{P}_anbi")
    try:
        plan = ask(funding.plan_for_need, need_id=int(need_id), start=start, anbi=anbi)
    except DomainError as exc:
        show_domain_error(exc)
        st.stop()

    lang = language()  # the plan's reasons are codes: written out in the reader's language
    for sentence in render_all(plan.summary, lang):
        (st.warning if plan.missing > 0 else st.success)(plain(sentence))  # names amounts
    a, b, c = st.columns(3)
    a.metric(t("Gevraagd"), f"EUR {plan.amount:,.0f}".replace(",", "."))
    b.metric(t("Gedekt"), f"EUR {plan.covered:,.0f}".replace(",", "."))
    c.metric(t("Ontbreekt"), f"EUR {plan.missing:,.0f}".replace(",", "."))

    st.subheader(t("Het plan, regel voor regel"))
    for line in plan.lines:
        with st.container(border=True, key=f"{P}_line_{line.source_id}"):
            st.text(
                f"{line.name} · {KIND_LABELS.get(line.kind, line.kind)} · EUR {line.amount:,.0f}".replace(
                    ",", "."
                )
            )
            for reason in render_all(line.reasons, lang):
                st.text(f"• {reason}")
            if line.asks:
                st.caption(t("Wat zij vragen: {asks}", asks=plain(line.asks)))
            if line.uncertain:
                st.caption(t("Niet alles is zeker: controleer op hun site."))
            if line.url.startswith("https://"):  # catalogue links only: never user text
                st.link_button(t("Zo vraag je het aan"), line.url, icon=":material/open_in_new:")

    st.subheader(t("Kalender: wat vraag je wanneer aan?"))
    calendar = sorted(
        (line for line in plan.lines if line.apply_by), key=lambda line: line.apply_by
    )
    if calendar:
        for line in calendar:
            st.text(
                f"{line.apply_by.strftime('%d-%m-%Y')}: {line.name} (EUR {line.amount:,.0f})".replace(
                    ",", "."
                )
            )
    else:
        st.write(t("Geen vaste data bekend: vraag alles ruim voor de start aan."))

    with st.expander(t("Waarom niet? ({n} andere bronnen)", n=len(plan.excluded))):
        for item in plan.excluded:
            st.text(f"{item.name}: {render(item.reason, lang)}")
    if plan.referrals:
        with st.expander(
            t("Doorverwijzen (voor kinderen en gezinnen zelf, niet voor het project)")
        ):
            for referral in plan.referrals:
                st.text(f"{referral.name}: {render(referral.reason, lang)}")

    export = pd.DataFrame(
        [(line.name, KIND_LABELS.get(line.kind, line.kind), line.amount,
          line.apply_by.isoformat() if line.apply_by else "", " | ".join(render_all(line.reasons, lang)), line.url)
         for line in plan.lines],
        columns=[t("Bron"), t("Soort"), t("Bedrag"), t("Aanvragen voor"), t("Waarom"), t("Website")],
    )  # fmt: skip
    st.download_button(
        t("Download plan (CSV)"),
        to_csv_bytes(export),
        file_name="geldplan.csv",
        mime="text/csv",
        key=f"{P}_download",
    )

if is_staff:
    with tabs[1]:
        st.write(
            t(
                "Houd de fondsenlijst bij. Elke regel wordt gecontroleerd voordat hij wordt opgeslagen."
            )
        )
        # The list as it was when editing began, and its version: a save against a list that
        # another broker changed in the meantime is refused instead of overwriting theirs.
        if f"{P}_base" not in st.session_state:
            st.session_state[f"{P}_base"] = read(funding.catalogue_frame)
            st.session_state[f"{P}_base_version"] = read(funding.catalogue_version)
        edited = st.data_editor(
            st.session_state[f"{P}_base"],
            num_rows="dynamic",
            hide_index=True,
            key=f"{P}_editor",
            width="stretch",
        )
        if st.button(t("Opnieuw laden"), key=f"{P}_reload"):
            for key in (f"{P}_base", f"{P}_base_version", f"{P}_editor"):
                st.session_state.pop(key, None)
            st.rerun()
        if st.button(t("Fondsenlijst opslaan"), type="primary", key=f"{P}_save"):
            try:
                count = write(
                    funding.save_catalogue,
                    frame=edited,
                    seen_version=st.session_state[f"{P}_base_version"],
                )
                st.session_state[f"{P}_base"] = edited
                st.session_state[f"{P}_base_version"] = read(funding.catalogue_version)
                st.success(t("Opgeslagen: {n} bronnen.", n=count))
            except InvalidInput as exc:
                st.error(t("Niet opgeslagen. Verbeter deze cellen:"))
                for message in exc.field_errors.values():
                    st.text(f"• {message}")
            except DomainError as exc:
                show_domain_error(exc)
