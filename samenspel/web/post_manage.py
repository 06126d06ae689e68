"""What an organisation does with one of its own posts on 'Mijn vragen en aanbod': change it
(the posting form, filled in), pause it, turn it on again, extend its date, or take it away.

The page calls `manage_need(row)` or `manage_offer(row)` for each post (a row of
queries.own_posts: only its id is used; the rest is read fresh, with the version a change
passes back). What happened is told at the top of the page, through the page's own message
lists in session state (f"{page}_messages", f"{page}_error"), which the page shows and empties
on its next run."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from samenspel.i18n import t
from samenspel.services import posts
from samenspel.services.errors import DomainError, InvalidInput
from samenspel.web import post_form
from samenspel.web.ui import ask, field_errors, messages_of, plain, show_domain_error, write


def manage_need(row, page: str = "mine") -> None:
    _manage("need", int(row.id), page)


def manage_offer(row, page: str = "mine") -> None:
    _manage("offer", int(row.id), page)


def _ids(entity: str, post_id: int) -> dict[str, int]:
    return {f"{entity}_id": post_id}


def _prefix(page: str, entity: str, post_id: int) -> str:
    return f"{page}_{entity}_{post_id}"


def _tell(page: str, message: str) -> None:
    st.session_state.setdefault(f"{page}_messages", []).append(message)


def _tell_error(page: str, exc: DomainError) -> None:
    # Markdown-safe already (messages_of): the page shows them as they are.
    st.session_state.setdefault(f"{page}_error", []).extend(messages_of(exc))


def _step(page: str, service, message: str, kwargs: dict, deadline_key: str = "") -> None:
    """A button's step, in its own unit of work; a date is read as it is now, not as it was
    when the button was drawn."""
    if deadline_key:
        kwargs = kwargs | {"new_deadline": st.session_state.get(deadline_key)}
    try:
        write(service, **kwargs)
    except DomainError as exc:
        _tell_error(page, exc)
        return
    if deadline_key:
        st.session_state.pop(deadline_key, None)  # done: the next extension starts empty
    _tell(page, message)


def _start_editing(page: str, entity: str, post_id: int) -> None:
    """ "Bewerken": the form, filled in with the post as it is now, and the version it shows
    (a change someone else saves meanwhile is not overwritten: see posts.update_need)."""
    prefix = _prefix(page, entity, post_id)
    try:
        post = ask(posts.own_post, **_ids(entity, post_id))
    except DomainError as exc:
        _tell_error(page, exc)
        return
    post_form.fill(prefix, post.form)
    st.session_state[f"{prefix}_version"] = post.version
    st.session_state[f"{prefix}_editing"] = True


def _stop_editing(prefix: str) -> None:
    post_form.clear(prefix)
    st.session_state.pop(f"{prefix}_version", None)
    st.session_state.pop(f"{prefix}_editing", None)


def _save(page: str, entity: str, post_id: int) -> None:
    prefix = _prefix(page, entity, post_id)
    service = posts.update_need if entity == "need" else posts.update_offer
    try:
        saved = write(service, **_ids(entity, post_id), form=post_form.read(prefix),
                      seen_version=st.session_state.get(f"{prefix}_version"))  # fmt: skip
    except InvalidInput as exc:  # each message under its input; what was typed stays
        st.session_state[f"{prefix}_errors"] = exc.field_errors
        return
    except DomainError as exc:  # someone changed it meanwhile: the form keeps what was typed
        _tell_error(page, exc)
        return
    _stop_editing(prefix)
    _tell(page, t("Opgeslagen: '{title}'.", title=plain(saved.title)))


def _edit_form(page: str, entity: str, post_id: int) -> None:
    prefix = _prefix(page, entity, post_id)
    with st.container(border=True):
        post_form.draw(prefix, is_need=entity == "need")
        save, cancel = st.columns(2)
        save.button(t("Opslaan"), type="primary", key=f"{prefix}_save", on_click=_save,
                    args=(page, entity, post_id))  # fmt: skip
        cancel.button(t("Niet opslaan"), key=f"{prefix}_cancel", on_click=_stop_editing,
                      args=(prefix,))  # fmt: skip
        errors = field_errors(prefix)
        if errors:
            st.error(t("Niet opgeslagen. Verbeter wat hierboven in rood staat."))
            for name, message in errors.items():  # those without an input of their own
                if name not in post_form.KEYS:
                    st.error(plain(message))


def _dated(post: posts.OwnPost, today: date) -> str:
    if post.deadline is None:
        return t("Geen einddatum.")
    shown = post.deadline.strftime("%d-%m-%Y")
    if post.deadline < today:
        return t("Liep af op {date}.", date=shown)
    return t("Geldig tot {date}.", date=shown)


def _manage(entity: str, post_id: int, page: str) -> None:
    try:
        post = ask(posts.own_post, **_ids(entity, post_id))
    except DomainError as exc:
        show_domain_error(exc)
        return
    prefix = _prefix(page, entity, post_id)
    if post.status == "closed":
        st.caption(t("Weggehaald. Het staat niet meer op de kaart."))
        return
    today = date.today()
    caption = _dated(post, today)
    if post.status == "paused":
        caption += " " + t("Staat op pauze: niet op de kaart en geen nieuwe suggesties.")
    st.caption(caption)
    if st.session_state.get(f"{prefix}_editing"):
        _edit_form(page, entity, post_id)
        return
    is_need = entity == "need"
    seen = _ids(entity, post_id) | {"seen_version": post.version}
    edit, toggle, extend, close = st.columns(4)
    edit.button(t("Bewerken"), key=f"{prefix}_edit", on_click=_start_editing,
                args=(page, entity, post_id))  # fmt: skip
    if post.status == "open":
        toggle.button(
            t("Pauzeren"),
            key=f"{prefix}_pause",
            help=t(
                "Even geen hulp nodig of geen tijd? Dan staat het niet op de kaart en komen er "
                "geen nieuwe suggesties. Wat nog bij de buurtmakelaar lag, vervalt."
            ),
            on_click=_step,
            args=(
                page,
                posts.pause_post,
                t("De vraag staat op pauze.") if is_need else t("Het aanbod staat op pauze."),
                seen,
            ),
        )
    elif post.status == "paused":
        toggle.button(
            t("Weer aanzetten"),
            key=f"{prefix}_resume",
            on_click=_step,
            args=(
                page,
                posts.resume_post,
                t("De vraag staat weer open.") if is_need else t("Het aanbod staat weer open."),
                seen,
            ),
        )
    with extend.popover(t("Verlengen")):
        st.date_input(
            t("Nieuwe datum"),
            value=None,
            min_value=today + timedelta(days=1),
            key=f"{prefix}_until",
            format="DD-MM-YYYY",
        )
        st.button(
            t("Verlengen"),
            key=f"{prefix}_extend",
            on_click=_step,
            args=(page, posts.extend_post, t("Verlengd."), seen, f"{prefix}_until"),
        )
    close.button(
        t("Klaar: haal weg"),
        key=f"{prefix}_close",
        on_click=_step,
        args=(
            page,
            posts.close_post,
            t("De vraag is weggehaald.") if is_need else t("Het aanbod is weggehaald."),
            seen,
        ),
    )
