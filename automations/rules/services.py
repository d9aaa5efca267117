"""The owner's actions on automation rules (CP → Automations & Integrations → 🤖 Automations).

Each action checks `automations.manage` first, writes one audit row and emits
`automation_rule.changed` (or `automations.paused` / `resumed`), so other owners' pages
refresh. `save_rule` refuses what the spec forbids: a lead trigger with the Assigned
Contractor recipient, a status target the trigger doesn't have, a time trigger without its
offset, a static address that is no phone (SMS) or email (Email), and variables unknown or
of the other record kind.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from automations.rules import variables
from automations.rules.models import (
    LEAD_TRIGGERS,
    STATUS_TRIGGERS,
    TIME_TRIGGERS,
    AutomationSettings,
    Channel,
    OffsetUnit,
    Recipient,
    Rule,
    Trigger,
    trigger_group,
)
from contractors.models import JobPartner, JobType
from crm import events
from crm.accounts.models import Office
from crm.errors import DomainError
from crm.permissions import check
from crm.phones import normalize_phone
from crm.timeline.services import audit
from jobs.models import Job
from jobs.models import Status as JobStatus
from leads.models import Lead, LeadSource
from leads.models import Status as LeadStatus

MANAGE = "automations.manage"

STATUSES = {"job": JobStatus, "lead": LeadStatus}
# Condition rows and what they hold; a row the trigger doesn't offer is saved empty.
CONDITIONS = {
    "offices": (Office, ("job", "lead")),
    "job_types": (JobType, ("job",)),
    "job_sources": (JobPartner, ("job",)),
    "lead_sources": (LeadSource, ("lead",)),
}
PLAIN_FIELDS = (
    "name",
    "enabled",
    "trigger",
    "target_status",
    "offset_amount",
    "offset_unit",
    "statuses",
    "recipient",
    "static_to",
    "channel",
    "subject",
    "body",
    "respect_quiet_hours",
)
MAX_OFFSET_MINUTES = 60 * 24 * 365  # a year: anything longer is a typo


def _clean(values: dict) -> dict:
    """The rule's plain fields checked and normalised, or DomainError naming the problem."""
    name = (values.get("name") or "").strip()
    if not name:
        raise DomainError("Give the rule a name.")
    if len(name) > 120:
        raise DomainError("A rule's name is at most 120 characters.")
    trigger = values.get("trigger") or ""
    if trigger not in Trigger.values:
        raise DomainError("Pick a trigger.")
    group = trigger_group(trigger)
    statuses = STATUSES[group]

    target = values.get("target_status") or ""
    if trigger in STATUS_TRIGGERS:
        if target not in statuses.values:
            raise DomainError(f"Pick the status being entered ({_labels(statuses)}).")
    else:
        target = ""

    amount, unit = values.get("offset_amount"), values.get("offset_unit") or ""
    if trigger in TIME_TRIGGERS:
        try:
            amount = int(amount)
        except (TypeError, ValueError):
            raise DomainError("Enter the offset as a whole number.") from None
        if amount < 1:
            raise DomainError("The offset must be at least 1.")
        if unit not in OffsetUnit.values:
            raise DomainError("Pick the offset's unit: minutes, hours or days.")
        if amount * _MINUTES[unit] > MAX_OFFSET_MINUTES:
            raise DomainError("The offset can be at most a year.")
    else:
        amount, unit = None, ""

    current = [str(status) for status in values.get("statuses") or []]
    wrong = [status for status in current if status not in statuses.values]
    if wrong:
        raise DomainError(f"Unknown {group} status: {', '.join(wrong)}.")

    channel = values.get("channel") or ""
    if channel not in Channel.values:
        raise DomainError("Pick a channel: SMS or Email.")
    recipient = values.get("recipient") or ""
    if recipient not in Recipient.values:
        raise DomainError("Pick a recipient.")
    if recipient == Recipient.CONTRACTOR and trigger in LEAD_TRIGGERS:
        raise DomainError(
            "Lead triggers can't use the Assigned Contractor recipient: leads don't have one."
        )
    static_to = (values.get("static_to") or "").strip()
    static_to = _static_address(static_to, channel) if recipient == Recipient.STATIC else ""

    subject = (values.get("subject") or "").strip() if channel == Channel.EMAIL else ""
    if channel == Channel.EMAIL and not subject:
        raise DomainError("Give the email a subject.")
    if len(subject) > 200:
        raise DomainError("An email subject is at most 200 characters.")
    body = (values.get("body") or "").strip()
    if not body:
        raise DomainError("Write the message.")
    variables.check_template(subject + "\n" + body, trigger)

    return {
        "name": name,
        "enabled": bool(values.get("enabled", True)),
        "trigger": trigger,
        "target_status": target,
        "offset_amount": amount,
        "offset_unit": unit,
        "statuses": list(dict.fromkeys(current)),
        "recipient": recipient,
        "static_to": static_to,
        "channel": channel,
        "subject": subject,
        "body": body,
        "respect_quiet_hours": bool(values.get("respect_quiet_hours")),
    }


