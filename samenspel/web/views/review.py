"""Review queue for brokers: suggested matches in their areas, to introduce or reject."""

import pandas as pd
import streamlit as st

from samenspel.i18n import t
from samenspel.matching.types import KINDS
from samenspel.services import areas, matches
from samenspel.services.errors import Conflict, DomainError
from samenspel.services.scope import AreaScope, area_scope
from samenspel.services.suggestions import recommended_plan
from samenspel.web import queries
from samenspel.web.cache import cached_read
from samenspel.web.ui import (
    ago,
    current_user,
    kind_label,
    messages_of,
    page_number,
    plain,
    read,
    require_page,
    status_label,
    tie_label,
    write,
)

require_page("samenspel/web/views/review.py")
P = "review"
user = current_user()
scope = area_scope(user.role, user.areas)  # the areas this user may decide on, and no more
st.title(t("Te beoordelen"))
st.write(
    t(
        "Voorstellen van Samenspel in jouw buurten. Jij beslist: voorstellen aan elkaar, of afwijzen."
    )
)
waiting = read(queries.asked_waiting, scope=scope)
if waiting:
    st.caption(
        t(
            "{n} voorstellen waar een initiatief of partner zelf om vroeg, wachten op jou. Die staan bovenaan.",
            n=waiting,
        )
    )

for message in st.session_state.pop(f"{P}_messages", []):
    st.success(message)
for message in st.session_state.pop(f"{P}_problems", []):
    st.warning(message)

left, middle, right, last = st.columns(4)
kind = left.selectbox(
    t("Soort"),
    ["", *KINDS],
    format_func=lambda k: kind_label(k) if k else t("alle"),
    key=f"{P}_kind",
)
hoods = [h for h in read(queries.neighbourhoods) if scope.covers(h)]
hood = middle.selectbox(
    t("Buurt"), ["", *hoods], format_func=lambda h: h or t("alle"), key=f"{P}_hood"
)
status = right.selectbox(
    t("Status"),
    ["suggested", "introduced", "rejected", "declined"],
    format_func=status_label,
    key=f"{P}_status",
)
ASKED_LABELS = {
    "": t("alle"),
    "asked": t("door een initiatief of partner gevraagd"),
    "both": t("door beide kanten gevraagd"),
    "one": t("door één kant gevraagd"),
    "engine": t("alleen gevonden door Samenspel"),
}
asked = last.selectbox(
    t("Gevraagd"), list(ASKED_LABELS), format_func=ASKED_LABELS.get, key=f"{P}_asked"
)


def asked_line(initiative_at, partner_at) -> str:
    """Who asked for this suggestion, and since when ("" when only the engine suggested it)."""
    by_initiative, by_partner = not pd.isna(initiative_at), not pd.isna(partner_at)
    if by_initiative and by_partner:
        return t(
            "Gevraagd door beide kanten: het initiatief {initiative}, de partner {partner}",
            initiative=ago(initiative_at),
            partner=ago(partner_at),
        )
    if by_initiative:
        return t("Gevraagd door het initiatief, {ago}", ago=ago(initiative_at))
    if by_partner:
        return t("Gevraagd door de partner, {ago}", ago=ago(partner_at))
    return ""


PLAN_PAGE = 100  # rows of the plan sent at a time


@cached_read("match", "need", "offer", "organisation", ttl=300)
def recommended(scope: AreaScope, lang: str):  # lang: the cached day names are in it
    """The plan solves over every suggestion in the areas: cached until one of them changes."""
    return read(recommended_plan, scope=scope)


