"""The form of a need or an offer: one set of inputs for posting one (views/post.py) and for
changing one (web/post_manage.py), so that both ask the same questions and send the same
PostForm to the services, which check it the same way.

Each input keeps its value in session state under the form's prefix ("post_title"), so a
refused form keeps what was typed and its messages show under their inputs
(ui.show_field_error with the same prefix)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st

from samenspel.i18n import language, t
from samenspel.matching.headcount import headcount
from samenspel.matching.slots import (
    DAY_NAMES,
    PART_NAMES,
    SlotError,
    parse_slots,
    slots_to_text,
)
from samenspel.matching.types import KINDS, LEGAL_FORMS
from samenspel.services.posts import PostForm
from samenspel.web.ui import kind_label, legal_form_label, show_field_error

# The session-state key of each form field, after the form's prefix.
KEYS = {
    "kind": "kind", "title": "title", "description": "description", "themes": "themes",
    "people": "people", "amount_eur": "amount", "amount_min_eur": "amount_min",
    "amount_max_eur": "amount_max", "hours_per_week": "hours", "skills": "skills",
    "kitchen": "kitchen", "step_free": "step_free", "start_date": "start", "when": "when",
    "place": "place", "distance_km": "distance", "eligible_legal_forms": "forms",
    "valid_until": "valid_until",
}  # fmt: skip
# Inputs of decimal numbers: Streamlit refuses an int in them (and a float in an int input).
DECIMALS = frozenset({"amount_eur", "amount_min_eur", "amount_max_eur", "hours_per_week",
                      "distance_km"})  # fmt: skip


def key(prefix: str, name: str) -> str:
    """The session-state key of one form field."""
    return f"{prefix}_{KEYS[name]}"


def part_key(prefix: str, part: int) -> str:
    """The key of one row of the availability grid: the days of one part of the day. (The
    `when` key holds what was typed beside the grid: clock times, or words.)"""
    return f"{prefix}_when_part{part}"


def fill_when(prefix: str, when: str) -> None:
    """Show a stored `when` in the grid; what the grid cannot show stays typed."""
    try:
        slots = parse_slots(when)
    except SlotError:
        slots, typed = frozenset(), when
    else:
        typed = ""
    for part in range(3):
        st.session_state[part_key(prefix, part)] = sorted(d for d, p in slots if p == part)
    st.session_state[key(prefix, "when")] = typed


def read_when(prefix: str) -> str:
    """The grid's slots and what was typed, as one `when` text for the services to check."""
    picked = frozenset(
        (day, part)
        for part in range(3)
        for day in st.session_state.get(part_key(prefix, part)) or []
    )
    typed = (st.session_state.get(key(prefix, "when")) or "").strip()
    return "; ".join(text for text in (slots_to_text(picked), typed) if text)


def fill(prefix: str, form: PostForm) -> None:
    """Put a form's values into its inputs, before they are drawn (so: in a callback)."""
    for name in KEYS:
        value = getattr(form, name)
        if name == "when":
            fill_when(prefix, value or "")
            continue
        if name == "themes":
            value = "; ".join(value)
        elif value is not None and name in DECIMALS:
            value = float(value)
        elif value is not None and name == "people":
            value = int(value)
        st.session_state[key(prefix, name)] = value


def clear(prefix: str, keep: tuple[str, ...] = ()) -> None:
    """Forget what was typed (and the messages), except the fields in `keep`."""
    for name in KEYS:
        if name not in keep:
            st.session_state.pop(key(prefix, name), None)
    if "when" not in keep:
        for part in range(3):
            st.session_state.pop(part_key(prefix, part), None)
    st.session_state.pop(f"{prefix}_errors", None)


def read(prefix: str) -> PostForm:
    """What the inputs hold now."""
    s = st.session_state

    def value(name: str, default=None):
        return s.get(key(prefix, name), default)

    return PostForm(
        kind=value("kind", ""),
        title=value("title", ""),
        description=value("description", ""),
        themes=[x.strip() for x in (value("themes", "") or "").split(";") if x.strip()],
        people=value("people"),
        amount_eur=value("amount_eur"),
        amount_min_eur=value("amount_min_eur"),
        amount_max_eur=value("amount_max_eur"),
        hours_per_week=value("hours_per_week"),
        skills=value("skills", ""),
        kitchen=value("kitchen", False),
        step_free=value("step_free", False),
        start_date=value("start_date"),
        when=read_when(prefix),
        place=value("place", ""),
        distance_km=value("distance_km"),
        eligible_legal_forms=value("eligible_legal_forms", []),
        valid_until=value("valid_until"),
    )


def _earliest(prefix: str, name: str) -> date:
    """The first day a date input offers: today, or the post's own older date (a need that
    started last week): Streamlit refuses a value before the input's minimum."""
    today = date.today()
    stored = st.session_state.get(key(prefix, name))
    return min(today, stored) if isinstance(stored, date) else today


def suggest_people(prefix: str) -> None:
    """The number of people the title or description speaks of, offered for an empty field."""
    state = st.session_state
    if state.get(key(prefix, "people")) is not None:
        return
    count = headcount(state.get(key(prefix, "title")), state.get(key(prefix, "description")))
    if count is None:
        return

    def take() -> None:
        state[key(prefix, "people")] = count

    st.button(
        t("In je tekst staat {n}. Overnemen?", n=count),
        key=f"{prefix}_people_take",
        on_click=take,
        icon=":material/arrow_upward:",
    )


