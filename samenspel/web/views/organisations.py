"""Organisations, for brokers and administrators: add one with its contact person, or change
one. A broker works only in their own areas: this page offers only those, and the service
refuses anything else (samenspel/services/organisations.py)."""

from dataclasses import replace

import streamlit as st

from samenspel.i18n import t
from samenspel.matching.types import LEGAL_FORMS, PARTNER_TYPES
from samenspel.services import organisations, signup
from samenspel.services.errors import DomainError
from samenspel.services.scope import area_scope
from samenspel.web import queries
from samenspel.web.ui import (
    ago,
    ask,
    current_user,
    field_errors,
    legal_form_label,
    messages_of,
    partner_type_labels,
    plain,
    read,
    require_page,
    show_domain_error,
    show_field_error,
    submit_form,
    write,
)

require_page("samenspel/web/views/organisations.py")
P = "orgs"
user = current_user()
is_admin = user.role == "admin"
st.title(t("Organisaties"))
for message in st.session_state.pop(f"{P}_messages", []):
    st.success(message)

ROLE_LABELS = {"initiative": t("initiatief"), "partner": t("partner")}
PARTNER_TYPE_LABELS = partner_type_labels()

hoods = ask(organisations.neighbourhood_choices)
orgs = read(queries.organisations)
if not is_admin:
    if not hoods:
        st.info(t("Je hebt nog geen buurten. Vraag de beheerder om ze toe te voegen."))
        st.stop()
    orgs = orgs[orgs["neighbourhood"].map(area_scope(user.role, user.areas).covers)]
    st.caption(
        t(
            "Je ziet en beheert de organisaties in jouw buurten: {areas}.",
            areas=plain(", ".join(hoods)),
        )
    )

# Organisations that signed up themselves (services/signup.py) are not in the list below
# until they are approved: the waiting ones get their own section, to approve or reject.
joined = ask(signup.signups)
orgs = orgs[~orgs["id"].isin([s.organisation_id for s in joined])]
waiting = [s for s in joined if s.approval == "pending" and s.confirmed]


def approve_signup(organisation_id: int, name: str) -> None:
    try:
        write(signup.approve, organisation_id=organisation_id)
    except DomainError as exc:
        st.session_state[f"{P}_problems"] = messages_of(exc)
        return
    st.session_state[f"{P}_messages"] = [
        t("{name} is goedgekeurd en kan nu inloggen. Ze krijgen een mail.", name=plain(name))
    ]


for problem in st.session_state.pop(f"{P}_problems", []):
    st.error(problem)
if waiting:
    st.subheader(t("Aanmeldingen die op jou wachten ({n})", n=len(waiting)))
    for item in waiting:
        with st.container(border=True):
            st.markdown(
                f"**{plain(item.name)}** · {ROLE_LABELS.get(item.role, '')} · "
                f"{PARTNER_TYPE_LABELS.get(item.partner_type, '')} · {plain(item.neighbourhood)}"
            )
            st.caption(
                t("Aangemeld door {person} ({email}), {when}.", person=plain(item.contact_person),
                  email=plain(item.email), when=ago(item.signed_up_at))
            )  # fmt: skip
            st.button(t("Goedkeuren"), key=f"{P}_approve_{item.organisation_id}", type="primary",
                      on_click=approve_signup, args=(item.organisation_id, item.name))  # fmt: skip
            reject_key = f"{P}_reject_{item.organisation_id}"
            with st.expander(t("Afwijzen")), st.form(reject_key):
                reason = st.text_input(
                    t("Waarom niet? Dit lezen ze in de mail."), max_chars=signup.MAX_REASON,
                    key=f"{reject_key}_reason",
                )  # fmt: skip
                show_field_error(reject_key, "reason")
                rejected = st.form_submit_button(t("Afwijzen"))
            if rejected:

                def rejected_signup(org, name=item.name) -> None:
                    st.session_state[f"{P}_messages"] = [
                        t(
                            "{name} is afgewezen. Ze krijgen een mail met de reden.",
                            name=plain(name),
                        )
                    ]

                submit_form(
                    reject_key,
                    lambda org_id=item.organisation_id, why=reason: write(
                        signup.reject, organisation_id=org_id, reason=why
                    ),
                    then=rejected_signup,
                )
