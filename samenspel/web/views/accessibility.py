"""Toegankelijkheidsverklaring: how accessible Samenspel is, how that is checked, what does
not work well yet, and how to report a problem. The short version of
docs/accessibility.md; change both together. Nothing here links outside the app."""

import streamlit as st

from samenspel.i18n import t
from samenspel.web.ui import bullets

st.title(t("Toegankelijkheid"))
st.write(
    t(
        "Iedereen moet Samenspel kunnen gebruiken: met een muis of alleen met het toetsenbord, met een schermlezer, op een telefoon, met grote letters. Samenspel wil voldoen aan de toegankelijkheidseisen voor de overheid: WCAG 2.1 niveau AA."
    )
)

st.subheader(t("Hoe we dit controleren"))
bullets(
    t(
        "Bij elke wijziging test een computer elke pagina van elke rol met axe-core. Een ernstige fout houdt de wijziging tegen."
    ),
    t(
        "Een test doet alles alleen met het toetsenbord: inloggen, een vraag plaatsen, een punt op de kaart openen en op een suggestie antwoorden."
    ),
    t("We bekijken de pagina's ook op een telefoonscherm."),
)

st.subheader(t("Wat je kunt verwachten"))
bullets(
    t("Elke pagina heeft een eigen titel en staat in jouw taal."),
    t("Je ziet altijd waar je bent met het toetsenbord: een donkere rand om wat gekozen is."),
    t(
        "Op de kaart kun je met Tab naar een punt gaan en met Enter de kaart van dat punt openen. Met 'Sla de kaart over' ga je in een keer voorbij de kaart."
    ),
    t(
        "Alles op de kaart staat ook in de lijst (knop 'Lijst' boven de kaart), met dezelfde filters."
    ),
    t(
        "Vormen en kleuren samen vertellen wat een punt is: rondjes zijn vragen, ruitjes zijn aanbod. De kleuren zijn ook te onderscheiden als je kleuren anders ziet."
    ),
)

st.subheader(t("Wat nog niet goed werkt"))
bullets(
    t(
        "De achtergrond van de kaart (straten en gebouwen) is een plaatje zonder tekst. Gebruik de lijst als je de kaart niet kunt zien."
    ),
    t(
        "De kaartjes en badges voor een matchmarkt zijn PDF-bestanden om te printen. Een schermlezer leest ze niet goed. Alles wat erop staat, staat ook op de pagina Matchmarkt."
    ),
    t(
        "Sommige knoppen van het programma waarop Samenspel draait, zijn Engels. We vertalen ze; nieuwe knoppen kunnen even Engels blijven."
    ),
)

st.subheader(t("Werkt iets niet voor jou?"))
st.write(
    t(
        "Laat het ons weten via jullie buurtmakelaar of de beheerder van Samenspel in jullie stad. Zeg op welke pagina het was en wat er niet lukte. Je krijgt binnen vijf werkdagen antwoord, en we zoeken samen een andere manier tot het is opgelost."
    )
)
