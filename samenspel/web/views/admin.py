"""Administration, for administrators: users and roles, organisations, the settings in force,
and mails that could not be sent."""

import streamlit as st

from samenspel import settings
from samenspel.i18n import t
from samenspel.services import accounts, mail_worker
from samenspel.services.errors import DomainError
from samenspel.web import queries
from samenspel.web.ui import (
    ago,
    ask,
    messages_of,
    plain,
    read,
    require_page,
    show_domain_error,
    show_field_error,
    submit_form,
    write,
)

require_page("samenspel/web/views/admin.py")
P = "admin"
st.title(t("Beheer"))
for message in st.session_state.pop(f"{P}_messages", []):
    st.success(message)

ROLES = accounts.ROLES
ROLE_LABELS = {
    "initiative": t("initiatief"), "partner": t("partner"), "broker": t("buurtmakelaar"), "admin": t("beheerder"),
}  # fmt: skip
users_tab, organisations_tab, settings_tab, mail_tab = st.tabs(
    [t("Gebruikers"), t("Organisaties"), t("Instellingen"), t("Mail")]
)

with users_tab:
    people = read(queries.users)
    orgs = read(queries.organisations)
    org_names = dict(zip(orgs["id"], orgs["name"], strict=True))
    shown = people.assign(
        role=people["role"].map(ROLE_LABELS),
        organisation=people["organisation_id"].map(org_names),
        active=people["active"].map(lambda active: t("ja") if active else t("nee")),
    ).drop(columns=["organisation_id"])
    shown = shown.rename(columns={"active": t("mag inloggen")})
    st.dataframe(shown, hide_index=True, width="stretch")

    st.subheader(t("Gebruiker toevoegen"))
    # The add form's widgets carry a number that goes up after each user added: the next form
    # is a new, empty one (no password or organisation of the last user left in it), while a
    # refused form keeps what was typed so that only the wrong field needs changing.
    new = f"{P}_new{st.session_state.setdefault(f'{P}_new_count', 0)}"
    with st.form(f"{P}_new"):
        username = st.text_input(
            t("Gebruikersnaam (of e-mailadres bij inloggen via je organisatie)"),
            key=f"{new}_username",
        )
        show_field_error(P, "username")
        name = st.text_input(t("Naam"), key=f"{new}_name")
        role = st.selectbox(t("Rol"), ROLES, format_func=ROLE_LABELS.get, key=f"{new}_role")
        show_field_error(P, "role")
        organisation = st.selectbox(
            t("Organisatie"),
            [None, *orgs["id"].tolist()],
            key=f"{new}_org",
            format_func=lambda i: t("geen") if i is None else org_names[i],
        )
        show_field_error(P, "organisation_id")
        areas = st.multiselect(
            t("Buurten (voor een buurtmakelaar)"),
            read(queries.neighbourhoods),
            key=f"{new}_areas",
            placeholder=t("Kies..."),
        )
        show_field_error(P, "areas")
        password = st.text_input(
            t("Wachtwoord (leeg: alleen inloggen via je organisatie)"),
            type="password",
            key=f"{new}_password",
        )
        show_field_error(P, "password")
        submitted = st.form_submit_button(t("Toevoegen"), type="primary")
    if submitted:

        def added(_user) -> None:
            st.session_state[f"{P}_new_count"] += 1
            st.session_state[f"{P}_messages"] = [
                t("Gebruiker '{name}' toegevoegd.", name=plain(username))
            ]

        submit_form(
            P,
            lambda: write(
                accounts.create_user,
                username=username,
                role=role,
                password=password or None,
                display_name=name,
                organisation_id=organisation,
                areas=tuple(areas),
            ),
            then=added,
        )

    st.subheader(t("Gebruiker wijzigen of uitzetten"))
    # The user is chosen outside the form, so that the form shows that user's current name,
    # role, organisation and areas: nothing changes that was not chosen. Whether they may log
    # in is not in the form but a button of its own: saving a new name or role, even from a
    # page opened before someone else disabled the user, never lets them in again.
    target = st.selectbox(
        t("Gebruiker"),
        people["id"].tolist(),
        key=f"{P}_target",
        format_func=dict(zip(people["id"], people["username"], strict=True)).get,
    )
    if target is not None:
        current = people.set_index("id").loc[target]
        org_options = [None, *orgs["id"].tolist()]
        area_options = read(queries.neighbourhoods)
        with st.form(f"{P}_change"):
            new_name = st.text_input(
                t("Naam"), value=current["name"], max_chars=200, key=f"{P}_new_name_{target}"
            )
            new_role = st.selectbox(
                t("Rol"),
                ROLES,
                index=ROLES.index(current["role"]) if current["role"] in ROLES else 0,
                format_func=ROLE_LABELS.get,
                key=f"{P}_new_role_{target}",
            )
            current_org = current["organisation_id"]
            new_org = st.selectbox(
                t("Organisatie"),
                org_options,
                index=org_options.index(current_org) if current_org in org_options else 0,
                key=f"{P}_new_org_{target}",
                format_func=lambda i: t("geen") if i is None else org_names[i],
            )
            new_areas = st.multiselect(
                t("Buurten (voor een buurtmakelaar)"),
                area_options,
                default=[a for a in str(current["areas"]).split(";") if a in area_options],
                key=f"{P}_new_areas_{target}",
                placeholder=t("Kies..."),
            )
            changed = st.form_submit_button(t("Wijzigen"))
        if changed:
            try:
                write(
                    accounts.update_user,
                    user_id=int(target),
                    role=new_role,
                    organisation_id=None if new_org is None else int(new_org),
                    areas=tuple(new_areas),
                    display_name=new_name,
                )
                st.session_state[f"{P}_messages"] = [t("Gebruiker gewijzigd.")]
                st.rerun()
            except DomainError as exc:
                show_domain_error(exc)

        # Disabling and enabling: an explicit choice, as the table above shows it now.
        name = plain(current["username"])
        if bool(current["active"]):
            st.caption(t("Mag inloggen") + ": " + t("ja"))
            switch = st.button(t("Uitzetten"), key=f"{P}_disable_{target}")
        else:
            st.caption(t("Mag inloggen") + ": " + t("nee, uitgezet"))
            switch = st.button(t("Weer aanzetten"), key=f"{P}_enable_{target}")
        if switch:
            enable = not bool(current["active"])
            try:
                write(accounts.set_active, user_id=int(target), active=enable)
                st.session_state[f"{P}_messages"] = [
                    t("Gebruiker '{name}' mag weer inloggen.", name=name)
                    if enable
                    else t("Gebruiker '{name}' is uitgezet en overal uitgelogd.", name=name)
                ]
                st.rerun()
            except DomainError as exc:
                show_domain_error(exc)

    st.subheader(t("Wachtwoord opnieuw instellen"))
    with st.form(f"{P}_reset"):
        who = st.selectbox(
            t("Gebruiker"),
            people["id"].tolist(),
            key=f"{P}_who",
            format_func=dict(zip(people["id"], people["username"], strict=True)).get,
        )
        # As in the add form: a new field after each saved password, so none stays behind.
        new_password = st.text_input(
            t("Nieuw wachtwoord"),
            type="password",
            key=f"{P}_new_password{st.session_state.setdefault(f'{P}_reset_count', 0)}",
        )
        reset = st.form_submit_button(t("Opslaan"))
    if reset:
        try:
            write(accounts.set_password, user_id=int(who), password=new_password)
            st.session_state[f"{P}_reset_count"] += 1
            st.session_state[f"{P}_messages"] = [t("Wachtwoord opgeslagen.")]
            st.rerun()
        except DomainError as exc:
            show_domain_error(exc)