unconfirmed = sum(1 for s in joined if s.approval == "pending" and not s.confirmed)
if unconfirmed:
    st.caption(
        t("{n} aanmeldingen hebben hun e-mailadres nog niet bevestigd. Die zie je hier zodra dat gebeurd is.", n=unconfirmed)
    )  # fmt: skip
turned_down = [s for s in joined if s.approval == "rejected"]
if turned_down:
    with st.expander(t("Afgewezen aanmeldingen ({n})", n=len(turned_down))):
        for item in turned_down:
            st.markdown(f"• {plain(item.name)} · {plain(item.neighbourhood)}")


SHOWN_FIELDS = {
    "name", "role", "partner_type", "legal_form", "neighbourhood", "address", "description",
    "contact_person", "contact_email", "contact_phone",
}  # fmt: skip


def choice_index(options, value) -> int:
    return list(options).index(value) if value in options else 0


def organisation_inputs(key: str, errors: str, values: organisations.ProfileForm):
    """The inputs of one organisation, filled in with `values`; returns what is entered.
    `key` makes the widgets this record's own (a new key: a fresh, empty form); `errors` is
    the prefix under which the service's messages per field are kept."""
    name = st.text_input(t("Naam") + " *", value=values.name, max_chars=200, key=f"{key}_name")
    show_field_error(errors, "name")
    role = st.selectbox(
        t("Initiatief of partner?"),
        organisations.ORG_ROLES,
        index=choice_index(organisations.ORG_ROLES, values.role),
        format_func=ROLE_LABELS.get,
        key=f"{key}_role",
    )
    show_field_error(errors, "role")
    partner_type = st.selectbox(
        t("Soort organisatie"),
        PARTNER_TYPES,
        index=choice_index(PARTNER_TYPES, values.partner_type),
        format_func=PARTNER_TYPE_LABELS.get,
        key=f"{key}_partner_type",
    )
    show_field_error(errors, "partner_type")
    legal_form = st.selectbox(
        t("Rechtsvorm"),
        LEGAL_FORMS,
        index=choice_index(LEGAL_FORMS, values.legal_form),
        format_func=legal_form_label,
        key=f"{key}_legal_form",
    )
    show_field_error(errors, "legal_form")
    # A broker chooses one of their own areas (a new organisation: no area chosen yet, so a
    # choice that is no longer theirs comes back empty and is refused, never silently moved
    # to another area); an administrator may also type a new one.
    options = hoods
    if is_admin:
        options = ["", *hoods]
        if values.neighbourhood not in options:
            options.append(values.neighbourhood)
    neighbourhood = st.selectbox(
        t("Buurt"),
        options,
        index=options.index(values.neighbourhood) if values.neighbourhood in options else None,
        format_func=lambda hood: hood or t("geen buurt"),
        accept_new_options=is_admin,
        placeholder=t("Kies..."),
        key=f"{key}_neighbourhood",
    )
    show_field_error(errors, "neighbourhood")
    address = st.text_input(t("Adres"), value=values.address, max_chars=200, key=f"{key}_address")
    postcode = st.text_input(
        t("Postcode"), value=values.postcode, max_chars=10, key=f"{key}_postcode"
    )
    st.caption(t("Zonder adres of postcode staat de organisatie midden in haar buurt."))
    show_field_error(errors, "address")
    description = st.text_area(
        t("Wat doen ze?"), value=values.description, max_chars=2000, key=f"{key}_description"
    )
    show_field_error(errors, "description")
    st.markdown("**" + t("Vast gezicht (alleen zichtbaar na een afspraak)") + "**")
    person = st.text_input(
        t("Contactpersoon"), value=values.contact_person, max_chars=200, key=f"{key}_person"
    )
    show_field_error(errors, "contact_person")
    email = st.text_input(
        t("E-mail"), value=values.contact_email, max_chars=200, key=f"{key}_email"
    )
    show_field_error(errors, "contact_email")
    phone = st.text_input(
        t("Telefoon"), value=values.contact_phone, max_chars=50, key=f"{key}_phone"
    )
    show_field_error(errors, "contact_phone")
    # Fields this form does not show (kept from the profile, such as its subjects) can still
    # be refused: their messages go here, so that no refusal is silent.
    for field, message in field_errors(errors).items():
        if field not in SHOWN_FIELDS:
            st.error(plain(message), icon="⚠️")
    return replace(
        values,
        name=name,
        role=role,
        partner_type=partner_type,
        legal_form=legal_form,
        neighbourhood=neighbourhood or "",
        address=address,
        postcode=postcode,
        description=description,
        contact_person=person,
        contact_email=email,
        contact_phone=phone,
    )


