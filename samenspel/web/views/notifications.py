"""Meldingen per mail: the person's own e-mail address, and per kind of news how often they
want mail about it (direct, elke dag, elke week, nooit). Everything shows in the app anyway
("Nieuw voor jullie"); this only decides the mail (services/notify.py)."""

import streamlit as st

from samenspel.i18n import t
from samenspel.services import calendar, notify
from samenspel.web.ui import ask, require_page, show_field_error, submit_form, write

require_page("samenspel/web/views/notifications.py")
P = "notifications"
st.title(t("Meldingen per mail"))
if st.session_state.pop(f"{P}_saved", False):
    st.success(t("Opgeslagen."))
if st.session_state.pop(f"{P}_calendar_renewed", False):
    st.success(t("Nieuwe agenda-link gemaakt. De oude link werkt niet meer."))

mine = ask(notify.preferences)
st.write(
    t(
        "Alles wat nieuw is, zie je in Samenspel bij Nieuw voor jullie. Hier kies je of je daarover ook mail krijgt, en hoe vaak."
    )
)

with st.form(f"{P}_form"):
    email = st.text_input(
        t("Jouw e-mailadres"),
        value=mine.email,
        max_chars=200,
        key=f"{P}_email",
        help=t("Zonder e-mailadres krijg je geen mail. Je ziet alles dan alleen in Samenspel."),
    )
    show_field_error(P, "email")
    chosen = {}
    for kind, frequency in mine.frequencies.items():
        options = list(notify.allowed_frequencies(kind))
        chosen[kind] = st.radio(
            t(notify.KIND_LABELS[kind]),
            options,
            index=options.index(frequency) if frequency in options else 0,
            format_func=lambda f: t(notify.FREQUENCY_LABELS[f]),
            horizontal=True,
            key=f"{P}_{kind}",
        )
        show_field_error(P, kind)
    saved = st.form_submit_button(t("Opslaan"), type="primary")

if saved:
    submit_form(
        P,
        lambda: write(notify.save_preferences, email=email, frequencies=chosen),
        then=lambda _: st.session_state.__setitem__(f"{P}_saved", True),
    )
st.caption(
    t(
        "Elke dag en elke week: dan krijg je één mail met alles op een rij, 's ochtends. Elke week is op maandag. In elke mail staat een link om te stoppen."
    )
)

# The private calendar feed (services/calendar.py): its URL is the only key, so it can be renewed.
st.subheader(t("In je eigen agenda"))
st.write(
    t(
        "Zet de datums van jullie samenwerkingen in je eigen agenda. Op die dag vraagt Samenspel: is het gelukt? Kopieer de link en voeg hem toe in je agenda-app, bij 'Agenda toevoegen via link' (of 'Abonneren')."
    )
)
feed = ask(calendar.feed_url)
if feed:
    st.code(feed, language=None)
    st.caption(
        t(
            "Deze link is geheim. Wie hem heeft, ziet de datums en de namen, geen contactgegevens. Deel hem niet. Is hij toch bij iemand anders terechtgekomen? Maak dan een nieuwe link: de oude werkt daarna niet meer."
        )
    )
else:
    st.caption(t("Je hebt nog geen agenda-link."))
if st.button(t("Nieuwe link maken"), key=f"{P}_calendar_renew"):
    submit_form(
        f"{P}_calendar",
        lambda: write(calendar.renew_feed),
        then=lambda _: st.session_state.__setitem__(f"{P}_calendar_renewed", True),
    )