with st.expander(
    t("Aanbevolen verdeling: elk aanbod zo vaak als het kan, de beste match in totaal")
):
    st.caption(t("Samenspel geeft hier elke vraag hoogstens één aanbod, zonder een zaal of vrijwilliger twee keer te "
                 "verdelen. Gebruik het als startpunt; jij beslist."))  # fmt: skip
    # Worked out only when asked: over every suggestion in the areas it takes long in a city.
    if st.toggle(t("Bereken de verdeling"), key=f"{P}_plan"):
        plan = recommended(scope, st.session_state.get("lang", "nl"))
        st.caption(t("{n} koppels in de verdeling.", n=len(plan)))
        number = page_number(len(plan), PLAN_PAGE, key=f"{P}_plan_page")
        st.dataframe(
            plan.iloc[(number - 1) * PLAN_PAGE : number * PLAN_PAGE].rename(columns={
                "initiative": t("Initiatief"), "need": t("Vraag"), "partner": t("Partner"),
                "offer": t("Aanbod"), "slot": t("Dagdeel"), "score": t("Score")}),
            hide_index=True, width="stretch",
        )  # fmt: skip


def _set_auto_introduce(area: str) -> None:
    on = bool(st.session_state.get(f"{P}_auto_{area}"))
    try:
        write(areas.set_auto_introduce, area=area, on=on)
        message = (
            t("In {area} worden twee kanten die allebei ja zeggen nu meteen aan elkaar voorgesteld.", area=area)
            if on
            else t("In {area} stel jij voortaan weer zelf voor.", area=area)
        )  # fmt: skip
        st.session_state.setdefault(f"{P}_messages", []).append(plain(message))
    except DomainError as exc:
        st.session_state.setdefault(f"{P}_problems", []).extend(messages_of(exc))


with st.expander(t("Zo werkt jouw buurt")):
    st.caption(t("Zeggen het initiatief en de partner allebei 'ja, hier willen we mee kennismaken'? Dan kan Samenspel ze meteen aan elkaar voorstellen. Je ziet dat bij 'Nieuw voor jullie' en kunt nog ingrijpen. Staat het uit, dan stel jij ze voor."))  # fmt: skip
    area = st.selectbox(t("Buurt"), hoods, key=f"{P}_setting_area") if hoods else None
    if area:
        st.session_state[f"{P}_auto_{area}"] = read(areas.auto_introduces, area)
        st.toggle(
            t("Beide kanten ja = meteen voorgesteld"),
            key=f"{P}_auto_{area}",
            on_change=_set_auto_introduce,
            args=(area,),
        )

PER_PAGE = 25  # a page of cards a broker can read; also keeps each rerun fast
page = max(1, st.session_state.get(f"{P}_page", 1))
queue, total = read(queries.review_queue, scope=scope, kind=kind, neighbourhood=hood, status=status,
                    asked=asked, page=page, per_page=PER_PAGE)  # fmt: skip
