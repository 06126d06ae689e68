"""The conversation of one introduction on a card: its messages as text, oldest first, each
with who wrote it and when; a box to write (while the introduction is under way); and for a
message of the other side "Melden bij de buurtmakelaar". Used on "Mijn vragen en aanbod" and
"Samenwerkingen" (services/conversations.py decides who may read, write and report)."""

from __future__ import annotations

import streamlit as st

from samenspel.i18n import t
from samenspel.services import conversations
from samenspel.services.errors import DomainError, InvalidInput
from samenspel.web.ui import ago, ask, messages_of, plain, show_field_error, write


def summaries(match_ids) -> dict[int, conversations.Summary]:
    """How many messages each card's conversation has, in one read for the whole page."""
    return ask(conversations.summaries, match_ids=[int(i) for i in match_ids])


def _send(prefix: str, match_id: int) -> None:
    """The click on "Versturen": what is typed now; the box empties only when it was sent."""
    key = f"{prefix}_body"
    try:
        write(conversations.write, match_id=match_id, body=st.session_state.get(key, ""))
    except InvalidInput as exc:
        st.session_state[f"{prefix}_errors"] = exc.field_errors
        return
    except DomainError as exc:
        st.session_state[f"{prefix}_problems"] = messages_of(exc)
        return
    st.session_state.pop(f"{prefix}_errors", None)
    st.session_state[key] = ""
    st.session_state[f"{prefix}_done"] = t("Verstuurd.")


def _report(prefix: str, message_id: int) -> None:
    try:
        write(
            conversations.report,
            message_id=message_id,
            reason=st.session_state.get(f"{prefix}_why_{message_id}", ""),
        )
    except DomainError as exc:
        st.session_state[f"{prefix}_problems"] = messages_of(exc)
        return
    st.session_state[f"{prefix}_done"] = t("Gemeld. De buurtmakelaar kijkt ernaar.")


def show(match_id: int, status: str, summary: conversations.Summary | None, *, page: str) -> None:
    """The expander "Gesprek (N)" of one match; nothing for someone who does not take part."""
    if summary is None:
        return
    prefix = f"{page}_talk_{match_id}"
    if summary.reported:
        label = t("Gesprek ({n}, {reported} gemeld)", n=summary.count, reported=summary.reported)
    else:
        label = t("Gesprek ({n})", n=summary.count)
    with st.expander(label, key=f"{prefix}_open"):
        for message in st.session_state.pop(f"{prefix}_problems", []):
            st.error(message)  # escaped once by messages_of
        done = st.session_state.pop(f"{prefix}_done", None)
        if done:
            st.success(done)
        messages = ask(conversations.read, match_id=match_id) if summary.count else []
        if not messages:
            st.caption(t("Nog geen berichten. Hier praten jullie met elkaar en met de buurtmakelaar."))  # fmt: skip
        for message in messages:
            _message(prefix, message)
        if status in conversations.WRITABLE:
            _compose(prefix, match_id)
        else:
            st.caption(t("Dit gesprek is afgesloten. Je kunt het nog wel lezen."))


def _message(prefix: str, message: conversations.Message) -> None:
    who = message.author
    if message.own and message.side != conversations.BROKER:
        who = t("{name} (jullie)", name=who)
    line = f"{plain(who)} · {ago(message.created_at)}"
    if message.reported:
        line += " · " + t("gemeld bij de buurtmakelaar")
    st.caption(line)
    st.text(message.body)  # user text: shown as typed, never as markdown or HTML
    if message.can_report:
        with st.popover(t("Melden bij de buurtmakelaar")):
            st.caption(t("Klopt er iets niet aan dit bericht? De buurtmakelaar leest mee en helpt."))  # fmt: skip
            st.text_input(
                t("Waarom meld je het? (mag leeg blijven)"),
                key=f"{prefix}_why_{message.id}",
                max_chars=conversations.REASON_MAX,
            )
            st.button(
                t("Melden"),
                key=f"{prefix}_report_{message.id}",
                on_click=_report,
                args=(prefix, message.id),
            )


def _compose(prefix: str, match_id: int) -> None:
    st.text_area(
        t("Jullie bericht"),
        key=f"{prefix}_body",
        max_chars=conversations.BODY_MAX,
        help=t(
            "De andere kant en de buurtmakelaar lezen dit. Jullie contactgegevens zijn niet nodig."
        ),  # fmt: skip
    )
    show_field_error(prefix, "body")
    st.button(t("Versturen"), key=f"{prefix}_send", on_click=_send, args=(prefix, match_id))
