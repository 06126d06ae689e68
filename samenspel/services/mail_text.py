"""The words of every mail: one small renderer all mails share.

A mail kind is a subject and a body, Dutch msgids translated into the reader's language (not
the language of whoever caused the mail). The body is plain text with {placeholders}; the
HTML part is made from the same text, paragraph by paragraph, with the template escaped first
and then every value escaped as it is filled in. So user text (a need's title, an
organisation's name) never becomes markup, and no template engine ever sees it: values are
filled in with str.format_map, which does not look inside them.

Values with a special shape:
- a param named `url` or ending in `_url` is a link (in HTML an <a>, only for http(s) URLs);
- a list is a bulleted list; each item is text or a (text, url) pair;
- `unsubscribe_url` goes into the footer, with a link to the app (settings.base_url()).

Add a kind: one entry in TEMPLATES (two N_() msgids), its placeholders filled by the caller.
"""

from __future__ import annotations

import contextvars
import html
import re
from collections.abc import Sequence

from samenspel import settings
from samenspel.i18n import N_, set_language, t

# kind -> (subject msgid, body msgid). In the body a blank line separates paragraphs; a
# placeholder alone in its paragraph may hold a list.
TEMPLATES: dict[str, tuple[str, str]] = {
    "new_suggestion": (
        N_('Nieuwe suggestie voor "{need}"'),
        N_(
            'Er is een nieuwe suggestie voor jullie vraag "{need}": {other}, met "{offer}".\n\n'
            'Past het? Zeg "Ja, hier willen we mee kennismaken" of "Past niet":\n{url}'
        ),
    ),
    "fitting_need": (
        N_('Een vraag die past bij "{offer}"'),
        N_(
            'De vraag "{need}" van {other} past bij jullie aanbod "{offer}".\n\n'
            "Willen jullie helpen? Kijk hier:\n{url}"
        ),
    ),
    "other_side_asked": (
        N_("{other} wil kennismaken"),
        N_(
            '{other} wil graag met jullie kennismaken, over "{need}" en "{offer}". De makelaar'
            " kijkt er ook naar.\n\nWat vinden jullie ervan?\n{url}"
        ),
    ),
    "other_side_yes": (
        N_("{other} zegt ja"),
        N_(
            '{other} heeft ja gezegd op de kennismaking over "{need}" en "{offer}". Nu wacht het'
            " nog op jullie antwoord.\n\nZeg hier ja of nee:\n{url}"
        ),
    ),
    "introduction": (
        N_("Kennismaken met {other}"),
        N_(
            'De makelaar stelt jullie voor aan {other}, over "{need}" en "{offer}".\n\n'
            "Willen jullie kennismaken? Zeg hier ja of nee:\n{url}"
        ),
    ),
    "agreed": (
        N_("Jullie en {other} zeggen allebei ja"),
        N_(
            'Jullie en {other} willen allebei samenwerken, over "{need}" en "{offer}". Jullie'
            " zien nu elkaars contactgegevens. Neem gerust contact op.\n\n{url}"
        ),
    ),
    "follow_up_due": (
        N_('Is het gelukt met {other}? ("{need}")'),
        N_(
            'Jullie werken samen met {other}, over "{need}" en "{offer}". Is het gelukt?\n\n'
            "Eén klik is genoeg, inloggen hoeft niet:\n"
            "Ja, het is gelukt: {yes_url}\n"
            "Nee, het is niet gelukt: {no_url}\n"
            "Nog niet, vraag het over 2 weken weer: {not_yet_url}\n\n"
            "Meer vertellen kan in Samenspel:\n{url}"
        ),
    ),
    "digest": (
        N_("Nieuw voor jullie in Samenspel ({count})"),
        N_("Dit is er nieuw voor jullie:\n\n{items}\n\nAlles op een rij:\n{url}"),
    ),
    "broker_digest": (
        N_("Overzicht van jouw buurten ({count})"),
        N_(
            "Dit speelt er in jouw buurten.\n\n"
            "Nieuwe vragen:\n\n{new_needs}\n\n"
            "Gevraagd door de mensen zelf, wacht op jou:\n\n{asked}\n\n"
            "Vragen waar nog niemand bij past:\n\n{unmatched}\n\n"
            "Nazorg die te laat is:\n\n{overdue}\n\n"
            "Te beoordelen:\n{url}"
        ),
    ),
    # The conversation of an introduction (services/conversations.py).
    "message": (
        N_('Nieuw bericht van {other} over "{need}"'),
        N_(
            '{other} schreef in jullie gesprek over "{need}" en "{offer}":\n\n{preview}\n\n'
            "Lees het hele gesprek en antwoord in Samenspel:\n{url}"
        ),
    ),
    "message_reported": (
        N_('{reporter} meldt een bericht over "{need}"'),
        N_(
            '{reporter} meldt een bericht in het gesprek over "{need}", tussen {initiative} en'
            " {partner}. Wil je ernaar kijken?\n\nHet bericht:\n{preview}\n\nDe reden:\n{reason}"
            "\n\nHet gesprek staat hier:\n{url}"
        ),
    ),
    # Getting in (services/signup.py).
    "confirm_email": (
        N_("Bevestig je e-mailadres voor Samenspel"),
        N_(
            "Je hebt {organisation} aangemeld bij Samenspel. Klik op deze link om te laten zien"
            " dat dit jouw e-mailadres is:\n{url}\n\nDe link werkt 3 dagen en één keer. Daarna"
            " kijkt de buurtmakelaar naar jullie aanmelding.\n\nHeb jij je niet aangemeld? Dan"
            " hoef je niets te doen."
        ),
    ),
    "signup_known": (
        N_("Iemand wilde zich aanmelden met jouw e-mailadres"),
        N_(
            "Iemand wilde een organisatie aanmelden bij Samenspel met jouw e-mailadres. Maar er"
            " is al een account met dit adres.\n\nWas jij dat? Log dan in:\n{url}\n\nWeet je je"
            " wachtwoord niet meer? Vraag hier een nieuw wachtwoord aan:\n{reset_url}\n\nWas jij"
            " het niet? Dan hoef je niets te doen."
        ),
    ),
    "signup_name_taken": (
        N_("Jullie aanmelding bij Samenspel"),
        N_(
            "Je wilde {organisation} aanmelden bij Samenspel. Er staat al een organisatie met"
            " deze naam in Samenspel.\n\nMisschien heeft iemand van jullie al een account. Vraag"
            " het aan je collega's, of vraag de buurtmakelaar om je toe te voegen. Is het een"
            " andere organisatie? Meld je dan opnieuw aan, met de naam net iets anders."
        ),
    ),
    "signup_waiting": (
        N_("Nieuwe aanmelding: {organisation}"),
        N_(
            "{organisation} uit {neighbourhood} heeft zich aangemeld bij Samenspel en het"
            " e-mailadres bevestigd. Nu wacht de aanmelding op jou: goedkeuren of"
            " afwijzen.\n\nKijk hier:\n{url}"
        ),
    ),
    "signup_approved": (
        N_("Welkom bij Samenspel, {organisation}"),
        N_(
            "De buurtmakelaar heeft jullie aanmelding goedgekeurd. Je kunt nu inloggen, met je"
            " e-mailadres en je wachtwoord:\n{url}\n\nBegin met wat jullie zoeken of wat"
            " jullie kunnen bieden."
        ),
    ),
    "signup_rejected": (
        N_("Jullie aanmelding bij Samenspel"),
        N_(
            "De buurtmakelaar heeft de aanmelding van {organisation} niet goedgekeurd. De reden:"
            "\n{reason}\n\nVragen hierover? Neem contact op met de buurtmakelaar van jullie"
            " buurt."
        ),
    ),
    "matchmarkt_invite": (
        N_("Uitnodiging: {event}"),
        N_(
            "Jullie zijn uitgenodigd voor de matchmarkt {event} op {on} ({place}). Daar"
            " spreken jullie in korte gesprekken aan tafel met organisaties die iets zoeken of"
            " iets te bieden hebben.\n\nMelden jullie je aan? Kies wat jullie zoeken en wat"
            " jullie meebrengen:\n{url}"
        ),
    ),
    "matchmarkt_contact": (
        N_('Neem contact op met {other} over "{need}"'),
        N_(
            'Op de matchmarkt hebben jullie een deal gesloten met {other}: "{offer}" voor'
            ' "{need}". Jullie nemen contact op, uiterlijk op {by}. De contactgegevens en het'
            " gesprek staan bij Samenwerkingen:\n{url}"
        ),
    ),
    "matchmarkt_reminder": (
        N_("Herinnering: neem contact op met {other}"),
        N_(
            'Jullie deal van de matchmarkt met {other} ("{offer}" voor "{need}") wacht nog op'
            " jullie eerste bericht. Neem contact op, uiterlijk op {by}:\n{url}"
        ),
    ),
    "reset_password": (
        N_("Een nieuw wachtwoord voor Samenspel"),
        N_(
            "Je hebt een nieuw wachtwoord gevraagd voor Samenspel (gebruikersnaam:"
            " {username}). Kies het hier:\n{url}\n\nDe link werkt 1 dag en één keer.\n\nHeb"
            " jij niets gevraagd? Dan hoef je niets te doen: je wachtwoord blijft hetzelfde."
        ),
    ),
}

