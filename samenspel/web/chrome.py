"""What every page needs around its content, for WCAG 2.1 AA: the page's language on <html>,
a title per page (Streamlit's own call), visible focus, text contrast, Streamlit's own English
words in Dutch, and a phone's menu that closes once a page is chosen.

Streamlit has no hooks for these: it writes `<html lang="en">`, its caption grey is 3.8:1 on
white (4.5:1 is needed), its focus ring is faint, and its widgets say "Choose an option" or
"Drag and drop files here" whatever the page's language. One small script and style sheet,
written once per page run from fixed text in this module (never user text), set the
language, translate those words where they appear and restyle what falls short. The words
come from the Streamlit version in requirements.lock; a new version may add some, which the
accessibility test (tests/e2e/test_accessibility.py) then shows.
"""

from __future__ import annotations

import json

import streamlit as st

# Streamlit's own words -> Dutch, as they appear in text, placeholders, titles and labels.
STREAMLIT_WORDS_NL = {
    "Skip to main content": "Naar de inhoud",
    "Choose an option": "Kies...",
    "Choose options": "Kies...",
    "Select all": "Alles kiezen",
    "Clear all": "Alles wissen",
    "Clear value": "Wissen",
    "Clear": "Wissen",
    "Remove": "Verwijderen",
    "No results": "Niets gevonden",
    "Drag and drop files here": "Sleep bestanden hierheen",
    "Drag and drop file here": "Sleep een bestand hierheen",
    "Browse files": "Kies een bestand",
    "Upload": "Kies een bestand",
    "Show password": "Wachtwoord tonen",
    "Hide password": "Wachtwoord verbergen",
    "Collapse sidebar": "Menu sluiten",
    "Expand sidebar": "Menu openen",
    "Increment": "Hoger",
    "Decrement": "Lager",
    "Fullscreen": "Volledig scherm",
    "Exit fullscreen": "Volledig scherm sluiten",
    "Download as CSV": "Download als CSV",
    "Search": "Zoeken",
    "Close": "Sluiten",
    "Running...": "Bezig...",
    "Main menu": "Menu",
    "Press Enter to apply": "Druk op Enter om te bewaren",
    "Press Enter to submit form": "Druk op Enter om te versturen",
    "Press Enter": "Druk op Enter",
    "View more": "Meer",
    "View less": "Minder",
    "Choose date": "Kies een datum",
    "Link to heading": "Link naar dit kopje",
    "Open": "Openen",
    "Sidebar": "Menu",
    "file upload": "bestand kiezen",
    "Download as PNG": "Download als PNG",
    "Download as SVG": "Download als SVG",
    "Show data": "Toon de gegevens",
    "Copy Vega-Lite spec": "Kopieer de code van de grafiek",
}
# Texts that carry a number or a file type: Streamlit's pattern -> Dutch, with the same groups.
STREAMLIT_PATTERNS_NL = [
    [r"^Limit (.+) per file(.*)$", "Hoogstens $1 per bestand$2"],
    [r"^(\S+) per file(.*)$", "Hoogstens $1 per bestand$2"],
    [r"^(\d+) selected$", "$1 gekozen"],
]

_STYLE = """
<style>
/* Captions and help texts (Streamlit fades them to 0.6): 4.5:1 at least on white and on the menu's grey (WCAG 1.4.3). */
[data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"] small,
[data-testid="stSidebar"] [data-testid="stCaptionContainer"] {
  color: #5a5958 !important; opacity: 1 !important; }
/* Focus that can be seen (WCAG 2.4.7): a dark ring, whatever the widget. */
:focus-visible { outline: 3px solid #1a1a1a !important; outline-offset: 2px !important; }
/* A phone: the page's content starts at the top, not under a tall header. */
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
}
</style>
"""

