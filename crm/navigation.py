"""The topbar: which pages and tools a user sees.

An entry shows only when its page exists (its URL name resolves) and the user has its
capability, so a domain's link appears the day its app is installed — no dead buttons.
"""

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.urls import NoReverseMatch, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject

from crm import permissions


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: str
    panel: str = ""  # "left": opens in the left slide-in panel; "modal": in the modal
    # URL name of the item's count: a small partial the button loads after the page and
    # again on every live-sync tick; while the count is above zero the button pulses red.
    # Loaded apart from the page so the count's query never weighs on the page itself.
    badge: str = ""
    # Tucked into the topbar's "More ▾" menu: the rarer tools (most are the owner's), so
    # the owner's full bar fits a 1366 px screen beside the panels she opens all day.
    menu: bool = False


PAGES = (
    NavItem("Leads", "leads:dashboard", "leads.view"),
    NavItem("Jobs", "jobs:dashboard", "jobs.view"),
    NavItem("Finance", "finance:dashboard", "finance.view"),
    NavItem("Contractors", "contractors:list", "contractors.view"),
    NavItem("Service Areas", "contractors:service_areas", "service_areas.view"),
    NavItem("Help", "help:index", "help.view"),
)
TOOLS = (
    NavItem("📱 SMS", "sms:panel", "sms.view", panel="left", badge="sms:badge"),
    NavItem("📋 Tasks", "todos:panel", "tasks.view", panel="left", badge="todos:badge"),
    NavItem("🤖 AI Assistant", "assistant:panel", "assistant.use", panel="left"),
    NavItem(
        "🔍 Check Duplicates", "leads:duplicates", "leads.duplicates", panel="modal", menu=True
    ),
    NavItem("📊 Reports", "reports:modal", "reports.view", panel="modal"),
    NavItem("👥 Users", "accounts:directory", "users.view", panel="left", menu=True),
    NavItem("📋 Timeline", "timeline:feed", "timeline.view", menu=True),
    NavItem("📋 Audit Log", "timeline:audit", "audit.view", menu=True),
    NavItem("⚙️ Control Panel", "controlpanel:index", "controlpanel.access"),
)


@cache
def _url_in(urlconf: str | None, url_name: str) -> str | None:
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def url_or_none(url_name: str) -> str | None:
    """The path of `url_name`, or None while the page does not exist yet.

    Every page draws the topbar, so answers are kept per URLconf (tests swap URLconfs).
    """
    return _url_in(get_urlconf(), url_name)


def _entries(items, user, path: str) -> list[dict]:
    entries = []
    for item in items:
        url = url_or_none(item.url_name)
        if url and permissions.can(user, item.capability):
            # A panel's own page is only its URL: /sms/opt-outs still opens the 📱 panel.
            active = path == url if item.panel else path.startswith(url)
            badge_url = url_or_none(item.badge) if item.badge else None
            entries.append(
                {
                    "label": item.label,
                    "url": url,
                    "active": active,
                    "panel": item.panel,
                    "badge_url": badge_url,
                    "menu": item.menu,
                }
            )
    return entries


def _tools(user, path: str) -> dict:
    """The tools on the bar and those in its "More ▾" menu (a menu of one is no menu)."""
    entries = _entries(TOOLS, user, path)
    more = [entry for entry in entries if entry["menu"]]
    if len(more) < 2:
        return {"bar": entries, "more": [], "more_active": False}
    return {
        "bar": [entry for entry in entries if not entry["menu"]],
        "more": more,
        "more_active": any(entry["active"] for entry in more),
    }


def home_url(user) -> str:
    """Where `/` and a successful sign-in land: the first page the user may open."""
    for item in PAGES + TOOLS:
        url = url_or_none(item.url_name)
        if url and permissions.can(user, item.capability):
            return url
    return reverse("accounts:directory")


def topbar(request) -> dict:
    """Template context for the topbar of every signed-in page."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    # Lazy: context processors run for every render, and an HTMX partial (a modal, a
    # panel, a list's rows) draws no topbar: ~1 ms of permission checks each, for nothing.
    return {
        "nav_pages": SimpleLazyObject(lambda: _entries(PAGES, user, request.path)),
        "nav_tools": SimpleLazyObject(lambda: _tools(user, request.path)),
        "live_sync_url": reverse("live_sync"),
        "live_sync_poll_ms": settings.LIVE_SYNC_POLL_SECONDS * 1000,
    }
