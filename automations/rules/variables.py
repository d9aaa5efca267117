"""Template variables (spec: Templates & variables): `{{group.name}}` in a rule's body and
subject, exactly the spec's names, mapped here onto our fields. Job and contractor
variables belong to job triggers, lead variables to lead triggers, client and office to
both. A missing or empty value renders as "". Dates read "Thu, Apr 30" and times "2:00 PM",
on the job's own clock.
"""

import re

from automations.rules.models import trigger_group
from crm.errors import DomainError
from leads.models import Urgency

VARIABLES: dict[str, list[str]] = {
    "job": [
        "id",
        "displayId",
        "address",
        "city",
        "state",
        "postalCode",
        "dateStart",
        "timeStart",
        "dateEnd",
        "timeEnd",
        "jobType",
        "jobSource",
        "company",
        "status",
        "notes",
    ],
    "lead": [
        "id",
        "fullName",
        "firstName",
        "lastName",
        "phone",
        "email",
        "zip",
        "serviceType",
        "callTiming",
        "urgency",
        "source",
        "status",
        "notes",
        "campaign",
        "adName",
    ],
    "client": ["firstName", "lastName", "fullName", "phone", "email", "address"],
    "contractor": ["name", "phone", "email"],
    "office": ["name"],
}

GROUPS_BY_RECORD = {
    "job": ("job", "client", "contractor", "office"),
    "lead": ("lead", "client", "office"),
}

# `{{ job.displayId }}`: spaces inside the braces are allowed, as people type them.
PATTERN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def variables_for(trigger: str) -> list[str]:
    """The full dotted names a rule with this trigger may use (the + var picker's list)."""
    groups = GROUPS_BY_RECORD[trigger_group(trigger)]
    return [f"{group}.{name}" for group in groups for name in VARIABLES[group]]


def check_template(text: str, trigger: str) -> None:
    """Refuse unknown variables and those of the other record kind, naming each."""
    allowed = set(variables_for(trigger))
    group = trigger_group(trigger)
    unknown, wrong = [], []
    for name in PATTERN.findall(text or ""):
        if name in allowed or name in unknown or name in wrong:
            continue
        head, _, tail = name.partition(".")
        if tail in VARIABLES.get(head, ()):
            wrong.append(name)
        else:
            unknown.append(name)
    problems = []
    if unknown:
        problems.append(f"Unknown variable{'s' if len(unknown) > 1 else ''}: {_braced(unknown)}.")
    if wrong:
        problems.append(
            f"{_braced(wrong)} can't be used with a {group} trigger "
            f"({'job' if group == 'lead' else 'lead'} variables only)."
        )
    if problems:
        raise DomainError(" ".join(problems))


def _braced(names: list[str]) -> str:
    return ", ".join("{{" + name + "}}" for name in names)


def render(text: str, context: dict) -> str:
    """`text` with each `{{name}}` replaced by its value; missing or empty → ""."""
    return PATTERN.sub(lambda match: str(context.get(match.group(1)) or ""), text or "")


def _date(moment) -> str:
    return f"{moment:%a}, {moment:%b} {moment.day}"


def _time(moment) -> str:
    return f"{moment.hour % 12 or 12}:{moment:%M %p}"


def job_context(job) -> dict[str, str]:
    """Every job-trigger variable's value for `job` (its office, type, source, contractor
    loaded or loadable)."""
    zone = job.local_zone
    starts, ends = job.starts_at.astimezone(zone), job.ends_at.astimezone(zone)
    contractor = job.contractor
    return {
        "job.id": str(job.pk),
        "job.displayId": job.display_id,
        "job.address": job.address,
        "job.city": job.city,
        "job.state": job.state,
        "job.postalCode": job.zip_code,
        "job.dateStart": _date(starts),
        "job.timeStart": _time(starts),
        "job.dateEnd": _date(ends),
        "job.timeEnd": _time(ends),
        "job.jobType": job.job_type.label if job.job_type_id else "",
        "job.jobSource": job.source.name if job.source_id else "",
        "job.company": job.company,
        "job.status": job.get_status_display(),
        "job.notes": job.notes,
        "client.firstName": job.first_name,
        "client.lastName": job.last_name,
        "client.fullName": job.full_name,
        "client.phone": job.phone,
        "client.email": job.email,
        "client.address": job.address,
        "contractor.name": contractor.name if contractor else "",
        "contractor.phone": contractor.contact_phone if contractor else "",
        "contractor.email": contractor.report_email if contractor else "",
        "office.name": job.office.name,
    }


def lead_context(lead) -> dict[str, str]:
    """Every lead-trigger variable's value for `lead`."""
    region = " ".join(part for part in (lead.state, lead.zip_code) if part)
    address = ", ".join(part for part in (lead.city, region) if part)
    return {
        "lead.id": str(lead.pk),
        "lead.fullName": lead.full_name,
        "lead.firstName": lead.first_name,
        "lead.lastName": lead.last_name,
        "lead.phone": lead.phone,
        "lead.email": lead.email,
        "lead.zip": lead.zip_code,
        "lead.serviceType": lead.service_type,
        "lead.callTiming": lead.how_soon,
        "lead.urgency": Urgency(lead.urgency).label,
        "lead.source": lead.source.label,
        "lead.status": lead.get_status_display(),
        "lead.notes": lead.notes,
        "lead.campaign": lead.campaign,
        "lead.adName": lead.ad_name,
        "client.firstName": lead.first_name,
        "client.lastName": lead.last_name,
        "client.fullName": lead.full_name,
        "client.phone": lead.phone,
        "client.email": lead.email,
        "client.address": address,
        "office.name": lead.office.name,
    }