_SCRIPT = """
<script>
(() => {
  const doc = window.parent && window.parent.document.body ? window.parent.document : document;
  const lang = LANG, words = WORDS, patterns = PATTERNS.map(([p, r]) => [new RegExp(p), r]);
  doc.documentElement.lang = lang;
  const say = (text) => {
    const key = text.trim();
    if (words[key]) return text.replace(key, words[key]);
    for (const [pattern, replacement] of patterns) {
      if (pattern.test(key)) return text.replace(key, key.replace(pattern, replacement));
    }
    return null;
  };
  const ATTRIBUTES = ['placeholder', 'aria-label', 'title'];
  // Where the app's own and its users' words are: never translated ("Upload" can be a title).
  const OURS = '[data-testid="stMarkdownContainer"],[data-testid="stText"],[data-testid="stHeading"],' +
               '[data-testid="stWidgetLabel"],[data-testid="stCaptionContainer"],[role="option"],' +
               '[data-testid="stAlert"],[data-testid="stExpanderToggleIcon"] ~ *';
  const sayText = (node) => {
    const element = node.parentElement;
    if (!element || !node.nodeValue) return;
    // The upload button's word is Streamlit's; elsewhere a single word ("Open", "Search")
    // may be someone's title, so only Streamlit's phrases outside the app's own words.
    const uploader = element.closest('[data-testid="stFileUploaderDropzone"]') !== null;
    if (!uploader && (element.closest(OURS) !== null || !node.nodeValue.trim().includes(' '))) return;
    const said = say(node.nodeValue);
    if (said) node.nodeValue = said;
  };
  const translate = (root) => {
    const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) sayText(node);
    const elements = root.querySelectorAll ? root.querySelectorAll('[placeholder],[aria-label],[title]') : [];
    for (const element of elements) {
      if (element.closest('[role="option"]')) continue;
      for (const name of ATTRIBUTES) {
        const value = element.getAttribute(name);
        const said = value && say(value);
        if (said) element.setAttribute(name, said);
      }
    }
  };
  // On a phone the menu covers the page: close it once a page in it is chosen.
  if (!doc.samenspelMenu) {
    doc.samenspelMenu = true;
    doc.addEventListener('click', (event) => {
      if (!window.matchMedia('(max-width: 640px)').matches) return;
      if (!event.target.closest('[data-testid="stSidebarNav"] a')) return;
      const close = doc.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (close) setTimeout(() => close.click(), 0);
    }, true);
  }
  if (doc.samenspelWords) doc.samenspelWords.disconnect();
  if (Object.keys(words).length === 0) return;
  translate(doc.body);
  const observer = new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === 'characterData') {
        sayText(change.target);
      } else if (change.type === 'attributes') {
        translate(change.target.parentNode || change.target);
      } else {
        for (const node of change.addedNodes) {
          if (node.nodeType === 1) translate(node);
          else if (node.nodeType === 3) sayText(node);
        }
      }
    }
  });
  observer.observe(doc.body, {subtree: true, childList: true, characterData: true,
                              attributes: true, attributeFilter: ATTRIBUTES});
  doc.samenspelWords = observer;
})();
</script>
"""


def _js(value) -> str:
    """A JSON value for the script; < is escaped so that no text can close the script tag."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def page_chrome(lang: str, title: str) -> None:
    """Title, language, style and Streamlit's words for this page (call once per run, after
    the page is chosen). `title` is the page's name (our own words), shown in the browser's
    tab as "<title> - Samenspel" (WCAG 2.4.2)."""
    st.set_page_config(page_title=f"{title} - Samenspel")
    dutch = lang == "nl"
    script = (
        _SCRIPT.replace("LANG", _js(lang))
        .replace("WORDS", _js(STREAMLIT_WORDS_NL if dutch else {}))
        .replace("PATTERNS", _js(STREAMLIT_PATTERNS_NL if dutch else []))
    )
    with st.sidebar:
        st.html(_STYLE + script, unsafe_allow_javascript=True)
