"""My needs and offers, for initiatives and partners: suggestions, introductions, contacts."""

import pandas as pd
import streamlit as st

from samenspel.i18n import language, t
from samenspel.matching.reasons import render, render_all
from samenspel.matching.types import Exclusion
from samenspel.services import contacts, matches
from samenspel.services.errors import DomainError
from samenspel.services.suggestions import why_not
from samenspel.web import conversation, queries, suggestion_card
from samenspel.web.post_manage import manage_need, manage_offer
from samenspel.web.ui import (
    current_user,
    kind_label,
    messages_of,
    plain,
    read,
    require_page,
    restart_suggestions,
    show_domain_error,
    status_label,
    write,
)

require_page("samenspel/web/views/mine.py")
P = "mine"
user = current_user()
st.title(t("Mijn vragen en aanbod"))
if user.organisation_id is None:
    st.info(t("Je account hoort nog niet bij een organisatie."))
    st.stop()

for message in st.session_state.pop(f"{P}_messages", []):
    st.success(message)


def _act(service, message: str, **kwargs) -> None:
    if "reason_key" in kwargs:  # read what was typed now, not when the button was drawn
        kwargs["reason"] = st.session_state.get(kwargs.pop("reason_key"), "")
    try:
        write(service, **kwargs)
        st.session_state.setdefault(f"{P}_messages", []).append(message)
    except DomainError as exc:
        st.session_state[f"{P}_error"] = messages_of(exc)  # markdown-safe already


for message in st.session_state.pop(f"{P}_error", []):
    st.error(message)  # escaped once by messages_of: a second time would show backslashes

needs, offers = read(queries.own_posts, user.organisation_id)
all_matches = read(queries.matches_of_organisation, user.organisation_id)
searching = read(queries.searching, needs, offers)  # posts whose suggestions are on their way


_looked: list[bool] = []  # empty during the page's own run


@st.fragment(run_every=2)
def _when_found() -> None:
    """While suggestions are being worked out: look every 2 seconds, show them when ready, and
    start on them here when the process that had them stopped. Not during the page's own run,
    which has just looked: a rerun then would drop the message it shows ("Opgeslagen")."""
    if read(queries.searching_stalled, needs, offers):
        restart_suggestions()
    if not _looked:
        _looked.append(True)
        return
    if not read(queries.searching, needs, offers):
        st.rerun()


if searching:
    _when_found()


def waits_for_us(m) -> bool:
    """An introduction this organisation has not answered yet."""
    ours = m.initiative_agreed if m.need_id in own_need_ids else m.partner_agreed
    return m.status == "introduced" and not ours


def introductions(under_way) -> None:
    st.header(t("Voorstellen aan elkaar"))
    if under_way.empty:
        st.write(
            t("Nog niets. Als de buurtmakelaar jullie voorstelt aan een partner, zie je dat hier.")
        )
    talks = conversation.summaries(under_way["match_id"])
    for m in under_way.itertuples(index=False):
        with st.container(border=True, key=f"{P}_card_{m.match_id}"):
            st.text(f"{m.initiative}  ↔  {m.partner}")
            st.caption(f"{plain(m.need_title)} / {plain(m.offer_title)} · {status_label(m.status)}")
            for reason in m.reasons:
                st.text(f"• {reason}")
            if waits_for_us(m):
                yes, no = st.columns(2)
                yes.button(
                    t("Ja, we willen kennismaken"),
                    key=f"{P}_yes_{m.match_id}",
                    on_click=_act,
                    args=(matches.respond, t("Je hebt 'ja' gezegd.")),
                    kwargs={"match_id": m.match_id, "seen_version": m.version, "accept": True},
                )
                no.text_input(t("Reden als het niet past"), key=f"{P}_reason_{m.match_id}")
                no.button(
                    t("Nee, dit past niet"),
                    key=f"{P}_no_{m.match_id}",
                    on_click=_act,
                    args=(matches.respond, t("Je hebt 'nee' gezegd.")),
                    kwargs={
                        "match_id": m.match_id,
                        "seen_version": m.version,
                        "accept": False,
                        "reason_key": f"{P}_reason_{m.match_id}",
                    },
                )
            elif m.status == "introduced":
                st.caption(t("Jullie zeiden ja. We wachten op de andere kant."))
            if m.status in ("agreed", "active", "done"):
                shown_key = f"{P}_card_shown_{m.match_id}"
                # One reveal (audited, counted against the daily limit) per click, kept for this session.
                if shown_key not in st.session_state and st.button(
                    t("Toon contactgegevens"), key=f"{P}_contact_{m.match_id}"
                ):
                    try:
                        st.session_state[shown_key] = write(
                            contacts.other_side_contact, match_id=m.match_id
                        )
                    except DomainError as exc:
                        show_domain_error(exc)
                if shown_key in st.session_state:
                    card = st.session_state[shown_key]
                    st.text(f"{card.organisation}\n{card.person}\n{card.email}\n{card.phone}")
            conversation.show(m.match_id, m.status, talks.get(m.match_id), page=P)


