"""Privacy: what Samenspel keeps, who sees it, and which outside server a browser contacts."""

import streamlit as st

from samenspel import settings
from samenspel.i18n import t
from samenspel.ui import plain

st.title(t("Privacy"))
st.write(
    t(
        "Samenspel bewaart alleen wat nodig is om vragen en aanbod bij elkaar te brengen: de naam en buurt van jullie organisatie, jullie vragen en aanbod, en een contactpersoon."
    )
)
st.subheader(t("Wie ziet wat?"))
st.markdown(
    "\n".join(
        f"- {line}"
        for line in (
            t("Iedereen ziet de kaart en de tekst van vragen en aanbod, nooit contactgegevens."),
            t(
                "Een informele groep staat op de kaart in het midden van de buurt, niet op het eigen adres."
            ),
            t("Contactgegevens van de andere kant zie je pas als jullie allebei ja hebben gezegd."),
            t(
                "De buurtmakelaar van jullie buurt ziet alles van jullie buurt, om te kunnen helpen."
            ),
            t("Elke download van persoonsgegevens wordt vastgelegd: wie, wat en wanneer."),
        )
    )
)
st.subheader(t("Andere servers"))
st.write(
    t(
        "Je browser haalt alles van deze website zelf, met één uitzondering: de achtergrond van de kaart komt van {host}. Die server ziet je IP-adres en welk stuk kaart je bekijkt, niets anders.",
        host=plain(settings.tile_host()),
    )
)
st.write(
    t(
        "Samenspel gebruikt geen advertenties, geen trackers en geen lettertypes of scripts van andere websites."
    )
)
