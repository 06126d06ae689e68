"""Dashboard, for brokers and administrators: where needs go unmet and what partnerships add up to."""

from datetime import date

import streamlit as st

from samenspel.i18n import t
from samenspel.services import dashboard
from samenspel.web.cache import cached_read
from samenspel.web.ui import (
    condition_label,
    kind_label,
    plain,
    read,
    require_page,
    status_label,
    tie_label,
)

require_page("samenspel/web/views/dashboard.py")
P = "dash"
st.title(t("Dashboard"))
today = date.today()


@cached_read("match", "need", "offer", "organisation", ttl=300)
def figures(day: date):
    return (
        read(dashboard.summary, day),
        read(dashboard.open_needs_by_neighbourhood),
        read(dashboard.matches_per_month),
        read(dashboard.tie_mix),
        read(dashboard.condition_coverage),
        read(dashboard.overdue_follow_ups, day),
        read(dashboard.reciprocity),
    )


summary, needs_table, per_month, ties, coverage, overdue, given = figures(today)

a, b, c, d, e = st.columns(5)
a.metric(t("Open vragen"), summary.open_needs)
b.metric(t("Voorgesteld aan elkaar"), summary.introductions)
c.metric(t("Samenwerkingen"), summary.partnerships, help=t("Afgesproken, lopend of klaar"))
d.metric(t("Van voorstel naar samenwerking"), f"{summary.conversion:.0%}")
e.metric(t("Geschatte waarde"), f"EUR {summary.value_eur:,.0f}".replace(",", "."))


def chart_with_table(title: str, frame, chart, summary_text: str) -> None:
    """Every chart has its words and its table: colour and shape are never the only way in."""
    st.subheader(title)
    if frame is None or len(frame) == 0:
        st.write(t("Nog geen gegevens."))
        return
    chart(frame)
    st.caption(summary_text)
    with st.expander(t("Als tabel")):
        st.dataframe(frame, width="stretch")


needs_named = needs_table.rename(columns=kind_label)
busiest = needs_named.sum(axis=1).idxmax() if len(needs_named) else ""
chart_with_table(
    t("Open vragen per buurt en soort"),
    needs_named,
    lambda f: st.bar_chart(f, horizontal=True),
    t("De meeste open vragen zijn in {hood}.", hood=plain(busiest)),
)
month_named = per_month.rename(columns=status_label) if len(per_month) else per_month
chart_with_table(
    t("Matches per maand, naar status"),
    month_named,
    st.bar_chart,
    t("Elke kleur is een status; de hoogte is het aantal matches dat die maand veranderde."),
)
ties_named = ties.rename(index=tie_label).rename(t("aantal")).to_frame()
chart_with_table(
    t("Bonding, bridging en linking"), ties_named, st.bar_chart,
    t("Bonding: {a}, bridging: {b}, linking: {c}.", a=int(ties.get("bonding", 0)),
      b=int(ties.get("bridging", 0)), c=int(ties.get("linking", 0))),
)  # fmt: skip

st.subheader(t("Sociale kwaliteit per buurt"))
st.caption(
    t(
        "Hoeveel samenwerkingen aan elke voorwaarde werken. Een 0 is een gat: daar werkt nog niemand aan."
    )
)
if len(coverage):
    st.dataframe(coverage.rename(columns=condition_label), width="stretch")
else:
    st.write(t("Nog geen gegevens."))

st.subheader(t("Wederkerigheid: wat brengen ze terug?"))
st.caption(
    t(
        "In een samenwerking kan elke kant opschrijven wat hij zelf inbrengt. Zo zie je dat "
        "het niet alleen halen is, maar ook brengen."
    )
)
left, middle, right = st.columns(3)
left.metric(t("Beide kanten brengen iets in"), given.both_sides)
middle.metric(t("Eén kant brengt iets in"), given.one_side)
right.metric(t("Nog niets opgeschreven"), given.neither)
st.write(
    t(
        "Van de {total} samenwerkingen hebben er {both} een tegenprestatie van beide kanten en "
        "{one} van één kant.",
        total=given.partnerships,
        both=given.both_sides,
        one=given.one_side,
    )
)
if len(given.initiatives_bring):
    st.markdown(t("**Wat initiatieven terug doen**"))
    for row in given.initiatives_bring.itertuples(index=False):
        st.markdown(
            "- "
            + t(
                "{initiative} (met {partner}): {brings}",
                initiative=plain(row.initiative),
                partner=plain(row.partner),
                brings=plain(row.brings),
            )
        )
else:
    st.write(t("Nog geen initiatief heeft opgeschreven wat het terug doet."))

st.subheader(t("Opvolgen: te laat"))
if len(overdue):
    shown = overdue.rename(columns={
        "initiative": t("Initiatief"), "offer_title": t("Aanbod"), "status": t("Status"),
        "follow_up_on": t("Opvolgen op"), "neighbourhood": t("Buurt"),
    })  # fmt: skip
    shown[t("Status")] = shown[t("Status")].map(status_label)
    st.dataframe(shown, hide_index=True, width="stretch")
    st.page_link("samenspel/web/views/partnerships.py", label=t("Naar samenwerkingen"))
else:
    st.write(t("Niets te laat. Goed bezig!"))
