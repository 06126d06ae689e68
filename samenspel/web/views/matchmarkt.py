"""Matchmarkt: brokers create an event, invite their neighbourhoods, plan the talks (and move
or lock them), print the papers and read the report; organisations register with what they
seek and bring, ask for or decline talks, and read their own agenda."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from samenspel.i18n import language, t
from samenspel.matching.reasons import BROKER as BROKER_READER
from samenspel.matching.reasons import INITIATIVE, PARTNER, euro, render_stored
from samenspel.services import matchmarkt, matchmarkt_deals, matchmarkt_print
from samenspel.web.ui import (
    ask,
    current_user,
    deferred,
    plain,
    require_page,
    show_field_error,
    submit_form,
    write,
)

require_page("samenspel/web/views/matchmarkt.py")
P = "mm"
DAY_PAGE = "samenspel/web/views/matchmarkt_day.py"
COUNTER_PAGE = "samenspel/web/views/matchmarkt_counter.py"
user = current_user()
staff = user.role in ("broker", "admin")
st.title(t("Matchmarkt"))
st.caption(
    t(
        "Een matchmarkt is een bijeenkomst met korte gesprekken aan tafel. Organisaties die iets zoeken praten met organisaties die iets kunnen geven, en sluiten ter plekke deals."
    )
)
for message in st.session_state.pop(f"{P}_messages", []):
    st.success(message)


def said(message):
    """For submit_form: the message to show after the rerun (or a function of the result
    that makes it)."""

    def note(result) -> None:
        text = message(result) if callable(message) else message
        st.session_state.setdefault(f"{P}_messages", []).append(text)

    return note


def new_event_form() -> None:
    from samenspel.services import organisations

    hoods = ask(organisations.neighbourhood_choices)
    with st.form(f"{P}_new"):
        title = st.text_input(t("Naam"), placeholder=t("bijvoorbeeld: Beursvloer Lombok"))
        show_field_error(P, "title")
        left, right = st.columns(2)
        held_on = left.date_input(
            t("Datum"), value=date.today() + timedelta(weeks=4), format="DD-MM-YYYY"
        )
        starts_at = right.text_input(t("Begintijd"), value="19:00")
        show_field_error(P, "starts_at")
        place = st.text_input(t("Plek"), placeholder=t("bijvoorbeeld: Buurthuis De Boog"))
        one, two, three = st.columns(3)
        rounds = one.number_input(t("Rondes"), min_value=1, max_value=12, value=6)
        minutes = two.number_input(t("Minuten per ronde"), min_value=5, max_value=60, value=15)
        tables = three.number_input(t("Tafels"), min_value=1, max_value=200, value=10)
        # A broker invites their own neighbourhoods unless they choose fewer; an administrator chooses.
        areas = st.multiselect(t("Welke buurten nodig je uit?"), hoods, default=hoods if user.role == "broker" else [],
                               placeholder=t("Kies een of meer buurten"))  # fmt: skip
        show_field_error(P, "areas")
        if st.form_submit_button(t("Matchmarkt maken"), type="primary"):
            form = matchmarkt.EventForm(title, held_on, starts_at, place, int(rounds), int(minutes),
                                        int(tables), tuple(areas))  # fmt: skip
            submit_form(P, lambda: write(matchmarkt.create_event, form=form),
                        said(t("De matchmarkt is gemaakt. Nodig nu de organisaties uit.")))  # fmt: skip


lines = ask(matchmarkt.event_lines)
if staff:
    with st.expander(t("Nieuwe matchmarkt maken"), expanded=not lines):
        new_event_form()
if not lines:
    if staff:
        st.info(t("Er is nog geen matchmarkt in jouw buurten. Maak er hierboven een."))
    else:
        st.info(
            t(
                "Er is nog geen matchmarkt voor jullie. De buurtmakelaar nodigt jullie uit als er een is."
            )
        )
    st.stop()

by_id = {line.id: line for line in lines}
wanted = st.query_params.get("id", "")
ids = list(by_id)
chosen = st.selectbox(
    t("Kies een matchmarkt"),
    ids,
    index=ids.index(int(wanted)) if wanted.isdigit() and int(wanted) in by_id else 0,
    format_func=lambda i: f"{by_id[i].title} ({by_id[i].held_on.strftime('%d-%m-%Y')})",
)
view = ask(matchmarkt.overview, matchmarkt_id=chosen)
st.markdown(
    t(
        "**{title}**: {day} om {time}, {place}. {rounds} rondes van {minutes} minuten, {tables} tafels.",
        title=plain(view.title), day=view.held_on.strftime("%d-%m-%Y"), time=view.starts_at,
        place=plain(view.place or t("plek volgt")), rounds=view.rounds, minutes=view.round_minutes,
        tables=view.tables,
    )
)  # fmt: skip
if matchmarkt.MATCHMAKER in view.roles or matchmarkt.NOTARIS in view.roles:
    st.page_link(DAY_PAGE, label=t("Naar de dag zelf: deals opschrijven en bevestigen"),
                 icon=":material/handshake:", query_params={"id": view.id})  # fmt: skip


def side_label(role: str) -> str:
    return t("maatschappelijke organisatie") if role == "initiative" else t("partner")


STATUS_LABELS = {
    matchmarkt.INVITED: t("uitgenodigd"),
    matchmarkt.REGISTERED: t("aangemeld"),
    matchmarkt.DECLINED: t("komt niet"),
}


def talks_table(rows) -> pd.DataFrame:
    """Every talk, for the broker (reasons written for a broker)."""
    lang = language()
    return pd.DataFrame(
        [
            {
                t("Ronde"): r.round,
                t("Tijd"): matchmarkt_print.round_start(view, r.round),
                t("Tafel"): r.table,
                t("Zoekt"): f"{r.seeker}: {r.need}",
                t("Geeft"): f"{r.giver}: {r.offer}",
                t("Waarom"): "; ".join(render_stored(r.reasons, lang, BROKER_READER)[:3]),
                t("Vastgezet"): t("ja") if r.locked else "",
            }
            for r in rows
        ]
    )


# --- the broker's tabs ----------------------------------------------------------------------


def parties_tab() -> None:
    st.write(t("Uitnodigen gaat naar alle goedgekeurde organisaties in: {areas}. Ze krijgen een bericht.",
               areas=plain(", ".join(view.areas))))  # fmt: skip
    if st.button(t("Organisaties uitnodigen"), type="primary"):
        submit_form(P, lambda: write(matchmarkt.invite, matchmarkt_id=view.id),
                    said(lambda n: t("Uitgenodigd: {n} organisaties.", n=n)))  # fmt: skip
    if not view.parties:
        st.info(t("Nog niemand uitgenodigd."))
        return
    registered = sum(p.status == matchmarkt.REGISTERED for p in view.parties)
    st.metric(t("Aangemeld"), f"{registered} / {len(view.parties)}")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("Organisatie"): p.name,
                    t("Soort"): side_label(p.role),
                    t("Buurt"): p.neighbourhood,
                    t("Status"): STATUS_LABELS.get(p.status, p.status),
                    t("Zoekt"): "; ".join(title for _, title, _ in p.needs),
                    t("Brengt"): "; ".join(title for _, title, _ in p.offers),
                    t("Toelichting"): p.note,
                }
                for p in sorted(view.parties, key=lambda p: p.status != matchmarkt.REGISTERED)
            ]  # fmt: skip
        ),
        hide_index=True,
        width="stretch",
    )
    register_for_someone()


def register_for_someone() -> None:
    """Many organisations have no account: their broker registers them with their posts."""
    waiting = {p.organisation_id: p.name for p in view.parties if p.status != matchmarkt.DECLINED}
    if not waiting:
        return
    with st.expander(t("Een organisatie aanmelden (voor wie zelf geen account heeft)")):
        org_id = st.selectbox(
            t("Organisatie"), list(waiting), format_func=waiting.get, key=f"{P}_for_org"
        )
        party = next(p for p in view.parties if p.organisation_id == org_id)
        posts = ask(matchmarkt.party_posts, matchmarkt_id=view.id, organisation_id=org_id)
        register_form(party, posts, key=f"{P}_for_{org_id}",
                      done=t("{name} is aangemeld.", name=plain(party.name)))  # fmt: skip


def plan_tab() -> None:
    st.write(t("Samenspel zoekt per ronde en tafel de gesprekken met de meeste kans op een deal. Gevraagde gesprekken gaan voor, dan iedereen minstens één gesprek. Vastgezette gesprekken blijven staan."))  # fmt: skip
    if st.button(t("Gesprekken plannen"), type="primary"):
        submit_form(P, lambda: write(matchmarkt.make_plan, matchmarkt_id=view.id),
                    said(lambda plan: t("Gesprekken gepland: {n}.", n=len(plan.meetings))))  # fmt: skip
    show_field_error(P, "plan")
    summary = view.plan_summary
    if summary:
        plan, greedy = summary["plan"], summary["greedy"]
        left, mid, right = st.columns(3)
        left.metric(t("Gesprekken"), plan["meetings"], delta=plan["meetings"] - greedy["meetings"])
        mid.metric(t("Organisaties met een gesprek"), f"{plan['parties_reached']} / {plan['parties']}",
                   delta=plan["parties_reached"] - greedy["parties_reached"])  # fmt: skip
        right.metric(t("Verwachte waarde"), f"{plan['total_value']:.1f}",
                     delta=round(plan["total_value"] - greedy["total_value"], 1))  # fmt: skip
        st.caption(t("Het verschil is ten opzichte van een eenvoudig plan dat steeds het beste gesprek pakt dat nog past."))  # fmt: skip
    if not view.talks:
        return
    st.dataframe(talks_table(view.talks), hide_index=True, width="stretch")
    st.subheader(t("Een gesprek verplaatsen of vastzetten"))
    labels = {r.id: t("Ronde {round}, tafel {table}: {seeker} en {giver}", round=r.round, table=r.table,
                      seeker=r.seeker, giver=r.giver) for r in view.talks}  # fmt: skip
    talk_id = st.selectbox(t("Gesprek"), list(labels), format_func=labels.get)
    talk = next(r for r in view.talks if r.id == talk_id)
    with st.form(f"{P}_move"):
        left, right = st.columns(2)
        new_round = left.number_input(t("Naar ronde"), 1, view.rounds, talk.round)
        new_table = right.number_input(t("Naar tafel"), 1, view.tables, talk.table)
        show_field_error(P, "move")
        if st.form_submit_button(t("Verplaatsen en vastzetten")):
            submit_form(P, lambda: write(matchmarkt.move_talk, talk_id=talk.id, round=int(new_round),
                                         table=int(new_table)),
                        said(t("Het gesprek is verplaatst en vastgezet.")))  # fmt: skip
    if st.button(t("Losmaken") if talk.locked else t("Vastzetten"), key=f"{P}_lock"):
        submit_form(P, lambda: write(matchmarkt.set_locked, talk_id=talk.id, locked=not talk.locked),
                    said(t("Opgeslagen.")))  # fmt: skip


def print_tab() -> None:
    st.write(t("Voor op papier: een agenda per deelnemer, een kaart per tafel, en badges in twee kleuren (groen: maatschappelijke organisaties, blauw: partners)."))  # fmt: skip
    for label, service, name in (
        (t("Agenda's (PDF)"), matchmarkt_print.agendas, "agendas"),
        (t("Tafelkaarten (PDF)"), matchmarkt_print.table_cards, "tafels"),
        (t("Badges (PDF)"), matchmarkt_print.badges, "badges"),
    ):
        st.download_button(label, deferred(service, matchmarkt_id=view.id),
                           file_name=f"matchmarkt-{view.id}-{name}.pdf", mime="application/pdf",
                           key=f"{P}_pdf_{name}", on_click="ignore")  # fmt: skip


def team_tab() -> None:
    st.write(t("Matchmakers helpen aan tafel en schrijven deals op. De notaris bevestigt ze. Jij en de andere makelaars van deze buurten mogen allebei."))  # fmt: skip
    with st.form(f"{P}_crew"):
        left, right = st.columns(2)
        username = left.text_input(t("Gebruikersnaam"))
        show_field_error(P, "username")
        role = right.selectbox(t("Taak"), list(matchmarkt.CREW_ROLES),
                               format_func=lambda r: t(matchmarkt.CREW_ROLES[r]))  # fmt: skip
        if st.form_submit_button(t("Toevoegen")):
            submit_form(P, lambda: write(matchmarkt.add_crew, matchmarkt_id=view.id, username=username, role=role),
                        said(t("Toegevoegd.")))  # fmt: skip
    for member in view.crew:
        role_label = t(matchmarkt.CREW_ROLES[member.role])
        st.write(f"- {plain(member.name)}: {role_label}")


def report_tab() -> None:
    report = ask(matchmarkt_deals.report, matchmarkt_id=view.id)
    national = report.national
    left, mid, right = st.columns(3)
    left.metric(t("Deals"), report.deals)
    mid.metric(t("Geschatte waarde"), f"€ {euro(report.value_eur, language())}")
    share = f"{report.carried_out / report.deals:.0%}" if report.deals else "-"
    right.metric(t("Uitgevoerd"), share)
    national_share = f"{national['carried_out']:.0%}"
    st.caption(t(
        "Landelijk sluit een beursvloer gemiddeld {avg} deals (de beste {low} tot {high}); ongeveer {share} wordt binnen een jaar uitgevoerd.",
        avg=national["deals_per_event"], low=national["best_deals"][0], high=national["best_deals"][1],
        share=national_share))  # fmt: skip
    left, right = st.columns(2)
    left.dataframe(pd.DataFrame({t("Hoek"): [t(matchmarkt.CORNERS[c]) for c in report.per_corner],
                                 t("Deals"): list(report.per_corner.values())}), hide_index=True)  # fmt: skip
    right.dataframe(pd.DataFrame({t("Buurt"): list(report.per_neighbourhood),
                                  t("Deals"): list(report.per_neighbourhood.values())}), hide_index=True)  # fmt: skip
    st.page_link(COUNTER_PAGE, label=t("Teller voor aan de muur"), icon=":material/scoreboard:",
                 query_params={"id": view.id})  # fmt: skip


# --- an organisation's part ------------------------------------------------------------------


def register_form(party, posts: dict, key: str, done: str) -> None:
    """Register `party` (or change its registration) with its open needs and offers."""
    titles = dict(posts["needs"] + posts["offers"])
    with st.form(key):
        need_ids = st.multiselect(t("Wat zoeken jullie? (jullie vragen)"), [i for i, _ in posts["needs"]],
                                  default=[i for i, *_ in party.needs if i in titles],
                                  format_func=titles.get, placeholder=t("Kies jullie vragen"))  # fmt: skip
        offer_ids = st.multiselect(t("Wat brengen jullie mee? (jullie aanbod)"), [i for i, _ in posts["offers"]],
                                   default=[i for i, *_ in party.offers if i in titles],
                                   format_func=titles.get, placeholder=t("Kies jullie aanbod"))  # fmt: skip
        show_field_error(P, "posts")
        note = st.text_area(
            t("Nog iets voor de makelaar? (niet verplicht)"), value=party.note, max_chars=500
        )
        if st.form_submit_button(t("Aanmelden") if party.status != matchmarkt.REGISTERED else t("Aanmelding bijwerken"),
                                 type="primary"):  # fmt: skip
            submit_form(P, lambda: write(matchmarkt.register, matchmarkt_id=view.id,
                                         organisation_id=party.organisation_id, need_ids=need_ids,
                                         offer_ids=offer_ids, note=note),
                        said(done))  # fmt: skip


def agenda_part(party) -> None:
    """The party's own talks as cards (readable on a phone), with its agenda as a PDF."""
    st.subheader(t("Jullie agenda"))
    if not view.talks:
        st.info(t("Er zijn nog geen gesprekken gepland. Kijk later nog eens."))
        return
    lang = language()
    for talk in view.talks:
        seeker = talk.seeker_id == party.organisation_id
        with st.container(border=True):
            st.markdown(t("**Ronde {round}, {time}, tafel {table}**: met {other}",
                          round=talk.round, time=matchmarkt_print.round_start(view, talk.round),
                          table=talk.table, other=plain(talk.giver if seeker else talk.seeker)))  # fmt: skip
            st.caption(
                t("Vraag: {need}", need=plain(talk.need))
                + " · "
                + t("Aanbod: {offer}", offer=plain(talk.offer))
            )
            why = render_stored(talk.reasons, lang, INITIATIVE if seeker else PARTNER)[:3]
            if why:
                st.caption(t("Waarom: {reasons}", reasons=plain("; ".join(why))))
    st.download_button(t("Onze agenda (PDF)"), deferred(matchmarkt_print.agendas, matchmarkt_id=view.id,
                                                         organisation_id=party.organisation_id),
                       file_name=f"matchmarkt-{view.id}-agenda.pdf", mime="application/pdf",
                       on_click="ignore")  # fmt: skip


