"""CP landing tiles. A tile shows once its page exists: each domain's CP pages light up
as their app arrives, with no dead tiles before."""

from dataclasses import dataclass

from django.apps import apps
from django.utils.module_loading import import_string

from crm.navigation import url_or_none


@dataclass(frozen=True)
class Tile:
    icon: str
    title: str
    description: str
    url_name: str
    # "app.Model" of the one-row settings model holding this tile's secret: the tile shows
    # its `secret_notice` (a stored secret no key opens) in red.
    secret_in: str = ""

    # Dotted path of a function counting what waits for the owner here: a red count.
    count_of: str = ""

    def notice(self) -> str:
        return apps.get_model(self.secret_in).load().secret_notice if self.secret_in else ""

    def count(self) -> int:
        return import_string(self.count_of)() if self.count_of else 0


GROUPS = (
    (
        "Organisation",
        (
            Tile(
                "🏢",
                "Offices",
                "Add or remove the routing buckets records are tagged with.",
                "controlpanel:offices",
            ),
            Tile(
                "👥",
                "Users",
                "Create users, set roles, offices and passwords.",
                "controlpanel:users",
            ),
            Tile(
                "🔐",
                "Permissions",
                "What each role may do, as the server enforces it.",
                "controlpanel:permissions",
            ),
        ),
    ),
    (
        "General Settings",
        (
            Tile(
                "⏱",
                "App Settings",
                "Escalation timer for unclaimed Fresh leads.",
                "controlpanel:app_settings",
            ),
            Tile(
                "📧",
                "Email Settings",
                "Daily, weekly and monthly reports by email.",
                "reports:email_settings",
            ),
            Tile(
                "📥",
                "Lead Sources",
                "Sources, default offices and webhook tokens.",
                "leads:cp_sources",
            ),
            Tile("😴", "Snooze Sequences", "Retry intervals per source.", "leads:cp_snooze"),
            Tile("🕐", "Calling Hours", "Calling windows per US state.", "leads:cp_calling_hours"),
            Tile(
                "📥",
                "Inbox failures",
                "Partner leads that were accepted but could not be made.",
                "leads:cp_inbox_failures",
                count_of="leads.services.inbox.failure_count",
            ),
            Tile(
                "🔁",
                "Recurring Tasks",
                "Tasks made daily, weekly or monthly for a person or an office.",
                "todos:recurring",
            ),
        ),
    ),
    (
        "Job Settings",
        (
            Tile(
                "🛠",
                "Job Types",
                "Values for the New Job and Contractor dropdowns.",
                "contractors:cp_job_types",
            ),
            Tile(
                "📊",
                "Job Partners",
                "Operational partners and their keep rate.",
                "contractors:cp_job_partners",
            ),
            Tile(
                "⛔",
                "Cancel Reasons",
                "Pre-canned reasons for Cancelled jobs.",
                "jobs:cp_cancel_reasons",
            ),
            Tile(
                "🏷",
                "Job Tags",
                "Colour-coded tags for the job detail panel.",
                "jobs:cp_job_tags",
            ),
            Tile(
                "🔄",
                "Jobs Settings",
                "Jobs Attentions hours and Auto Status Change per office.",
                "jobs:cp_jobs_settings",
            ),
        ),
    ),
    (
        "Numbers",
        (
            Tile(
                "📞",
                "CTM Numbers",
                "CTM account, number sync, office, no-reply and Tracking Source per number.",
                "messaging:cp_ctm_numbers",
                secret_in="messaging.MessagingSettings",
            ),
            Tile(
                "💬",
                "SMS Templates",
                "Quick replies for the SMS panel's 📋 button.",
                "messaging:cp_sms_templates",
            ),
            Tile(
                "🚫",
                "Possible opt-outs",
                "Texts that may ask us to stop texting, waiting for your decision.",
                "messaging:sms_optouts",
                count_of="messaging.optouts.pending_count",
            ),
        ),
    ),
    (
        "Automations & Integrations",
        (
            Tile(
                "⚙️",
                "Office Settings",
                "Per office: CTM number, SMTP sender (📨 Send Test) and the Jobs feature.",
                "controlpanel:office_settings",
            ),
            Tile(
                "💰",
                "Finance settings",
                "SMTP for the weekly payment reports; outbound CTM number.",
                "finance:cp_finance_settings",
                secret_in="finance.FinanceSettings",
            ),
            Tile("🌐", "Online Booking Tool", "Embeddable booking widgets.", "booking:cp_embeds"),
            Tile(
                "🤖",
                "Automations",
                "Rules that text or email on job and lead events; ⏸ Pause All, 📜 View Log.",
                "rules:list",
            ),
            Tile(
                "🔗",
                "Webhooks",
                "Event URLs and filtered fan-outs; deliveries, dashboard and replay.",
                "automations:webhooks",
                count_of="automations.webhooks.counting.dead_count",
            ),
            Tile(
                "🤖",
                "AI Assistant",
                "Anthropic key, model, daily budget per role, audit log and replay.",
                "assistant:cp",
            ),
            Tile(
                "⚡",
                "BookBack AI",
                "The BookBack Jobs Webhook URL (job creation only).",
                "automations:bookback_ai",
            ),
            Tile(
                "🌐",
                "Google Places API",
                "Key for address autocomplete and geocoding.",
                "controlpanel:google_places",
                secret_in="controlpanel.AppSettings",
            ),
            Tile(
                "🩺",
                "System",
                "Event handlers that failed, with ↻ Retry.",
                "controlpanel:system",
                count_of="crm.deliveries.failure_count",
            ),
        ),
    ),
)


def visible_tiles() -> list[tuple[str, list[dict]]]:
    groups = []
    for title, tiles in GROUPS:
        entries = [
            {"tile": tile, "url": url, "notice": tile.notice(), "count": tile.count()}
            for tile in tiles
            if (url := url_or_none(tile.url_name))
        ]
        if entries:
            groups.append((title, entries))
    return groups