_FOOTER_UNSUBSCRIBE = N_("Geen mails meer hierover? Klik hier (inloggen hoeft niet):\n{unsubscribe_url}")  # fmt: skip
_FOOTER_APP = N_("Deze mail komt van Samenspel. Naar Samenspel:\n{app_url}")
_FOOTER_SETTINGS = N_("Kiezen welke mails jullie krijgen en hoe vaak: in Samenspel, bij Meldingen per mail.")  # fmt: skip
_GREETING = N_("Hallo {name},")
_NOTHING = N_("Niets.")

_ALONE = re.compile(r"^\{(\w+)\}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def render(kind: str, language: str, **params) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a mail of `kind` in `language` ("nl" or "en"), with
    `params` filled in: escaped in the HTML, a greeting when `name` is given, and the footer
    (with the unsubscribe link when `unsubscribe_url` is given). Unknown kind: KeyError."""
    subject_id, body_id = TEMPLATES[kind]
    # The reader's language, without changing the language of the page or job that mails.
    return contextvars.copy_context().run(_render, subject_id, body_id, language, params)


def _render(subject_id: str, body_id: str, language: str, params: dict) -> tuple[str, str, str]:
    set_language(language)
    values = {name: _clean(value) for name, value in params.items()}
    values.setdefault("app_url", settings.base_url())
    subject = _subject(subject_id, language, params)

    paragraphs: list[str] = []
    if values.get("name"):
        paragraphs.append(t(_GREETING))
    paragraphs += t(body_id).split("\n\n")
    paragraphs.append("--")
    if values.get("unsubscribe_url"):  # news, which people choose to get: how to stop it
        paragraphs += [t(_FOOTER_UNSUBSCRIBE), t(_FOOTER_SETTINGS)]
    paragraphs.append(t(_FOOTER_APP))

    text = "\n\n".join(_paragraph_text(p, values) for p in paragraphs) + "\n"
    body = "\n".join(_paragraph_html(p, values) for p in paragraphs)
    page = (
        f'<!DOCTYPE html>\n<html lang="{"en" if language == "en" else "nl"}">'
        '<head><meta charset="utf-8"></head>\n'
        f'<body style="font-family: sans-serif; line-height: 1.5">\n{body}\n</body></html>\n'
    )
    return subject, text, page


def _clean(value):
    """Text without control characters (newlines kept); lists item by item."""
    if isinstance(value, (list, tuple)) and not _is_pair(value):
        return [_clean(item) for item in value]
    if _is_pair(value):
        return (_clean(value[0]), _clean(value[1]))
    return _CONTROL.sub("", "" if value is None else str(value))


def _is_pair(value) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _paragraph_text(paragraph: str, values: dict) -> str:
    alone = _ALONE.match(paragraph)
    if alone and isinstance(values.get(alone.group(1)), list):
        items = values[alone.group(1)]
        if not items:
            return t(_NOTHING)
        return "\n".join(
            f"- {item[0]}\n  {item[1]}" if isinstance(item, tuple) else f"- {item}"
            for item in items
        )
    return paragraph.format_map({k: _as_text(v) for k, v in values.items()})


def _as_text(value) -> str:
    if isinstance(value, list):
        return ", ".join(v[0] if isinstance(v, tuple) else v for v in value)
    return value


def _paragraph_html(paragraph: str, values: dict) -> str:
    if paragraph == "--":
        return '<hr style="border: 0; border-top: 1px solid #ccc">'
    alone = _ALONE.match(paragraph)
    if alone and isinstance(values.get(alone.group(1)), list):
        items = values[alone.group(1)]
        if not items:
            return f"<p>{html.escape(t(_NOTHING))}</p>"
        rows = "".join(
            f"<li>{_link(item[1], item[0]) if isinstance(item, tuple) else html.escape(item)}</li>"
            for item in items
        )
        return f"<ul>{rows}</ul>"
    escaped = {
        name: _link(value) if _is_url_name(name) and isinstance(value, str) else _escape(value)
        for name, value in values.items()
    }
    # The template is ours, but escaped all the same ("&", quotes); braces survive escaping.
    filled = html.escape(paragraph).format_map(escaped)
    return "<p>" + filled.replace("\n", "<br>\n") + "</p>"


def _is_url_name(name: str) -> bool:
    return name == "url" or name.endswith("_url")


def _escape(value) -> str:
    return html.escape(_as_text(value) if isinstance(value, list) else value)


def _link(url: str, label: str | None = None) -> str:
    """A link to our own http(s) URL; anything else (javascript:, data:) stays inert text."""
    shown = html.escape(label if label is not None else url)
    if not url.startswith(("https://", "http://")):
        return shown
    return f'<a href="{html.escape(url, quote=True)}">{shown}</a>'


def subject(kind: str, language: str, **params) -> str:
    """Only the subject: the one line a digest or the app shows for a notification."""
    return contextvars.copy_context().run(_subject, TEMPLATES[kind][0], language, params)


def _subject(subject_id: str, language: str, params: dict) -> str:
    set_language(language)
    flat = {k: _clean(v) for k, v in params.items() if not isinstance(v, (list, tuple))}
    # One line: a newline in a value could otherwise start a new mail header.
    return " ".join(t(subject_id).format_map(flat).split())


def kinds() -> Sequence[str]:
    return tuple(TEMPLATES)
