"""Lead tools: counts, lists, breakdowns and conversion, as the leads dashboard counts."""

from django.db.models import Count, Q
from django.utils import timezone

from crm.assistant.tools.base import (
    ROW_CAP,
    Inputs,
    Tool,
    ToolError,
    date_properties,
    may_see_money,
    office_property,
    showing,
    shown_time,
)
from leads.models import Lead, LeadSource, Status, Urgency

LEAD_FILTERS = {
    "office": office_property("count only its leads"),
    "status": {"type": "string", "enum": list(Status.values)},
    "source": {"type": "string", "description": "Lead source name or key (e.g. Facebook)."},
    "urgency": {"type": "string", "enum": list(Urgency.values)},
    **date_properties("received"),
}
BREAKDOWNS = {"status": "status", "source": "source__label", "office": "office__name"}


def filtered_leads(inputs: Inputs):
    """The user's live leads (the dashboard's set) narrowed by the shared filters."""
    leads = Lead.objects.visible_to(inputs.user).filter(inputs.period("received_at"))
    office = inputs.office()
    if office:
        leads = leads.filter(office=office)
    status = inputs.choice("status", dict(Status.choices))
    if status:
        leads = leads.filter(status=status)
    source = inputs.text("source")
    if source:
        leads = leads.filter(source=_source(source))
    urgency = inputs.choice("urgency", dict(Urgency.choices))
    if urgency:
        leads = leads.with_urgency([urgency])
    return leads


def _source(text: str) -> LeadSource:
    found = LeadSource.objects.filter(Q(key__iexact=text) | Q(label__iexact=text)).first()
    if found is None:
        labels = ", ".join(LeadSource.objects.values_list("label", flat=True))
        raise ToolError(f"No lead source {text!r}. Sources: {labels}.")
    return found


def count_leads(inputs: Inputs) -> dict:
    return {"count": filtered_leads(inputs).order_by().count()}


def list_leads(inputs: Inputs) -> dict:
    leads = filtered_leads(inputs)
    total = leads.order_by().count()
    fields = ["id", "first_name", "last_name", "phone", "status", "source__label"]
    fields += ["office__name", "received_at", "next_contact_at", "city", "state"]
    money = may_see_money(inputs.user)
    if money:
        fields.append("fee")
    labels = dict(Status.choices)
    rows = []
    for lead in leads.order_by("-received_at", "-id").values(*fields)[:ROW_CAP]:
        row = {
            "id": lead["id"],
            "name": f"{lead['first_name']} {lead['last_name']}".strip(),
            "phone": lead["phone"],
            "status": labels.get(lead["status"], lead["status"]),
            "source": lead["source__label"],
            "office": lead["office__name"],
            "received": shown_time(lead["received_at"]),
            "next_contact": shown_time(lead["next_contact_at"]),
            "city": lead["city"],
            "state": lead["state"],
        }
        if money:
            row["fee"] = None if lead["fee"] is None else str(lead["fee"])
        rows.append(row)
    return {"total": total, "showing": showing(total, rows), "leads": rows}


def lead_breakdown(inputs: Inputs) -> dict:
    by = inputs.choice("by", {**dict.fromkeys(BREAKDOWNS, ""), "urgency": ""})
    leads = filtered_leads(inputs).order_by()
    if by == "urgency":
        groups = [
            {"urgency": label, "count": leads.with_urgency([value]).count()}
            for value, label in Urgency.choices
        ]
    else:
        field = BREAKDOWNS[by]
        labels = dict(Status.choices)
        groups = [
            {
                by: labels.get(row[field], row[field]) if by == "status" else row[field],
                "count": row["count"],
            }  # fmt: skip
            for row in leads.values(field).annotate(count=Count("id")).order_by("-count", field)
        ]
    return {"by": by, "total": sum(group["count"] for group in groups), "groups": groups}


def conversion_rate(inputs: Inputs) -> dict:
    """Leads received in a period and how many of them are Converted now; a second
    period (compare_*) for week-over-week questions."""
    periods = [("start_date", "end_date")]
    if inputs.values.get("compare_start_date") or inputs.values.get("compare_end_date"):
        periods.append(("compare_start_date", "compare_end_date"))
    leads = filtered_leads(Inputs(inputs.user, _without_period(inputs.values))).order_by()
    results = []
    for start, end in periods:
        counts = leads.filter(inputs.period("received_at", start, end)).aggregate(
            leads=Count("id"), converted=Count("id", filter=Q(status=Status.CONVERTED))
        )
        rate = round(100 * counts["converted"] / counts["leads"], 1) if counts["leads"] else None
        period = {"start_date": inputs.text(start) or "any", "end_date": inputs.text(end) or "any"}
        results.append(period | counts | {"rate_percent": rate})
    answer = {"periods": results}
    if len(results) == 2 and None not in (results[0]["rate_percent"], results[1]["rate_percent"]):
        change = results[0]["rate_percent"] - results[1]["rate_percent"]
        answer["change_points"] = round(change, 1)
    return answer


def _without_period(values: dict) -> dict:
    dates = ("start_date", "end_date", "compare_start_date", "compare_end_date")
    return {key: value for key, value in values.items() if key not in dates}


def dashboard_lead_tiers(user, office) -> dict:
    """The leads dashboard's tiers (LeadQuerySet.with_tier), counted in one query."""
    names = {1: "due_callbacks", 2: "fresh", 3: "future_callbacks", 4: "converted"}
    leads = Lead.objects.visible_to(user)
    if office:
        leads = leads.filter(office=office)
    counts = dict.fromkeys([*names.values(), "irrelevant"], 0)
    tiers = leads.with_tier(timezone.now()).order_by().values("tier").annotate(n=Count("id"))
    for row in tiers:
        counts[names.get(row["tier"], "irrelevant")] = row["n"]
    return counts


TOOLS = [
    Tool(
        "count_leads",
        "Exact count of the user's live leads (what the leads dashboard holds), filtered by "
        "office, status, source, urgency and the day received.",
        LEAD_FILTERS,
        "leads.view",
        count_leads,
    ),
    Tool(
        "list_leads",
        f"The user's live leads, newest first, at most {ROW_CAP} rows with the true total "
        "(say 'showing N of TOTAL' when capped). Same filters as count_leads.",
        LEAD_FILTERS,
        "leads.view",
        list_leads,
    ),
    Tool(
        "lead_breakdown",
        "Counts of the user's live leads grouped by status, source, office or urgency, for "
        "the same filters (e.g. 'top sources this month').",
        {"by": {"type": "string", "enum": [*BREAKDOWNS, "urgency"]}, **LEAD_FILTERS},
        "leads.view",
        lead_breakdown,
        required=("by",),
    ),
    Tool(
        "conversion_rate",
        "Of the leads received in a period, how many are Converted now (percent). Give a "
        "second period in compare_start_date / compare_end_date to compare (week over week).",
        {
            **LEAD_FILTERS,
            "compare_start_date": {"type": "string", "description": "Second period's first day."},
            "compare_end_date": {"type": "string", "description": "Second period's last day."},
        },
        "leads.view",
        conversion_rate,
    ),
]