def availability(prefix: str) -> None:
    """When it can be: days x parts of the day picked in a grid (one row of day buttons per
    part of the day), and clock times or other words typed beside it. Nothing picked = any
    time."""
    lang = language()
    days = list(range(7))
    with st.container(border=True, key=f"{prefix}_when_grid"):
        st.markdown("**" + t("Wanneer kan het?") + "**")
        st.caption(t("Kies de dagdelen. Niets gekozen = het maakt niet uit."))
        for part in range(3):
            st.pills(
                PART_NAMES[lang][part].capitalize(),
                days,
                selection_mode="multi",
                format_func=lambda day: (
                    DAY_NAMES[lang][day][:2].lower() if lang == "nl" else DAY_NAMES[lang][day][:3]
                ),
                key=part_key(prefix, part),
            )
        st.text_input(
            t("Of typ het, bijvoorbeeld: di 18:00-21:00"),
            key=key(prefix, "when"),
        )
        show_field_error(prefix, "when")


def draw(prefix: str, *, is_need: bool, after_title: Callable[[str], None] | None = None) -> str:
    """The inputs of a need (`is_need`) or an offer, each with its message under it; the kind
    chosen. `after_title(kind)` draws what belongs under the title (views/post.py: "Bestaat
    dit al?")."""
    kind = st.selectbox(t("Wat voor hulp?"), KINDS, format_func=kind_label, key=key(prefix, "kind"))
    show_field_error(prefix, "kind")
    st.text_input(
        t("Titel") + " *",
        key=key(prefix, "title"),
        max_chars=200,
        placeholder=t("bijv. Plek om op dinsdagavond samen te koken")
        if is_need
        else t("bijv. Zaal met keuken"),
    )
    show_field_error(prefix, "title")
    if after_title is not None:
        after_title(kind)

    st.text_area(
        t("Vertel in je eigen woorden wat je zoekt") if is_need else t("Beschrijving"),
        key=key(prefix, "description"),
        max_chars=2000,
    )
    show_field_error(prefix, "description")
    st.text_input(
        t("Onderwerpen (met ; ertussen)"),
        key=key(prefix, "themes"),
        placeholder=t("eten; ontmoeting"),
    )
    show_field_error(prefix, "themes")

    people_label = {
        "venue": t("Met hoeveel mensen zijn jullie?")
        if is_need
        else t("Voor hoeveel mensen is de ruimte?"),
        "volunteers": t("Hoeveel vrijwilligers zoeken jullie?")
        if is_need
        else t("Hoeveel vrijwilligers?"),
    }
    if kind in people_label:
        st.number_input(
            people_label[kind] + (" *" if is_need else ""),
            min_value=0,
            step=1,
            value=None,
            key=key(prefix, "people"),
        )
        suggest_people(prefix)
        show_field_error(prefix, "people")
    if kind == "venue":
        st.checkbox(
            t("We hebben een keuken nodig") if is_need else t("Er is een keuken"),
            key=key(prefix, "kitchen"),
        )
        st.checkbox(
            t("Drempelvrij nodig (rolstoel)") if is_need else t("Drempelvrij (rolstoel)"),
            key=key(prefix, "step_free"),
        )
    if kind == "volunteers":
        st.text_input(t("Welke vaardigheden?"), key=key(prefix, "skills"))
        show_field_error(prefix, "skills")
        st.number_input(
            t("Uren per week"),
            min_value=0.0,
            step=1.0,
            value=None,
            key=key(prefix, "hours_per_week"),
        )
    if kind == "money":
        if is_need:
            st.number_input(
                t("Hoeveel geld (EUR)?") + " *",
                min_value=0.0,
                step=50.0,
                value=None,
                key=key(prefix, "amount_eur"),
            )
            show_field_error(prefix, "amount_eur")
            st.date_input(
                t("Wanneer begint het?"),
                value=None,
                key=key(prefix, "start_date"),
                format="DD-MM-YYYY",
            )
            show_field_error(prefix, "start_date")
        else:
            st.number_input(
                t("Vanaf (EUR)"),
                min_value=0.0,
                step=50.0,
                value=None,
                key=key(prefix, "amount_min_eur"),
            )
            st.number_input(
                t("Tot en met (EUR)"),
                min_value=0.0,
                step=50.0,
                value=None,
                key=key(prefix, "amount_max_eur"),
            )
            show_field_error(prefix, "amount_max_eur")
            st.multiselect(
                t("Alleen voor (leeg = iedereen)"),
                LEGAL_FORMS,
                format_func=legal_form_label,
                key=key(prefix, "eligible_legal_forms"),
                placeholder=t("Kies..."),
            )

    availability(prefix)
    st.text_input(
        t("Waar? (buurt, postcode of plaats; leeg = jullie eigen adres)"), key=key(prefix, "place")
    )
    show_field_error(prefix, "place")
    st.number_input(
        t("Hoe ver mag het hoogstens zijn (km)?")
        if is_need
        else t("Tot hoe ver komen jullie (km)?"),
        min_value=0.0,
        step=0.5,
        value=None,
        key=key(prefix, "distance_km"),
    )
    st.date_input(
        t("Geldig tot"),
        value=None,
        key=key(prefix, "valid_until"),
        format="DD-MM-YYYY",
        min_value=_earliest(prefix, "valid_until"),
    )
    show_field_error(prefix, "valid_until")
    return kind
