"""The matchmarkt on paper, as a beursvloer uses it: an agenda per participant (when, at which
table, with whom and why), a card per table, and badges in two colours (social organisations
and partners). Made with fpdf2 and the DejaVu font shipped in samenspel/data/fonts (its
licence is there): the PDF core fonts know no letters beyond Latin-1.

User text is only ever passed to fpdf2 as text to print (no markdown, no markup)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from sqlmodel import Session

from samenspel.i18n import language, t
from samenspel.matching.reasons import INITIATIVE, PARTNER, render_stored
from samenspel.paths import FONTS_DIR
from samenspel.services.errors import NotAllowed
from samenspel.services.matchmarkt import (
    REGISTERED,
    get_event,
    parties,
    require_event_broker,
    talks,
)
from samenspel.services.permissions import Actor, require_signed_in
from samenspel.storage.models import Matchmarkt

FONT = "DejaVu"
# Badge colours (RGB): the two kinds of party tell each other apart across the room.
SOCIAL = (0, 110, 90)  # initiatives: green
PARTNER_COLOUR = (30, 70, 160)  # businesses, funds, venues and the rest: blue
NEXT = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


def _pdf(orientation: str = "P") -> FPDF:
    pdf = FPDF(orientation=orientation, format="A4")
    pdf.add_font(FONT, "", str(FONTS_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_creator("Samenspel")
    return pdf


def round_start(event: Matchmarkt, round_no: int) -> str:
    start = datetime.combine(event.held_on, datetime.strptime(event.starts_at, "%H:%M").time())
    return (start + timedelta(minutes=(round_no - 1) * event.round_minutes)).strftime("%H:%M")


def _heading(pdf: FPDF, event: Matchmarkt) -> None:
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, event.title, **NEXT)
    pdf.set_font(FONT, "", 11)
    where = ", ".join(
        x for x in (event.held_on.strftime("%d-%m-%Y"), event.starts_at, event.place) if x
    )
    pdf.multi_cell(0, 6, where, **NEXT)
    pdf.ln(3)


def agendas(*, session: Session, actor: Actor, matchmarkt_id: int,
            organisation_id: int | None = None) -> bytes:  # fmt: skip
    """One page (or more) per registered party: its talks by round. The event's broker prints
    them all (or one); an organisation its own."""
    event = get_event(session, matchmarkt_id)
    require_signed_in(actor)
    if organisation_id is None or actor.organisation_id != organisation_id:
        require_event_broker(actor, event)
    everyone = [p for p in parties(session, event.id) if p.status == REGISTERED]
    chosen = [p for p in everyone if organisation_id in (None, p.organisation_id)]
    if organisation_id is not None and not chosen:
        raise NotAllowed(t("Jullie zijn niet aangemeld voor deze matchmarkt."))
    planned = talks(session, event.id)
    lang = language()
    pdf = _pdf()
    for party in chosen:
        pdf.add_page()
        _heading(pdf, event)
        pdf.set_font(FONT, "B", 14)
        pdf.multi_cell(0, 8, t("Agenda van {name}", name=party.name), **NEXT)
        pdf.ln(2)
        own = [x for x in planned if party.organisation_id in (x.seeker_id, x.giver_id)]
        if not own:
            pdf.set_font(FONT, "", 11)
            pdf.multi_cell(0, 6, t("Er staan nog geen gesprekken voor jullie gepland. Kom gerust: de matchmakers helpen jullie op de dag verder."), **NEXT)  # fmt: skip
        for talk in own:
            seeker = talk.seeker_id == party.organisation_id
            other = talk.giver if seeker else talk.seeker
            pdf.set_font(FONT, "B", 12)
            pdf.multi_cell(0, 7, t("Ronde {round}, {time} - tafel {table}: {other}", round=talk.round,
                                   time=round_start(event, talk.round), table=talk.table, other=other), **NEXT)  # fmt: skip
            pdf.set_font(FONT, "", 10)
            pdf.multi_cell(0, 5, t("Vraag: {need}", need=talk.need), **NEXT)
            pdf.multi_cell(0, 5, t("Aanbod: {offer}", offer=talk.offer), **NEXT)
            why = render_stored(talk.reasons, lang, INITIATIVE if seeker else PARTNER)[:3]
            if why:
                pdf.multi_cell(0, 5, t("Waarom: {reasons}", reasons="; ".join(why)), **NEXT)
            pdf.ln(3)
    if not chosen:
        pdf.add_page()
        _heading(pdf, event)
        pdf.multi_cell(0, 6, t("Nog niemand heeft zich aangemeld."), **NEXT)
    return bytes(pdf.output())


def table_cards(*, session: Session, actor: Actor, matchmarkt_id: int) -> bytes:
    """One landscape page per table: its number large, and who sits there in which round."""
    event = get_event(session, matchmarkt_id)
    require_event_broker(actor, event)
    planned = talks(session, event.id)
    pdf = _pdf("L")
    for table in range(1, event.tables + 1):
        pdf.add_page()
        pdf.set_font(FONT, "B", 96)
        pdf.cell(0, 50, t("Tafel {n}", n=table), align="C", **NEXT)
        pdf.set_font(FONT, "", 14)
        for talk in (x for x in planned if x.table == table):
            pdf.multi_cell(0, 8, t("Ronde {round} ({time}): {seeker} en {giver}", round=talk.round,
                                   time=round_start(event, talk.round), seeker=talk.seeker,
                                   giver=talk.giver), **NEXT)  # fmt: skip
    return bytes(pdf.output())


def badges(*, session: Session, actor: Actor, matchmarkt_id: int) -> bytes:
    """Badges, eight to a page: a coloured band (green for initiatives, blue for partners),
    the organisation's name, and which side it is."""
    event = get_event(session, matchmarkt_id)
    require_event_broker(actor, event)
    registered = [p for p in parties(session, event.id) if p.status == REGISTERED]
    pdf = _pdf()
    width, height, per_row, per_page = 90, 62, 2, 8
    for i, party in enumerate(registered):
        if i % per_page == 0:
            pdf.add_page()
        x = 15 + (i % per_row) * (width + 0)
        y = 15 + ((i % per_page) // per_row) * height
        colour = SOCIAL if party.role == "initiative" else PARTNER_COLOUR
        side = t("Maatschappelijke organisatie") if party.role == "initiative" else t("Partner")
        pdf.set_draw_color(150, 150, 150)
        pdf.rect(x, y, width, height)
        pdf.set_fill_color(*colour)
        pdf.rect(x, y, width, 14, style="F")
        pdf.set_text_color(255, 255, 255)
        pdf.set_font(FONT, "B", 12)
        pdf.set_xy(x, y + 3)
        pdf.cell(width, 8, side, align="C")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(FONT, "B", 15)
        pdf.set_xy(x + 4, y + 20)
        pdf.multi_cell(width - 8, 7, party.name, align="C")
        pdf.set_font(FONT, "", 9)
        pdf.set_xy(x + 4, y + height - 10)
        pdf.cell(width - 8, 5, event.title, align="C")
    if not registered:
        pdf.add_page()
        pdf.set_font(FONT, "", 11)
        pdf.multi_cell(0, 6, t("Nog niemand heeft zich aangemeld."), **NEXT)
    return bytes(pdf.output())