shown = orgs.assign(
    role=orgs["role"].map(ROLE_LABELS),
    partner_type=orgs["partner_type"].map(PARTNER_TYPE_LABELS),
    legal_form=orgs["legal_form"].map(legal_form_label),
).drop(columns=["id"])
shown.columns = [t("Naam"), t("Soort"), t("Soort organisatie"), t("Rechtsvorm"), t("Buurt")]
st.dataframe(shown, hide_index=True, width="stretch")

st.subheader(t("Organisatie toevoegen"))
# The add form's widgets carry a number that goes up after each organisation added: the next
# form is a new, empty one (no name or contact person of the last one left in it), while a
# refused form keeps everything typed so that only the wrong field needs changing.
new_key = f"{P}_new{st.session_state.setdefault(f'{P}_new_count', 0)}"
with st.form(f"{P}_new"):
    entered = organisation_inputs(
        new_key,
        new_key,
        organisations.ProfileForm(
            name="", role="initiative", partner_type="initiative", neighbourhood=""
        ),
    )
    added = st.form_submit_button(t("Toevoegen"), type="primary")
if added:

    def created(org) -> None:
        st.session_state[f"{P}_new_count"] += 1
        st.session_state[f"{P}_messages"] = [
            t("Organisatie '{name}' toegevoegd.", name=plain(org.name))
        ]

    submit_form(
        new_key, lambda: write(organisations.create_organisation, form=entered), then=created
    )

st.subheader(t("Organisatie wijzigen"))
# Chosen outside the form, and the form's widgets are this organisation's own: the form
# always shows the organisation chosen, never what was typed for another one.
target = st.selectbox(
    t("Organisatie"),
    orgs["id"].tolist(),
    index=None,
    placeholder=t("Kies..."),
    key=f"{P}_target",
    format_func=dict(zip(orgs["id"], orgs["name"], strict=True)).get,
)
if target is not None:
    target = int(target)
    try:
        stored = ask(organisations.profile_form, organisation_id=target)
    except DomainError as exc:
        show_domain_error(exc)
        st.stop()
    edit_key = f"{P}_{target}"
    with st.form(f"{P}_edit"):
        entered = organisation_inputs(edit_key, edit_key, stored)
        saved = st.form_submit_button(t("Opslaan"), type="primary")
    if saved:
        # An unchanged address keeps its place; a changed one is looked up again.
        moved = (entered.address, entered.postcode, entered.neighbourhood) != (
            stored.address,
            stored.postcode,
            stored.neighbourhood,
        )
        if moved:
            entered = replace(entered, lat=None, lon=None)

        def stored_profile(org) -> None:
            st.session_state[f"{P}_messages"] = [
                t("Organisatie '{name}' opgeslagen.", name=plain(org.name))
            ]

        submit_form(
            edit_key,
            lambda: write(organisations.update_profile, organisation_id=target, form=entered),
            then=stored_profile,
        )