def wishes_part(party) -> None:
    others = {
        p.organisation_id: p.name
        for p in view.parties
        if p.organisation_id != party.organisation_id
    }
    if not others:
        return
    wishes = ask(matchmarkt.own_wishes, matchmarkt_id=view.id)
    with st.expander(t("Met wie willen jullie praten?"), expanded=not view.talks):
        with st.form(f"{P}_wishes"):
            asked = st.multiselect(t("Graag een gesprek met"), list(others), default=wishes["ask"],
                                   format_func=others.get, placeholder=t("Kies organisaties"))  # fmt: skip
            declined = st.multiselect(t("Liever geen gesprek met"), list(others), default=wishes["decline"],
                                      format_func=others.get, placeholder=t("Kies organisaties"))  # fmt: skip
            show_field_error(P, "wishes")
            if st.form_submit_button(t("Wensen opslaan")):
                submit_form(P, lambda: write(matchmarkt.set_wishes, matchmarkt_id=view.id,
                                             organisation_id=party.organisation_id, ask=asked,
                                             decline=declined),
                            said(t("Jullie wensen zijn opgeslagen. De makelaar plant de gesprekken.")))  # fmt: skip


def party_part() -> None:
    """What waits for the organisation first: its agenda once there is one, else its answer."""
    party = view.party
    registered = party.status == matchmarkt.REGISTERED
    if registered:
        agenda_part(party)
    st.write(
        {
            matchmarkt.INVITED: t("Jullie zijn uitgenodigd. Melden jullie je aan?"),
            matchmarkt.REGISTERED: t("Jullie zijn aangemeld."),
            matchmarkt.DECLINED: t(
                "Jullie hebben gezegd dat jullie niet komen. Toch komen? Meld je hieronder aan."
            ),
        }[party.status]
    )
    with st.expander(
        t("Aanmelding bijwerken") if registered else t("Aanmelden"), expanded=not registered
    ):
        posts = ask(matchmarkt.own_posts, matchmarkt_id=view.id)
        if not posts["needs"] and not posts["offers"]:
            st.info(
                t(
                    "Jullie hebben nog geen open vraag of aanbod. Plaats eerst wat jullie zoeken of bieden."
                )
            )
            st.page_link(
                "samenspel/web/views/post.py", label=t("Naar Plaatsen"), icon=":material/edit_note:"
            )
        register_form(party, posts, key=f"{P}_register", done=t("Jullie zijn aangemeld."))
        if party.status != matchmarkt.DECLINED and st.button(t("Wij komen niet")):
            submit_form(P, lambda: write(matchmarkt.decline_invitation, matchmarkt_id=view.id,
                                         organisation_id=party.organisation_id),
                        said(t("Jammer! De makelaar weet dat jullie niet komen.")))  # fmt: skip
    if registered:
        wishes_part(party)


if matchmarkt.BROKER in view.roles:
    tabs = st.tabs([t("Deelnemers"), t("Gesprekken"), t("Afdrukken"), t("Team"), t("Verslag")])
    for tab, part in zip(
        tabs, (parties_tab, plan_tab, print_tab, team_tab, report_tab), strict=True
    ):
        with tab:
            part()
elif view.party is not None:
    party_part()
