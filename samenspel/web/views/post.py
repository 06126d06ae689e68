"""Post a need (initiatives, and brokers on their behalf) or an offer (partners)."""

import streamlit as st

from samenspel.i18n import t
from samenspel.services import posts
from samenspel.services.errors import DomainError, InvalidInput
from samenspel.web import post_form, queries
from samenspel.web.ui import (
    current_user,
    field_errors,
    messages_of,
    plain,
    read,
    require_page,
    write,
)

require_page("samenspel/web/views/post.py")
P = "post"
user = current_user()
is_need = user.role != "partner"

st.title(t("Vraag plaatsen") if is_need else t("Aanbod plaatsen"))
if st.session_state.get(f"{P}_done"):
    st.success(st.session_state.pop(f"{P}_done"))

organisation_id = user.organisation_id
if user.role in ("broker", "admin"):
    st.write(t("Vul een vraag in voor een initiatief dat belde of langskwam."))
    initiatives = read(queries.organisations, "initiative")
    choice = st.selectbox(
        t("Voor welk initiatief?"),
        initiatives["id"].tolist(),
        format_func=dict(zip(initiatives["id"], initiatives["name"], strict=True)).get,
        key=f"{P}_org",
    )
    organisation_id = int(choice) if choice is not None else None
if organisation_id is None:
    st.info(
        t("Je account hoort nog niet bij een organisatie. Vraag de beheerder om dat te regelen.")
    )
    st.stop()

here = read(queries.organisation_location, organisation_id)  # "nearby" is near this organisation


def similar_posts(kind: str) -> None:
    """ "Bestaat dit al?": open posts like this one nearby, while the title is typed."""
    similar = read(
        queries.similar_posts,
        kind=kind,
        title=st.session_state.get(f"{P}_title", ""),
        lat=here[0],
        lon=here[1],
        is_need=is_need,
    )
    if len(similar):
        with st.container(border=True):
            st.markdown("**" + t("Bestaat dit al?") + "**")
            for row in similar.itertuples(index=False):
                st.text(f"• {row.title} ({row.organisation})")
            st.caption(t("Kijk of je hierbij kunt aansluiten, voordat je iets nieuws plaatst."))


post_form.draw(P, is_need=is_need, after_title=similar_posts)


def _submit(organisation_id: int) -> None:
    service = posts.create_need if is_need else posts.create_offer
    try:
        created = write(service, organisation_id=organisation_id, form=post_form.read(P))
    except InvalidInput as exc:
        st.session_state[f"{P}_errors"] = exc.field_errors
        return
    except DomainError as exc:
        st.session_state[f"{P}_errors"] = {"_": " ".join(messages_of(exc))}
        return
    post_form.clear(P, keep=("kind",))  # the next post is often of the same kind
    st.session_state[f"{P}_done"] = t(
        "Geplaatst: '{title}'. We zoeken nu suggesties. Je ziet ze zo bij 'Mijn vragen en aanbod'.",
        title=plain(created.title),
    )


st.button(
    t("Plaatsen"), type="primary", key=f"{P}_submit", on_click=_submit, args=(organisation_id,)
)
if field_errors(P):
    st.error(t("Niet geplaatst. Verbeter wat hierboven in rood staat."))
    if "_" in field_errors(P):
        st.error(field_errors(P)["_"])  # made markdown-safe once, in _submit
st.caption(t("Velden met * zijn verplicht."))
