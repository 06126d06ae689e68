"""One suggestion as an initiative or a partner sees it: who, in words how well it fits and
what kind of tie it would be, why, and the two answers ("Ja, hier willen we mee kennismaken",
"Past niet"). Used by "Mijn vragen en aanbod" (the initiative's side) and "Waar kunnen wij
helpen?" (the partner's side); never a score or an English term (issue #14)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from samenspel.i18n import N_, t
from samenspel.services import matches
from samenspel.services.errors import DomainError
from samenspel.web.ui import ago, messages_of, plain, write

# The engine's score in words (its scale: matching/scoring.py; half the demo city's best
# suggestions score above 0.75).
FIT_WORDS = ((0.7, N_("past heel goed")), (0.5, N_("past goed")), (0.0, N_("past misschien")))

# The kind of tie a partnership makes (design.md: social capital), in plain words with the
# term on hover for who wants it.
TIE_WORDS = {
    "bonding": (
        N_("iemand uit jullie eigen kring"),
        N_(
            "Bonding: een band met mensen die op jullie lijken of dichtbij staan, zoals buren of een andere bewonersgroep."
        ),
    ),
    "bridging": (
        N_("iemand buiten jullie eigen kring"),
        N_(
            "Bridging: een brug naar een andere groep, zoals een bedrijf, kunstenaars of een club uit een andere buurt."
        ),
    ),
    "linking": (
        N_("een instelling met geld of invloed"),
        N_(
            "Linking: een lijn naar een organisatie met geld of macht, zoals de gemeente, een fonds of een woningcorporatie."
        ),
    ),
}

PASS_REASONS = matches.PASS_REASONS


def fit_words(score: float) -> str:
    return next(t(words) for floor, words in FIT_WORDS if score >= floor)


def fit_line(score: float, tie: str) -> None:
    """ "past goed · iemand buiten jullie eigen kring", the term explained on hover."""
    words, explained = TIE_WORDS.get(tie, ("", ""))
    line = " · ".join(part for part in (fit_words(score), t(words) if words else "") if part)
    st.caption(line, help=t(explained) if explained else None)


def after_yes(match) -> str:
    """What a side is told after its yes, from where the match stands now."""
    if match.status in ("agreed", "active"):
        return t(
            "Jullie willen allebei kennismaken. Jullie zijn aan elkaar voorgesteld: de contactgegevens staan bij 'Mijn vragen en aanbod'."
        )
    if match.status == "introduced":
        return t("Jullie zeiden ja. We wachten nog op de andere kant.")
    return t("Doorgegeven aan de buurtmakelaar: jullie willen kennismaken.")


def _act(page: str, service, message, **kwargs) -> None:
    """A button's answer: the outcome is shown at the top of the page after the rerun.
    `message` is a sentence, or a function of the service's result that gives one."""
    try:
        result = write(service, **kwargs)
        text = message(result) if callable(message) else message
        st.session_state.setdefault(f"{page}_messages", []).append(text)
    except DomainError as exc:
        st.session_state[f"{page}_error"] = messages_of(exc)  # markdown-safe already


def _reason_of(label: str | None) -> str:
    """The stored reason behind a label picked in the reader's language ("" if none: the
    service then asks to pick one). The box lists the labels themselves, not a format_func."""
    return {t(reason): reason for reason in PASS_REASONS}.get(label or "", "")


def _pass(page: str, match_id: int, seen_version: int) -> None:
    """ "Past niet", with the reason picked and typed now (not when the button was drawn)."""
    _act(
        page,
        matches.pass_suggestion,
        t("Jullie zeiden dat dit niet past. Samenspel stelt dit niet meer voor."),
        match_id=match_id,
        seen_version=seen_version,
        reason=_reason_of(st.session_state.get(f"{page}_pass_why_{match_id}")),
        note=st.session_state.get(f"{page}_pass_note_{match_id}", ""),
    )


def answer(m, *, side: str, other: str, page: str) -> None:
    """A side's two answers to suggestion `m` (a row of queries.match_rows), or what it
    answered already. `side` is the reader's ("initiative" or "partner"), `other` the other
    side's name."""
    own_ask = m.initiative_asked_at if side == "initiative" else m.partner_asked_at
    other_ask = m.partner_asked_at if side == "initiative" else m.initiative_asked_at
    if not pd.isna(own_ask):
        st.caption(
            t(
                "Jullie vroegen om kennis te maken ({ago}). De buurtmakelaar stelt jullie aan elkaar voor.",
                ago=ago(own_ask),
            )
        )
        return
    if not pd.isna(other_ask):
        st.info(
            t("{other} wil graag met jullie kennismaken ({ago}).", other=plain(other),
              ago=ago(other_ask))
        )  # fmt: skip
    yes, no = st.columns(2)
    yes.button(
        t("Ja, hier willen we mee kennismaken"),
        key=f"{page}_ask_{m.match_id}",
        type="primary",
        on_click=_act,
        args=(page, matches.ask_for_introduction, after_yes),
        kwargs={"match_id": m.match_id},
    )
    with no.popover(t("Past niet")):
        st.selectbox(
            t("Waarom past het niet?"),
            [t(reason) for reason in PASS_REASONS],
            key=f"{page}_pass_why_{m.match_id}",
        )
        st.text_input(t("Toelichting (mag leeg)"), key=f"{page}_pass_note_{m.match_id}",
                      max_chars=500)  # fmt: skip
        st.button(
            t("Past niet: haal weg"),
            key=f"{page}_pass_{m.match_id}",
            on_click=_pass,
            args=(page, m.match_id, m.version),
        )


def show(m, *, side: str, page: str) -> None:
    """Suggestion `m` for the reader's own need (side "initiative") or offer ("partner"):
    the other side and its post, the fit in words, the reasons, and the answers."""
    if side == "initiative":
        other, their_post = m.partner, m.offer_title
    else:
        other, their_post = m.initiative, m.need_title
    with st.container(border=True, key=f"{page}_suggestion_{m.match_id}"):
        st.markdown(f"**{plain(other)}**: {plain(their_post)}")
        fit_line(m.score, m.tie)
        for reason in m.reasons:
            st.text(f"• {reason}")
        if m.status == "suggested":
            answer(m, side=side, other=other, page=page)
