"""Privacy: what Samenspel keeps and why, who sees it, how long, your rights, and which
outside server a browser contacts.

The short version of docs/privacyverklaring.md (the full statement, with the name and address
of whoever runs Samenspel): the same sections in the same order, in fewer words. Change both
together. The retention periods come from the settings, never from this text, so the page
tells the truth about this installation. Nothing here links outside the app.
"""

import streamlit as st

from samenspel import settings
from samenspel.i18n import t
from samenspel.web.ui import bullets, plain

st.title(t("Privacy"))
st.write(
    t(
        "Samenspel bewaart alleen wat nodig is om vragen en aanbod bij elkaar te brengen: de naam en buurt van jullie organisatie, jullie vragen en aanbod, en een contactpersoon."
    )
)

st.subheader(t("Wie is verantwoordelijk?"))
st.write(
    t(
        "De gemeente of organisatie die Samenspel in jullie stad gebruikt, is verantwoordelijk voor jullie gegevens. Jullie buurtmakelaar vertelt wie dat is en hoe je hen bereikt. Ook de volledige privacyverklaring noemt hun naam en adres."
    )
)

st.subheader(t("Wat bewaren we en waarom?"))
bullets(
    t(
        "Over jullie organisatie: naam, buurt, adres, wat jullie doen en wat niet. Zo vinden vragen en aanbod in de buurt elkaar."
    ),
    t(
        "De contactpersoon (naam, e-mail, telefoon). Zo kunnen twee partijen elkaar bereiken als ze allebei ja zeggen."
    ),
    t(
        "Jullie vragen en aanbod, de suggesties en de samenwerkingen. Zo kan de buurtmakelaar helpen en zien we wat de buurt samen bereikt."
    ),
    t(
        "Accounts: gebruikersnaam, naam, rol en taal. Het wachtwoord bewaren we alleen als onherkenbare code."
    ),
    t(
        "Een logboek: wie wat deed en wanneer. Zo kunnen we zien of alles eerlijk gaat en fouten herstellen."
    ),
    t(
        "Voor de grenzen tegen misbruik (te vaak inloggen, plaatsen of contactgegevens bekijken) tellen we pogingen. We bewaren daarvoor een code in plaats van je IP-adres."
    ),
)

st.subheader(t("Wie ziet wat?"))
bullets(
    t("Iedereen ziet de kaart en de tekst van vragen en aanbod, nooit contactgegevens."),
    t("Een informele groep staat op de kaart in het midden van de buurt, niet op het eigen adres."),
    t("Contactgegevens van de andere kant zie je pas als jullie allebei ja hebben gezegd."),
    t(
        "De buurtmakelaar van jullie buurt ziet alles van jullie buurt, om te kunnen helpen. Makelaars van andere buurten zien wat iedereen ziet, en met wie jullie samenwerken. De beheerder ziet alles."
    ),
    t(
        "Downloads laten contactgegevens weg, en ook het adres en de precieze plek van informele groepen. Alleen de beheerder kan ze meenemen, en dat wordt vastgelegd."
    ),
    t("Elke download van persoonsgegevens wordt vastgelegd: wie, wat en wanneer."),
)

st.subheader(t("Hoe lang bewaren we het?"))
bullets(
    t(
        "Een samenwerking is afgelopen (klaar, afgezegd, verlopen of afgewezen): na {days} dagen halen we de notities en redenen weg, en wie wiens contactgegevens zag. De samenwerking zelf blijft, zonder namen, voor de cijfers van de buurt.",
        days=settings.retention_days("contact"),
    ),
    t(
        "Een vraag of aanbod dat verlopen of gesloten is, verwijderen we na {days} dagen, met de suggesties erbij. Kwam er een samenwerking uit, dan blijft die, zonder tekst en zonder plek.",
        days=settings.retention_days("expired_post"),
    ),
    t(
        "Regels in het logboek verliezen na {days} dagen hun details. Wat blijft: wie wat deed en wanneer.",
        days=settings.retention_days("audit"),
    ),
    t(
        "Om de betekenis van vragen en aanbod te vergelijken, maakt Samenspel van elke tekst een rij getallen. Verandert of verdwijnt de tekst, dan gaat die rij bij de volgende opruimronde weg."
    ),
    t(
        "Een mislukte inlogpoging telt een uur mee. Dat een apparaat eerder goed inlogde, onthouden we 30 dagen."
    ),
    t(
        "Jullie organisatie en contactpersoon bewaren we zolang jullie meedoen. Jullie kunnen ze zelf verwijderen."
    ),
)

st.subheader(t("Jullie rechten"))
bullets(
    t(
        "Inzien: op de pagina 'Ons profiel', bij 'Jullie gegevens', downloaden jullie alles wat Samenspel over jullie bewaart ('Download klaarmaken')."
    ),
    t(
        "Verbeteren: pas jullie gegevens aan op 'Ons profiel' en jullie vragen en aanbod op 'Mijn vragen en aanbod'."
    ),
    t(
        "Verwijderen: op 'Ons profiel' kiezen jullie 'Organisatie verwijderen'. Namen, teksten en contactgegevens gaan weg; de samenwerkingen blijven zonder namen voor de cijfers."
    ),
    t(
        "Voor iets anders, of als het niet lukt: vraag het jullie buurtmakelaar of de organisatie die Samenspel gebruikt. Ben je het er niet mee eens, dan kun je een klacht indienen bij de Autoriteit Persoonsgegevens."
    ),
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