_MINUTES = {"minutes": 1, "hours": 60, "days": 60 * 24}


def _labels(choices) -> str:
    return " / ".join(str(label) for label in choices.labels)


def _static_address(value: str, channel: str) -> str:
    if channel == Channel.SMS:
        try:
            return normalize_phone(value)
        except ValueError as exc:
            raise DomainError(f"Static address: {exc}") from None
    if not value:
        raise DomainError("Static address: enter an email address.")
    try:
        validate_email(value)
    except ValidationError:
        raise DomainError(f"Static address: {value} is not a valid email address.") from None
    return value.lower()


def _conditions(values: dict, group: str) -> dict[str, list]:
    """Each condition row's records (ids or instances accepted); unknown ids are refused."""
    rows = {}
    for field, (model, groups) in CONDITIONS.items():
        wanted = values.get(field) or []
        if group not in groups:
            rows[field] = []
            continue
        ids = {getattr(item, "pk", item) for item in wanted}
        try:
            found = list(model.objects.filter(pk__in=ids))
        except (TypeError, ValueError):
            raise DomainError(f"Unknown {field.replace('_', ' ')} in the conditions.") from None
        if len(found) != len(ids):
            raise DomainError(f"Unknown {field.replace('_', ' ')} in the conditions.")
        rows[field] = found
    return rows


def _emit_change(*, actor, rule_id: int, change: str) -> None:
    events.emit("automation_rule.changed", actor=actor, rule_id=rule_id, change=change)


@transaction.atomic
def save_rule(*, actor, rule: Rule | None = None, **fields) -> Rule:
    """Create a rule (`rule` None) or edit one. Fields left out keep their value (a new
    rule: the model's default); unknown fields are a programming error."""
    check(actor, MANAGE)
    unknown = set(fields) - set(PLAIN_FIELDS) - set(CONDITIONS)
    if unknown:
        raise TypeError(f"save_rule() got unknown fields: {', '.join(sorted(unknown))}")
    if rule is not None:
        rule = Rule.objects.select_for_update().get(pk=rule.pk)
        values = {name: getattr(rule, name) for name in PLAIN_FIELDS}
        for field in CONDITIONS:
            values[field] = list(getattr(rule, field).values_list("pk", flat=True))
    else:
        values = {"enabled": True}
    values.update(fields)
    cleaned = _clean(values)
    rows = _conditions(values, trigger_group(cleaned["trigger"]))

    created = rule is None
    if created:
        rule = Rule(**cleaned)
    else:
        was_enabled = rule.enabled
        for name, value in cleaned.items():
            setattr(rule, name, value)
        if rule.enabled and not was_enabled:
            rule.enabled_at = timezone.now()
    if created:
        rule.enabled_at = timezone.now()
    rule.save()
    for field, records in rows.items():
        getattr(rule, field).set(records)
    if created:
        audit(
            "automation.added",
            f"Automation “{rule.name}” added",
            actor=actor,
            metadata={"rule": rule.pk},
        )
        _emit_change(actor=actor, rule_id=rule.pk, change="added")
    else:
        audit(
            "automation.changed",
            f"Automation “{rule.name}” saved",
            actor=actor,
            metadata={"rule": rule.pk},
        )
        _emit_change(actor=actor, rule_id=rule.pk, change="changed")
    return rule