with organisations_tab:
    # One form for administrators and brokers, on its own page: the same checks, and a broker
    # sees only the organisations in their own areas there.
    st.write(
        t(
            "Voeg een organisatie toe met haar contactpersoon, of verander er een. "
            "Dat doe je op de pagina Organisaties."
        )
    )
    st.page_link(
        "samenspel/web/views/organisations.py",
        label=t("Naar Organisaties"),
        icon=":material/groups:",
    )

with settings_tab:
    st.caption(t("Instellingen komen uit omgevingsvariabelen; zie de README."))
    rows = []
    for name, setting in settings.SETTINGS.items():
        meaning = setting.doc
        value = settings.get(name)
        if name in ("SAMENSPEL_DATABASE_URL", "SAMENSPEL_SMTP_URL") and "@" in value:
            value = (
                value.split("://")[0] + "://…@" + value.split("@", 1)[1]
            )  # no password on screen
        elif name == "SAMENSPEL_SECRET_KEY" and value:
            value = "…"  # whoever sees it could sign links in anyone's name
        rows.append(
            {t("Instelling"): name, t("Waarde"): value or t("(leeg)"), t("Betekenis"): meaning}
        )
    st.dataframe(rows, hide_index=True, width="stretch")


def _retry_mail(mail_id: int) -> None:
    # A callback: it runs before the page is drawn again, also when the mail is no longer
    # in the list by then (someone else retried it), so that click gets its answer too.
    try:
        write(mail_worker.retry, message_id=mail_id)
        st.session_state[f"{P}_messages"] = [
            t("De mail staat weer in de wachtrij. Samenspel probeert het zo opnieuw.")
        ]
    except DomainError as exc:
        st.session_state[f"{P}_mail_errors"] = messages_of(exc)


with mail_tab:
    for message in st.session_state.pop(f"{P}_mail_errors", []):
        st.error(message)
    if not settings.smtp_url():
        st.info(
            t(
                "Er is geen mailserver ingesteld (SAMENSPEL_SMTP_URL). Samenspel verstuurt geen"
                " mails; meldingen staan alleen in Samenspel zelf."
            )
        )
    st.subheader(t("Mails die niet verstuurd konden worden"))
    st.caption(
        t(
            "Een mail die niet weg kon, probeert Samenspel nog {n} keer, steeds later. Lukt het"
            " dan nog niet, dan staat de mail hier, met de fout van de mailserver.",
            n=mail_worker.MAX_ATTEMPTS - 1,
        )
    )
    failed_mails = ask(mail_worker.failed_messages)
    if not failed_mails:
        st.write(t("Geen. Alle mails zijn verstuurd of wachten nog op hun beurt."))
    for mail in failed_mails:
        with st.container(border=True):
            st.markdown(
                t(
                    "**{kind}** aan {address}: {attempts} keer geprobeerd, gemaakt {when}",
                    kind=plain(mail.kind),
                    address=plain(mail.to_address),
                    attempts=mail.attempts,
                    when=ago(mail.created_at),
                )
            )
            st.text(mail.last_error)  # the mail server's own answer, as it gave it
            st.button(
                t("Opnieuw proberen"),
                key=f"{P}_mail_retry_{mail.id}",
                on_click=_retry_mail,
                args=(mail.id,),
            )
