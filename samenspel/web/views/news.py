"""Nieuw voor jullie: the first page after logging in. What waits for your answer, what the
other side said, and what to follow up, each with the way to it; nothing new says so and
points to the next useful thing to do."""

import streamlit as st

from samenspel.i18n import t
from samenspel.services import notify
from samenspel.services.scope import area_scope
from samenspel.web import queries
from samenspel.web.navigation import may_open
from samenspel.web.ui import ago, ask, current_user, kind_label, plain, read, require_page, write

require_page("samenspel/web/views/news.py")
user = current_user()
st.title(t("Nieuw voor jullie"))

MINE = "samenspel/web/views/mine.py"
HELP = "samenspel/web/views/help.py"
PARTNERSHIPS = "samenspel/web/views/partnerships.py"
REVIEW = "samenspel/web/views/review.py"
ORGANISATIONS = "samenspel/web/views/organisations.py"


def section(count: int, sentence: str, page: str, label: str, icon: str) -> None:
    """One kind of news: how many, and the page where to act on it."""
    if not count:
        return
    with st.container(border=True):
        st.markdown("**" + sentence + "**")  # words from the catalogue and a number only
        st.page_link(page, label=label, icon=icon)


def side_page() -> None:
    if user.organisation_id is None:
        st.info(t("Je account hoort nog niet bij een organisatie."))
        return
    news = read(queries.side_news, user.organisation_id)
    if news.empty:
        st.success(t("Er is nu niets nieuws voor jullie."))
        if not news.has_posts:
            st.write(t("Begin met wat jullie zoeken of wat jullie kunnen bieden."))
            st.page_link("samenspel/web/views/post.py", label=t("Vraag of aanbod plaatsen"),
                         icon=":material/edit_note:")  # fmt: skip
        else:
            st.write(t("Kijk op de kaart wie er nog meer in de buurt zit."))
            st.page_link("samenspel/web/views/home.py", label=t("Naar de kaart"),
                         icon=":material/map:")  # fmt: skip
        return
    section(len(news.for_needs),
            t("Nieuwe suggesties voor jullie vragen: {n}", n=len(news.for_needs)),
            MINE, t("Bekijk en antwoord"), ":material/list_alt:")  # fmt: skip
    section(len(news.for_offers),
            t("Vragen waar jullie aanbod bij past: {n}", n=len(news.for_offers)),
            HELP, t("Bekijk en antwoord"), ":material/volunteer_activism:")  # fmt: skip
    section(len(news.waiting_for_yes),
            t("Kennismakingen die wachten op jullie ja: {n}", n=len(news.waiting_for_yes)),
            MINE, t("Naar de kennismakingen"), ":material/handshake:")  # fmt: skip
    section(len(news.follow_ups),
            t("Samenwerkingen waarvan we willen horen hoe het gaat: {n}", n=len(news.follow_ups)),
            PARTNERSHIPS, t("Is het gelukt?"), ":material/task_alt:")  # fmt: skip
    if len(news.answers):
        st.subheader(t("Antwoorden van de andere kant"))
        for m in news.answers.itertuples(index=False):
            other, post = plain(m.other), plain(m.post)
            if m.answer == "asked":
                line = t("{other} wil met jullie kennismaken ({post}).", other=other, post=post)
            elif m.answer == "said_yes":
                line = t("{other} zei ja op de kennismaking ({post}). Nu jullie nog.",
                         other=other, post=post)  # fmt: skip
            elif m.answer == "agreed":
                line = t("Afgesproken met {other} ({post}): jullie kunnen elkaars contactgegevens zien.",
                         other=other, post=post)  # fmt: skip
            else:
                line = t("{other} zei dat het niet past ({post}).", other=other, post=post)
            st.markdown("• " + line + f" · {ago(m.updated_at)}")


def broker_page() -> None:
    news = read(queries.broker_news, scope=area_scope(user.role, user.areas))
    if news.empty:
        st.success(t("Er is nu niets nieuws in jouw buurten."))
        st.write(t("Kijk op de kaart welke vragen nog open staan."))
        st.page_link("samenspel/web/views/home.py", label=t("Naar de kaart"), icon=":material/map:")
        return
    section(news.asked_by_both,
            t("Suggesties waar beide kanten om vroegen: {n}", n=news.asked_by_both),
            REVIEW, t("Naar te beoordelen"), ":material/fact_check:")  # fmt: skip
    section(news.asked_by_one,
            t("Suggesties waar één kant om vroeg: {n}", n=news.asked_by_one),
            REVIEW, t("Naar te beoordelen"), ":material/fact_check:")  # fmt: skip
    section(news.new_suggestions,
            t("Nieuwe suggesties van Samenspel: {n}", n=news.new_suggestions),
            REVIEW, t("Naar te beoordelen"), ":material/fact_check:")  # fmt: skip
    section(news.follow_ups, t("Samenwerkingen om op te volgen: {n}", n=news.follow_ups),
            PARTNERSHIPS, t("Naar samenwerkingen"), ":material/handshake:")  # fmt: skip
    section(news.signups_waiting,
            t("Nieuwe organisaties die op jouw goedkeuring wachten: {n}", n=news.signups_waiting),
            ORGANISATIONS, t("Naar de aanmeldingen"), ":material/person_add:")  # fmt: skip
    if len(news.gaps):
        st.subheader(t("Vragen zonder goede match"))
        st.caption(
            t("Samenspel vond geen aanbod dat goed genoeg past. Ken jij een partner? Of help het initiatief de vraag scherper te maken.")
        )  # fmt: skip
        for g in news.gaps.itertuples(index=False):
            st.markdown(f"• **{plain(g.initiative)}**: {plain(g.title)} · {kind_label(g.kind)}"
                        f" · {ago(g.created_at)}")  # fmt: skip
    if len(news.auto_introduced):
        st.subheader(t("Vanzelf aan elkaar voorgesteld"))
        st.caption(
            t("Beide kanten zeiden ja, en jouw buurt koos: dan meteen voorstellen. Past het toch niet? Beëindig het bij Samenwerkingen.")
        )  # fmt: skip
        for m in news.auto_introduced.itertuples(index=False):
            st.markdown(f"• **{plain(m.initiative)}** ↔ **{plain(m.partner)}**: "
                        f"{plain(m.need_title)} · {ago(m.updated_at)}")  # fmt: skip
        st.page_link(PARTNERSHIPS, label=t("Naar samenwerkingen"), icon=":material/handshake:")


def messages() -> None:
    """Berichten: the person's latest notifications (also what was mailed); once shown here,
    they count as read."""
    lines = ask(notify.recent)
    if not lines:  # nothing to show: the page keeps pointing at the one next step
        return
    st.subheader(t("Berichten"))
    for line in lines:
        new = "" if line.read else "**" + t("Nieuw") + "** · "
        st.markdown("• " + new + plain(line.text) + f" · {ago(line.created_at)}")
    unread = [line.id for line in lines if not line.read]
    if unread:
        write(notify.mark_read, ids=unread)
    settings_page = "samenspel/web/views/notifications.py"
    if may_open(user.role, settings_page):
        st.page_link(settings_page, label=t("Meldingen per mail"), icon=":material/mail:")


if user.role in ("broker", "admin"):
    broker_page()
else:
    side_page()
messages()