@transaction.atomic
def delete_rule(*, actor, rule: Rule) -> None:
    """Delete a rule; its log rows stay (their rule becomes empty, the name remains)."""
    check(actor, MANAGE)
    pk, name = rule.pk, rule.name
    Rule.objects.filter(pk=pk).delete()
    audit(
        "automation.deleted",
        f"Automation “{name}” deleted",
        actor=actor,
        metadata={"rule": pk},
    )
    _emit_change(actor=actor, rule_id=pk, change="deleted")


@transaction.atomic
def duplicate_rule(*, actor, rule: Rule) -> Rule:
    """A disabled copy named "… (copy)" with the same conditions; its fire count starts at 0."""
    check(actor, MANAGE)
    source = Rule.objects.get(pk=rule.pk)
    copy = Rule.objects.create(
        **{name: getattr(source, name) for name in PLAIN_FIELDS if name not in ("name", "enabled")},
        name=f"{source.name[:113]} (copy)",
        enabled=False,
    )
    for field in CONDITIONS:
        getattr(copy, field).set(getattr(source, field).all())
    audit(
        "automation.added",
        f"Automation “{copy.name}” added (copy of “{source.name}”)",
        actor=actor,
        metadata={"rule": copy.pk, "copied_from": source.pk},
    )
    _emit_change(actor=actor, rule_id=copy.pk, change="added")
    return copy


@transaction.atomic
def set_enabled(*, actor, rule: Rule, enabled: bool) -> Rule:
    """The list's Enabled toggle. Switched on, a time rule fires only for moments from now."""
    check(actor, MANAGE)
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    if rule.enabled != enabled:
        rule.enabled = enabled
        if enabled:
            rule.enabled_at = timezone.now()
        rule.save(update_fields=["enabled", "enabled_at", "updated_at"])
        word = "enabled" if enabled else "disabled"
        audit(
            "automation.changed",
            f"Automation “{rule.name}” {word}",
            actor=actor,
            metadata={"rule": rule.pk},
        )
        _emit_change(actor=actor, rule_id=rule.pk, change=word)
    return rule


@transaction.atomic
def pause_all(*, actor) -> AutomationSettings:
    """Pause All: every fire path stops until resume_all."""
    check(actor, MANAGE)
    row, _ = AutomationSettings.objects.select_for_update().get_or_create(pk=1)
    if not row.paused:
        row.paused, row.paused_at = True, timezone.now()
        row.paused_by = actor if getattr(actor, "pk", None) else None
        row.save()
        audit("automations.paused", "Automations paused (Pause All)", actor=actor)
        events.emit("automations.paused", actor=actor)
    return row


@transaction.atomic
def resume_all(*, actor) -> AutomationSettings:
    """▶ Resume All: rules fire again (what was skipped while paused stays skipped)."""
    check(actor, MANAGE)
    row, _ = AutomationSettings.objects.select_for_update().get_or_create(pk=1)
    if row.paused:
        row.paused, row.paused_at, row.paused_by = False, None, None
        row.save()
        audit("automations.resumed", "Automations resumed", actor=actor)
        events.emit("automations.resumed", actor=actor)
    return row


def is_paused() -> bool:
    return AutomationSettings.load().paused


def preview(*, actor, trigger: str, subject: str = "", body: str = "") -> dict:
    """The template rendered against the newest job or lead (by trigger) the actor sees;
    every value "" when there is none. Unknown variables are refused as on save."""
    check(actor, MANAGE)
    if trigger not in Trigger.values:
        raise DomainError("Pick a trigger.")
    variables.check_template(f"{subject or ''}\n{body or ''}", trigger)
    context, label = {}, ""
    if trigger_group(trigger) == "job":
        job = (
            Job.objects.visible_to(actor)
            .select_related("office", "job_type", "source", "contractor")
            .order_by("-created_at", "-id")
            .first()
        )
        if job is not None:
            context, label = variables.job_context(job), job.display_id
    else:
        lead = (
            Lead.objects.visible_to(actor)
            .select_related("office", "source")
            .order_by("-received_at", "-id")
            .first()
        )
        if lead is not None:
            context, label = variables.lead_context(lead), lead.full_name
    return {
        "text": variables.render(body, context),
        "subject": variables.render(subject, context),
        "record_label": label,
    }