own_need_ids = set(needs["id"])
under_way = all_matches[all_matches["status"].isin(["introduced", "agreed", "active", "done"])]
# What waits for this organisation's answer comes first, above the posts (on a phone too).
waiting = under_way.apply(waits_for_us, axis=1) if len(under_way) else pd.Series(dtype=bool)
under_way = pd.concat([under_way[waiting], under_way[~waiting]]) if len(under_way) else under_way
if waiting.any():
    introductions(under_way)

tab_needs, tab_offers = st.tabs(
    [t("Onze vragen ({n})", n=len(needs)), t("Ons aanbod ({n})", n=len(offers))]
)
with tab_needs:
    if needs.empty:
        st.write(t("Nog geen vragen. Plaats er een via 'Vraag plaatsen'."))
    for need in needs.itertuples(index=False):
        own = all_matches[all_matches["need_id"] == need.id]
        own = own[own["passed_at"].isna()]  # a "Past niet" leaves the list
        with st.expander(
            f"{plain(need.title)} · {kind_label(need.kind)} · {status_label(need.status)}",
            expanded=len(needs) == 1,
            key=f"{P}_need_{need.id}",  # stays open after an answer moves the page down
        ):
            if ("need", need.id) in searching and own.empty:
                st.info(t("We zoeken suggesties voor deze vraag. Ze staan hier zo vanzelf."))
            elif ("need", need.id) in searching:  # after a change: the list is being redone
                st.info(
                    t("We zoeken opnieuw suggesties voor deze vraag. De lijst kan zo veranderen.")
                )
            elif own.empty:
                st.write(t("Nog geen goede match: Samenspel vond geen aanbod dat goed genoeg past. De buurtmakelaar zoekt met jullie mee."))  # fmt: skip
            for m in own.itertuples(index=False):
                if m.status == "suggested":
                    suggestion_card.show(m, side="initiative", page=P)
                else:  # further along: its word, and the card below under "Kennismaken"
                    st.text(f"{m.partner}: {m.offer_title} · {status_label(m.status)}")
            manage_need(need)  # change, pause, extend or take away (web/post_manage.py)
            st.divider()
            st.markdown("**" + t("Waarom niet?") + "**")
            st.caption(
                t("Had je een partner verwacht die er niet bij staat? Zoek en kies die hier.")
            )
            search = st.text_input(
                t("Zoek op naam van de organisatie of het aanbod"),
                key=f"{P}_whynot_search_{need.id}",
            )
            candidates, found = read(queries.open_offer_titles, need.kind, search)
            if found > len(candidates):
                st.caption(t("{found} gevonden, de eerste {shown} staan hier. Typ meer om te zoeken.",
                             found=found, shown=len(candidates)))  # fmt: skip
            elif not found:
                st.caption(t("Geen open aanbod gevonden met deze woorden."))
            chosen = st.selectbox(
                t("Aanbod"),
                candidates["id"].tolist(),
                index=None,
                placeholder=t("Kies..."),
                key=f"{P}_whynot_{need.id}",
                format_func=dict(zip(candidates["id"], candidates["label"], strict=True)).get,
            )
            if chosen is not None:
                result = read(why_not, need_id=need.id, offer_id=int(chosen))
                if isinstance(result, Exclusion):
                    reason = render(result.reason, language())
                    st.warning(t("Samenspel stelt dit niet voor: {reason}", reason=plain(reason)))
                else:
                    st.info(
                        t(
                            "Dit aanbod {fit}. Misschien staan er betere boven.",
                            fit=suggestion_card.fit_words(result.score),
                        )
                    )
                    for reason in render_all(result.reasons, language()):
                        st.text(f"• {reason}")
with tab_offers:
    if offers.empty:
        st.write(t("Nog geen aanbod."))
    for offer in offers.itertuples(index=False):
        with st.expander(
            f"{plain(offer.title)} · {kind_label(offer.kind)} · {status_label(offer.status)}",
            expanded=len(offers) == 1,
            key=f"{P}_offer_{offer.id}",
        ):
            if ("offer", offer.id) in searching:
                st.info(t("We zoeken vragen waar dit aanbod bij past."))
            manage_offer(offer)

if not waiting.any():
    introductions(under_way)
