"""A hostile corpus: text that tries to be code somewhere between the form and the screen.

Every payload has a category and, where it would be visible, the form it takes when some
layer *evaluated* it (a template engine, JavaScript, a spreadsheet). The JavaScript payloads
set `window.__pwned` and call `alert()`, so a browser test can see whether anything ran.
The tests in this folder feed these into every surface and count what went wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Payload:
    category: str
    text: str
    evaluated: tuple[str, ...] = ()  # what would show if some layer ran it

    def __str__(self) -> str:  # readable in pytest ids and failure messages
        return f"{self.category}:{self.text[:40]!r}"


def _p(category: str, text: str, *evaluated: str) -> Payload:
    return Payload(category, text, tuple(evaluated))


PAYLOADS: tuple[Payload, ...] = (
    # Jinja (folium/branca render templates on the server) and other template languages.
    _p("jinja", "Kookplek {{ 7*7 }}", "Kookplek 49"),
    _p("jinja", "SS{{ 6*7 }}SS", "SS42SS"),
    _p("jinja", "CF{{ config }}CF", "CFCF", "CF<Config", "CF&lt;Config"),
    _p("jinja", "{% raw %}"),
    _p("jinja", "{# x"),
    _p("jinja", "MR{{ ''.__class__.__mro__ }}MR", "class 'object'", "class &#x27;object"),
    _p("jinja", "LP{% for i in range(3) %}B{% endfor %}LP", "LPBBBLP"),
    _p("jinja", "ST{% set x = 'SETX' ~ 'SETX' %}{{ x }}ST", "SETXSETX"),
    _p("jinja", "GL{{ self.__init__.__globals__ }}GL", "__builtins__"),
    _p("jinja", "OS{{ cycler.__init__.__globals__.os.popen('id').read() }}OS", "uid="),
    _p("jinja", "MU{{ 7*'7' }}MU", "MU7777777MU"),
    _p("jinja", "{{ }} {% %} {{"),
    _p("jinja", "}} %} #}"),
    _p("template", "JS${6*7}JS", "JS42JS"),
    _p("template", "RB#{6*7}RB", "RB42RB"),
    _p("template", "ER<%= 6*7 %>ER", "ER42ER"),
    _p("template", "AN{{constructor.constructor('window.__pwned=\"ng\"')()}}AN"),
    _p("template", "DT{{=6*7}}DT", "DT42DT"),
    # HTML and JavaScript: each would leave a trace if it ran.
    _p("html", "<script>window.__pwned='script';alert('script')</script>"),
    _p("html", "<img src=x onerror=\"window.__pwned='img';alert('img')\">"),
    _p("html", "<svg onload=\"window.__pwned='svg';alert('svg')\">"),
    _p("html", "<svg><script>window.__pwned='svgscript';alert('svgscript')</script></svg>"),
    _p("html", "<iframe srcdoc=\"<script>parent.__pwned='srcdoc';alert('srcdoc')</script>\">"),
    _p("html", "<details open ontoggle=\"window.__pwned='details';alert('details')\">"),
    _p("html", "<input autofocus onfocus=\"window.__pwned='focus';alert('focus')\">"),
    _p("html", "<math><mtext><table><mglyph><style><img src=x onerror=\"alert('mxss')\">"),
    _p("html", "<style>*{display:none !important}</style>"),
    _p("html", "&lt;script&gt;alert('entity')&lt;/script&gt;"),
    _p("html", "<!-- comment"),
    _p("url", "javascript:window.__pwned='jsurl';alert('jsurl')"),
    _p("url", "<a href=\"javascript:window.__pwned='href';alert('href')\">klik</a>"),
    _p("url", "data:text/html,<script>alert('data')</script>"),
    _p("breakout", "\"><img src=x onerror=\"window.__pwned='dq';alert('dq')\">"),
    _p("breakout", "'><svg onload=\"window.__pwned='sq';alert('sq')\">"),
    _p("breakout", "\" onmouseover=\"window.__pwned='hover';alert('hover')\" x=\""),
    _p("breakout", "</textarea><img src=x onerror=\"window.__pwned='ta';alert('ta')\">"),
    _p("breakout", "</script><script>window.__pwned='close';alert('close')</script>"),
    _p("breakout", "</div></div><img src=x onerror=\"alert('div')\">"),
    _p("literal", "`;window.__pwned='tick';alert('tick');`"),
    _p("literal", "${window.__pwned='tpl',alert('tpl')}"),
    _p("literal", "\\`${alert('bs')}\\`"),
    _p("literal", "\\u003cscript\\u003ealert('u')\\u003c/script\\u003e"),
    _p("literal", "\";window.__pwned='dqs';alert('dqs');//"),
    _p("literal", "';window.__pwned='sqs';alert('sqs');//"),
    # Markdown, LaTeX and Streamlit's own directives: live wherever st.markdown renders.
    _p("markdown", "![beeld](http://evil.example/x.png)"),
    _p("markdown", "[klik hier](javascript:alert('md'))"),
    _p("markdown", "[tekst](http://evil.example/phish)"),
    _p("markdown", "**vet** _schuin_ `code` ~~weg~~"),
    _p("markdown", "# Kop"),
    _p("markdown", "<http://evil.example/auto>"),
    _p("markdown", "| a | b |\n|---|---|\n| c | d |"),
    _p("markdown", "    ingesprongen als code"),
    _p("latex", "$\\href{javascript:alert('tex')}{klik}$"),
    _p("latex", "$$x^2$$"),
    _p("latex", "$\\alpha$ en $\\beta$"),
    _p("directive", ":red[rood]"),
    _p("directive", ":material/warning:"),
    _p("directive", ":rainbow-background[regenboog]"),
    _p("directive", ":blue-badge[badge] :small[klein]"),
    _p("directive", ":smile: :+1:"),
    # Spreadsheet formulas and DDE: live when an export opens in Excel or LibreOffice.
    _p("formula", "=1+1"),
    _p("formula", "+cmd"),
    _p("formula", "-1+1"),
    _p("formula", "@SUM(1)"),
    _p("formula", '=HYPERLINK("http://evil.example","klik")'),
    _p("formula", "=cmd|' /C calc'!A0"),
    _p("formula", "\t=1+1"),
    _p("formula", "\r=1+1"),
    # Unicode tricks and control characters.
    _p("unicode", "Buurt\u202efdp.exe"),
    _p("unicode", "nul\u200bbreed\u200c\u200d\ufefftekst"),
    _p("unicode", "Z\u0334\u0321a\u0338l\u0337g\u0336o"),
    _p("unicode", "regel\u2028scheiding\u2029alinea"),
    _p("unicode", "Kookplek \U0001f372\U0001f469\u200d\U0001f373"),
    _p("control", "NUL\x00teken"),
    _p("control", "bel\x07back\x08esc\x1b[31mrood\x1b[0m"),
    _p("control", "regel\neen\r\ntwee\rdrie"),
    # Size.
    _p("size", "A" * 100_000),
    _p("size", "Kook" + "heel" * 1500 + "lang"),
    # SQL-looking text and other odd words.
    _p("sql", "'; DROP TABLE need; --"),
    _p("sql", "Robert'); DROP TABLE organisation;--"),
    _p("sql", "1' OR '1'='1"),
    _p("sql", "%' AND 1=1 --"),
    _p("sql", "_%_"),
    _p("words", "NULL"),
    _p("words", "None"),
    _p("words", "../../etc/passwd"),
)

# Every form a payload takes once something has run it; none of them may ever show up.
EVALUATED: tuple[str, ...] = tuple(e for p in PAYLOADS for e in p.evaluated)


def evaluated_in(text: str) -> list[str]:
    return [form for form in EVALUATED if form in text]


def live_formula(value: object) -> bool:
    """A cell a spreadsheet would evaluate: it starts with = + - @, a tab or a carriage return
    (a leading apostrophe turns it into text)."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def summary(name: str, **counts: int) -> str:
    """One line of numbers, printed by every surface test (`pytest -s` shows them)."""
    line = f"[security] {name}: " + ", ".join(f"{k}={v}" for k, v in counts.items())
    print(line)
    return line


def printable(text: str) -> str:
    """The text without control characters: what a surface may fairly drop or replace."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)


def normal(text: str) -> str:
    """What a reader sees of a text: without control characters (a surface may drop them),
    and every run of white space one space (Jinja, CSV, Excel and markdown change line
    endings; markdown shows a line break as a space)."""
    return re.sub(r"\s+", " ", printable(text)).strip()


def same_text(shown: str, typed: str) -> bool:
    """Shown as typed, up to what `normal` ignores."""
    return shown == typed or normal(shown) == normal(typed)
