"""Which pages exist and who may open them. app.py builds the navigation from this; pages
check it again on entry (`ui.require_page`), so a hidden link is never the only check."""

from __future__ import annotations

from samenspel.i18n import N_

EVERYONE = frozenset({"public", "initiative", "partner", "broker", "admin"})
SIDES = frozenset({"initiative", "partner"})
STAFF = frozenset({"broker", "admin"})
PUBLIC = frozenset({"public"})

# page file -> (title msgid, icon, roles that may open it)
PAGES: dict[str, tuple[str, str, frozenset[str]]] = {
    "samenspel/web/views/news.py": (
        N_("Nieuw voor jullie"),
        ":material/notifications:",
        SIDES | STAFF,
    ),
    "samenspel/web/views/home.py": (N_("Kaart"), ":material/map:", EVERYONE),
    "samenspel/web/views/post.py": (N_("Plaatsen"), ":material/edit_note:", SIDES | STAFF),
    "samenspel/web/views/mine.py": (N_("Mijn vragen en aanbod"), ":material/list_alt:", SIDES),
    "samenspel/web/views/help.py": (
        N_("Waar kunnen wij helpen?"),
        ":material/volunteer_activism:",
        SIDES,
    ),
    "samenspel/web/views/funding.py": (
        N_("Geldplan"),
        ":material/euro:",
        frozenset({"initiative"}) | STAFF,
    ),
    # Matchmarkt events (services/matchmarkt.py): brokers run them, organisations take part.
    "samenspel/web/views/matchmarkt.py": (
        N_("Matchmarkt"),
        ":material/storefront:",
        SIDES | STAFF,
    ),
    "samenspel/web/views/review.py": (N_("Te beoordelen"), ":material/fact_check:", STAFF),
    "samenspel/web/views/dashboard.py": (N_("Dashboard"), ":material/monitoring:", STAFF),
    "samenspel/web/views/partnerships.py": (
        N_("Samenwerkingen"),
        ":material/handshake:",
        SIDES | STAFF,
    ),
    "samenspel/web/views/profile.py": (N_("Ons profiel"), ":material/home:", SIDES),
    # Which mails someone gets and how often (services/notify.py), and their own address.
    "samenspel/web/views/notifications.py": (
        N_("Meldingen per mail"),
        ":material/mail:",
        SIDES | frozenset({"broker"}),
    ),
    "samenspel/web/views/data.py": (N_("Gegevens in en uit"), ":material/swap_vert:", STAFF),
    "samenspel/web/views/organisations.py": (N_("Organisaties"), ":material/groups:", STAFF),
    "samenspel/web/views/admin.py": (
        N_("Beheer"),
        ":material/admin_panel_settings:",
        frozenset({"admin"}),
    ),
    "samenspel/web/views/audit.py": (N_("Logboek"), ":material/history:", frozenset({"admin"})),
    "samenspel/web/views/login.py": (N_("Inloggen"), ":material/login:", EVERYONE),
    # Getting in without an account (services/signup.py): for whoever is not logged in.
    "samenspel/web/views/signup.py": (N_("Aanmelden"), ":material/person_add:", PUBLIC),
    "samenspel/web/views/forgot.py": (N_("Wachtwoord vergeten"), ":material/key:", PUBLIC),
    "samenspel/web/views/privacy.py": (N_("Privacy"), ":material/privacy_tip:", EVERYONE),
    # The toegankelijkheidsverklaring (accessibility statement) every public-sector site has.
    "samenspel/web/views/accessibility.py": (
        N_("Toegankelijkheid"),
        ":material/accessibility_new:",
        EVERYONE,
    ),
}


SETUP_PAGE = "samenspel/web/views/setup.py"  # only while a new installation has no administrator

# Pages reached by a link (from a mail), never from the menu: page file -> (title msgid,
# roles that may open it). app.py registers them hidden.
HIDDEN_PAGES: dict[str, tuple[str, frozenset[str]]] = {
    # The links in the sign-up and password mails: confirm the address, set a new password.
    "samenspel/web/views/account_link.py": (N_("Je account"), EVERYONE),
    # The links in notification mails: unsubscribe, and the one-click "Is het gelukt?".
    "samenspel/web/views/mail_link.py": (N_("Link uit een mail"), EVERYONE),
    # A matchmarkt's day: deals recorded and confirmed (the event's crew), and the counter for
    # the wall (only numbers: open by its link, on a screen nobody logs in on).
    "samenspel/web/views/matchmarkt_day.py": (N_("Matchmarkt: de dag"), SIDES | STAFF),
    "samenspel/web/views/matchmarkt_counter.py": (N_("Teller van de matchmarkt"), EVERYONE),
}


HOME = "samenspel/web/views/home.py"
NEWS = "samenspel/web/views/news.py"
LOGIN = "samenspel/web/views/login.py"
REVIEW = "samenspel/web/views/review.py"


def start_page(role: str) -> str:
    """The first page: what is new for someone signed in, the map for everyone else."""
    return NEWS if may_open(role, NEWS) else HOME


def pages_for(role: str) -> list[str]:
    return [path for path, (_, _, roles) in PAGES.items() if role in roles]


def may_open(role: str, path: str) -> bool:
    if path in HIDDEN_PAGES:
        return role in HIDDEN_PAGES[path][1]
    return path in PAGES and role in PAGES[path][2]
