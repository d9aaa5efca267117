"""Job tools: the pipeline, job lists and contractor history, over the user's jobs
(Jobs-off offices excluded, as `JobQuerySet.visible_to` has it). Money only with
finance.view; contractor contacts only where the role may see them."""

from django.db.models import Count, Q, Sum

from contractors.models import Contractor, JobType
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
from crm.permissions import can
from finance.money import cents, cents_to_dollars, payout_cents_expression
from jobs.models import Job, Status

JOB_FILTERS = {
    "office": office_property("count only its jobs"),
    "status": {"type": "string", "enum": list(Status.values)},
    "job_type": {"type": "string", "description": "Job type name (e.g. Garage Door Repair)."},
    "contractor": {"type": "string", "description": "Contractor name."},
    **date_properties("of the appointment"),
}


def filtered_jobs(inputs: Inputs):
    jobs = Job.objects.visible_to(inputs.user).filter(inputs.period("starts_at"))
    office = inputs.office()
    if office:
        jobs = jobs.filter(office=office)
    status = inputs.choice("status", dict(Status.choices))
    if status:
        jobs = jobs.filter(status=status)
    job_type = inputs.text("job_type")
    if job_type:
        jobs = jobs.filter(job_type=_named(JobType, "label", job_type, "job type"))
    contractor = inputs.text("contractor")
    if contractor:
        jobs = jobs.filter(contractor=_named(Contractor, "name", contractor, "contractor"))
    return jobs


def _named(model, field: str, text: str, what: str):
    found = model.objects.filter(**{f"{field}__iexact": text}).first()
    if found is None:
        raise ToolError(f"No {what} named {text!r}.")
    return found


def _money(row: dict) -> dict:
    return {name: str(cents_to_dollars(row[name])) for name in ("closing", "parts", "payout")}


MONEY_SUMS = {
    "closing": Sum(cents("closing_total")),
    "parts": Sum(cents("parts_total")),
    "payout": Sum(payout_cents_expression()),
}


def job_pipeline(inputs: Inputs) -> dict:
    jobs = filtered_jobs(inputs).order_by()
    money = may_see_money(inputs.user)
    sums = {"count": Count("id"), **(MONEY_SUMS if money else {})}
    by_status = {row["status"]: row for row in jobs.values("status").annotate(**sums)}
    stages = []
    for value, label in Status.choices:
        row = by_status.get(value) or dict.fromkeys(sums, 0)
        stages.append({"status": label, "count": row["count"], **(_money(row) if money else {})})
    return {"total": sum(stage["count"] for stage in stages), "stages": stages}


def list_jobs(inputs: Inputs) -> dict:
    jobs = filtered_jobs(inputs)
    total = jobs.order_by().count()
    money = may_see_money(inputs.user)
    fields = ["number", "first_name", "last_name", "status", "job_type__label"]
    fields += ["contractor__name", "office__name", "starts_at", "city", "state"]
    if money:
        fields += ["closing_total", "parts_total"]
        jobs = jobs.annotate(payout_cents=payout_cents_expression())
        fields.append("payout_cents")
    labels = dict(Status.choices)
    rows = []
    for job in jobs.order_by("-starts_at", "-id").values(*fields)[:ROW_CAP]:
        row = {
            "job": f"JOB-{job['number']}",
            "customer": f"{job['first_name']} {job['last_name']}".strip(),
            "status": labels.get(job["status"], job["status"]),
            "job_type": job["job_type__label"],
            "contractor": job["contractor__name"] or "",
            "office": job["office__name"],
            "starts": shown_time(job["starts_at"]),
            "city": job["city"],
            "state": job["state"],
        }
        if money:
            row["closing"] = _amount(job["closing_total"])
            row["parts"] = _amount(job["parts_total"])
            row["payout"] = str(cents_to_dollars(job["payout_cents"]))
        rows.append(row)
    return {"total": total, "showing": showing(total, rows), "jobs": rows}


def _amount(value) -> str | None:
    return None if value is None else str(value)


def contractor_history(inputs: Inputs) -> dict:
    jobs = filtered_jobs(inputs).order_by().filter(contractor__isnull=False)
    money = may_see_money(inputs.user)
    contacts = can(inputs.user, "jobs.contractor_details")
    fields = ["contractor_id", "contractor__name"]
    if contacts:
        fields += ["contractor__contact_name", "contractor__contact_phone"]
    sums = {
        "jobs": Count("id"),
        "done": Count("id", filter=Q(status=Status.DONE)),
        "cancelled": Count("id", filter=Q(status=Status.CANCELLED)),
    }
    if money:
        sums["revenue"] = Sum(cents("closing_total"), filter=Q(status=Status.DONE))
    grouped = jobs.values(*fields).annotate(**sums).order_by("-jobs", "contractor__name")
    total = grouped.count()
    rows = []
    for group in grouped[:ROW_CAP]:
        row = {"contractor": group["contractor__name"]}
        row |= {name: group[name] for name in ("jobs", "done", "cancelled")}
        if contacts:
            row["contact"] = group["contractor__contact_name"]
            row["phone"] = group["contractor__contact_phone"]
        if money:
            row["revenue"] = str(cents_to_dollars(group["revenue"]))
        rows.append(row)
    return {"total": total, "showing": showing(total, rows), "contractors": rows}


TOOLS = [
    Tool(
        "job_pipeline",
        "The user's jobs counted per status (Submitted → Done / Cancelled), with closing, "
        "parts and payout totals when the role sees money. Filters: office, status, job "
        "type, contractor, appointment days.",
        JOB_FILTERS,
        "jobs.view",
        job_pipeline,
    ),
    Tool(
        "list_jobs",
        f"The user's jobs, latest appointment first, at most {ROW_CAP} rows with the true "
        "total (say 'showing N of TOTAL' when capped). Same filters as job_pipeline.",
        JOB_FILTERS,
        "jobs.view",
        list_jobs,
    ),
    Tool(
        "contractor_history",
        "Per contractor, over the user's jobs: jobs, done, cancelled (and revenue from Done "
        "jobs when the role sees money). Filter by contractor name and the job filters.",
        JOB_FILTERS,
        "jobs.view",
        contractor_history,
    ),
]
