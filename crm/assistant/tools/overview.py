"""Dashboard counts (the pages' own querysets) and the CTM call log."""

from django.utils import timezone

from crm.assistant.tools.base import Inputs, Tool, ToolError, office_property
from crm.assistant.tools.leads import dashboard_lead_tiers
from crm.permissions import can
from jobs.models import Job, JobsSettings
from messaging import providers
from messaging.models import Line
from messaging.providers.base import SendFailed
from messaging.providers.ctm import CtmProvider

CALLS_LIMIT = 100


def dashboard_counts(inputs: Inputs) -> dict:
    """The leads dashboard's tiers and the jobs board's 🚨 Needs Attention count."""
    office = inputs.office()
    answer = {"leads": dashboard_lead_tiers(inputs.user, office)}
    if can(inputs.user, "jobs.view"):
        jobs = Job.objects.visible_to(inputs.user)
        if office:
            jobs = jobs.filter(office=office)
        hours = JobsSettings.load().ask_for_update_hours
        flagged = jobs.needing_attention(now=timezone.now(), hours=hours)
        answer["jobs_needing_attention"] = flagged.order_by().count()
    return answer


def recent_calls(inputs: Inputs) -> dict:
    """CTM's latest calls on the lines of the user's offices (all for all-office users)."""
    limit = inputs.number("limit", default=25, low=1, high=CALLS_LIMIT)
    provider = providers.active()
    if not isinstance(provider, CtmProvider):
        return {"calls": [], "note": "no call data: CallTrackingMetrics is not connected"}
    try:
        calls = provider.recent_calls(per_page=limit)
    except SendFailed as exc:
        raise ToolError(f"CTM did not answer: {exc}") from exc
    lines = {line.phone: line for line in Line.objects.select_related("office")}
    user = inputs.user
    rows = []
    for call in calls:
        line = lines.get(str(call.get("tracking_number") or ""))
        office = line.office if line else None
        if not (user.sees_all_offices or (office and office.pk in user.office_ids)):
            continue
        rows.append(
            {
                "called_at": str(call.get("called_at") or ""),
                "direction": str(call.get("direction") or ""),
                "caller": str(call.get("caller_number") or ""),
                "line": line.label if line else str(call.get("tracking_number") or ""),
                "office": office.name if office else "",
                "duration_seconds": call.get("duration"),
            }
        )
    if not rows:
        return {"calls": [], "note": "no call data for your offices in CTM's latest calls"}
    return {"calls": rows}


TOOLS = [
    Tool(
        "dashboard_counts",
        "The numbers on the dashboards: leads per tier (due callbacks, fresh, future "
        "callbacks, converted, irrelevant) and jobs needing attention (🚨).",
        {"office": office_property("count only its numbers")},
        "leads.view",
        dashboard_counts,
    ),
    Tool(
        "recent_calls",
        "The latest calls from CallTrackingMetrics (CTM) on the user's offices' lines.",
        {"limit": {"type": "integer", "minimum": 1, "maximum": CALLS_LIMIT}},
        "sms.view",
        recent_calls,
    ),
]