pages = max(1, -(-total // PER_PAGE))
if page > pages:  # the filters changed: fewer pages now, show the last one
    st.session_state[f"{P}_page"] = page = pages
    queue, total = read(queries.review_queue, scope=scope, kind=kind, neighbourhood=hood, status=status,
                        asked=asked, page=page, per_page=PER_PAGE)  # fmt: skip
st.caption(
    t(
        "{n} voorstellen: eerst waar beide kanten om vroegen, dan één kant, dan wat het best past",
        n=total,
    )
)


def _typed_reason(match_id: int | None) -> str:
    """The reason as typed now: a button's args are fixed when it is drawn, before typing."""
    if match_id is None:
        return st.session_state.get(f"{P}_bulk_why", "")
    picked = st.session_state.get(f"{P}_why_{match_id}", "")
    extra = st.session_state.get(f"{P}_note_{match_id}", "")
    return f"{picked}. {extra}".strip(" .")


def _decide(decisions: list[tuple[int, int]], accept: bool, single: bool = True) -> None:
    done, problems = 0, []
    for match_id, version in decisions:
        try:
            if accept:
                write(matches.introduce, match_id=match_id, seen_version=version)
            else:
                reason = _typed_reason(match_id if single else None)
                write(matches.reject, match_id=match_id, seen_version=version, reason=reason)
            done += 1
        except Conflict as exc:
            problems.extend(messages_of(exc))
        except DomainError as exc:
            problems.extend(messages_of(exc))
    if done:
        key = "{n} voorgesteld aan elkaar." if accept else "{n} afgewezen."
        st.session_state.setdefault(f"{P}_messages", []).append(t(key, n=done))
    st.session_state.setdefault(f"{P}_problems", []).extend(problems)


reason_choices = [t(r) for r in matches.REJECT_REASONS]
selected: list[tuple[int, int]] = []
for m in queue.itertuples(index=False):
    with st.container(border=True, key=f"{P}_card_{m.match_id}"):
        pick, body = st.columns([1, 12])
        if status == "suggested" and pick.checkbox(
            t("kies"), key=f"{P}_pick_{m.match_id}", label_visibility="collapsed"
        ):
            selected.append((m.match_id, m.version))
        body.markdown(
            f"**{plain(m.initiative)}** ({plain(m.neighbourhood)}) → **{plain(m.partner)}**"
        )
        body.caption(
            f"{plain(m.need_title)} / {plain(m.offer_title)} · {kind_label(m.need_kind)} · "
            + t("score {score:.2f}", score=m.score)
            + f" · {tie_label(m.tie)}"
        )
        if line := asked_line(m.initiative_asked_at, m.partner_asked_at):
            body.markdown("**" + line + "**")  # only words from the catalogue and numbers
        for reason in m.reasons:
            body.text(f"• {reason}")
        if not pd.isna(m.passed_at):  # a side's own "Past niet"
            said = plain(m.decision_reason.removeprefix(f"{m.passed_side}: "))
            when = ago(m.passed_at)
            if m.passed_side == "partner":
                body.caption(
                    t("De partner zei 'Past niet' ({ago}): {reason}", ago=when, reason=said)
                )
            else:
                body.caption(
                    t("Het initiatief zei 'Past niet' ({ago}): {reason}", ago=when, reason=said)
                )
        elif m.decision_reason:
            body.caption(t("Reden: {reason}", reason=plain(m.decision_reason)))
        if status == "suggested":
            accept_col, reason_col, text_col, reject_col = body.columns([2, 3, 3, 2])
            accept_col.button(
                t("Voorstellen"),
                key=f"{P}_ok_{m.match_id}",
                type="primary",
                on_click=_decide,
                args=([(m.match_id, m.version)], True),
            )
            reason_col.selectbox(
                t("Reden"),
                reason_choices,
                key=f"{P}_why_{m.match_id}",
                label_visibility="collapsed",
            )
            text_col.text_input(
                t("Toelichting"),
                key=f"{P}_note_{m.match_id}",
                placeholder=t("toelichting (mag leeg)"),
                label_visibility="collapsed",
            )
            reject_col.button(
                t("Afwijzen"),
                key=f"{P}_no_{m.match_id}",
                on_click=_decide,
                args=([(m.match_id, m.version)], False),
            )

if status == "suggested" and len(queue):
    st.divider()
    st.markdown("**" + t("Alles wat je hebt aangevinkt ({n})", n=len(selected)) + "**")
    bulk_ok, bulk_reason, bulk_no = st.columns([2, 3, 2])
    bulk_ok.button(
        t("Allemaal voorstellen"),
        key=f"{P}_bulk_ok",
        disabled=not selected,
        on_click=_decide,
        args=(selected, True),
    )
    bulk_reason.selectbox(
        t("Reden"), reason_choices, key=f"{P}_bulk_why", label_visibility="collapsed"
    )
    bulk_no.button(
        t("Allemaal afwijzen"),
        key=f"{P}_bulk_no",
        disabled=not selected,
        on_click=_decide,
        args=(selected, False, False),
    )

page_number(total, PER_PAGE, key=f"{P}_page")  # under the cards; read above, before the query
