"""CP → Automations & Integrations → 🤖 Automations: the rules list (Enabled toggle,
⎘ Duplicate, delete, ⏸ Pause All / ▶ Resume All), the rule editor (+ var picker, live
preview) and the 📜 View Log. Owner only: every view requires `automations.manage`; the
writes are the actions of `services`, which check it again and refuse with a reason."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from automations.rules import log, log_html, services
from automations.rules.forms import LogFilterForm, RuleForm, trigger_kinds
from automations.rules.models import (
    TIME_TRIGGERS,
    AutomationSettings,
    Channel,
    Recipient,
    Rule,
    Trigger,
    trigger_group,
)
from automations.rules.variables import variables_for
from crm import permissions
from crm.errors import DomainError
from crm.flash import flash_outcome
from crm.htmx import refuse
from jobs.models import Status as JobStatus
from leads.models import Status as LeadStatus

manage = permissions.require("automations.manage")
STATUS_LABELS = {**dict(JobStatus.choices), **dict(LeadStatus.choices)}
# "X before the job appointment" reads as a sentence with its offset in front.
TIME_PHRASES = {
    Trigger.BEFORE_JOB_START: "before the job appointment",
    Trigger.AFTER_JOB_END: "after the job end window",
    Trigger.AFTER_LEAD_RECEIVED: "after the lead was received",
}


def trigger_text(rule: Rule) -> str:
    """The trigger as the list reads it: "Job Status Changed → Done", "24 hours before…"."""
    if rule.trigger in TIME_TRIGGERS:
        amount, unit = rule.offset_amount or 0, rule.offset_unit or "hours"
        unit = unit if amount != 1 else unit.removesuffix("s")
        return f"{amount} {unit} {TIME_PHRASES[rule.trigger]}"
    label = Trigger(rule.trigger).label
    if rule.target_status:
        return f"{label} → {STATUS_LABELS.get(rule.target_status, rule.target_status)}"
    return label


def conditions_text(rule: Rule) -> str:
    source = "Job Source" if trigger_group(rule.trigger) == "job" else "Lead Source"
    parts = []
    for label, names in (
        ("Office", [office.name for office in rule.offices.all()]),
        ("Job Type", [job_type.label for job_type in rule.job_types.all()]),
        (source, [partner.name for partner in rule.job_sources.all()]),
        (source, [lead_source.label for lead_source in rule.lead_sources.all()]),
        ("Current Status", [STATUS_LABELS.get(value, value) for value in rule.statuses]),
    ):
        if names:
            parts.append(f"{label} = {' or '.join(names)}")
    return " · ".join(parts) or "Every record (no conditions)"


def _rules() -> list[Rule]:
    rules = list(
        Rule.objects.order_by("name", "pk").prefetch_related(
            "offices", "job_types", "job_sources", "lead_sources"
        )
    )
    for rule in rules:
        _describe(rule)
    return rules


def _describe(rule: Rule) -> Rule:
    rule.trigger_text = trigger_text(rule)
    rule.conditions_text = conditions_text(rule)
    rule.recipient_text = (
        log_html.shown_address(rule.static_to)
        if rule.recipient == Recipient.STATIC
        else rule.get_recipient_display()
    )
    return rule


@manage
def rule_list(request):
    context = {"rules": _rules(), "settings": AutomationSettings.load()}
    if request.htmx and request.GET.get("partial") == "body":
        return render(request, "automations/_partials/rules_body.html", context)
    return render(request, "automations/rules.html", context)


def _editor(request, form: RuleForm, *, rule: Rule | None):
    trigger, group = form.current_trigger, form.group
    # Which rows the editor shows before its script runs (the script keeps them in step).
    parts = {
        "job": group == "job",
        "lead": group == "lead",
        "status_job": trigger == Trigger.JOB_STATUS_CHANGED,
        "status_lead": trigger == Trigger.LEAD_STATUS_CHANGED,
        "time": trigger in TIME_TRIGGERS,
        "static": form["recipient"].value() == Recipient.STATIC,
        "email": form["channel"].value() == Channel.EMAIL,
    }
    context = {
        "form": form,
        "rule": rule,
        "parts": parts,
        "variables": variables_for(trigger),
        "variables_by_trigger": {value: variables_for(value) for value in Trigger.values},
        "trigger_kinds": trigger_kinds(),
    }
    return render(request, "automations/rules_edit.html", context)


def _save(request, form: RuleForm, *, rule: Rule | None):
    """Save a posted editor through `save_rule`: back to the list, or the editor with the
    refusal on it and nothing saved."""
    if form.is_valid():
        try:
            saved = services.save_rule(actor=request.user, rule=rule, **form.action_kwargs())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Automation {saved.name} saved.")
            return redirect("rules:list")
    return _editor(request, form, rule=rule)


@manage
def rule_new(request):
    if request.method == "POST":
        return _save(request, RuleForm(request.POST), rule=None)
    return _editor(request, RuleForm(trigger=request.GET.get("trigger", "")), rule=None)


@manage
def rule_edit(request, pk: int):
    rule = get_object_or_404(Rule, pk=pk)
    if request.method == "POST":
        return _save(request, RuleForm(request.POST), rule=rule)
    return _editor(request, RuleForm(rule=rule), rule=rule)


@manage
@require_POST
def rule_enabled(request, pk: int):
    rule = get_object_or_404(Rule, pk=pk)
    try:
        rule = services.set_enabled(
            actor=request.user, rule=rule, enabled=request.POST.get("enabled") == "on"
        )
    except DomainError as error:
        return refuse(request, error.message, status=409)
    if request.htmx:
        rule = Rule.objects.prefetch_related(
            "offices", "job_types", "job_sources", "lead_sources"
        ).get(pk=rule.pk)
        return render(request, "automations/_partials/rule_row.html", {"rule": _describe(rule)})
    return redirect("rules:list")


@manage
@require_POST
def rule_duplicate(request, pk: int):
    rule = get_object_or_404(Rule, pk=pk)
    try:
        copy = services.duplicate_rule(actor=request.user, rule=rule)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("rules:list")
    messages.success(request, f"Copied as {copy.name} (disabled until you switch it on).")
    return redirect("rules:edit", pk=copy.pk)


@manage
@require_POST
def rule_delete(request, pk: int):
    rule = get_object_or_404(Rule, pk=pk)
    flash_outcome(
        request,
        lambda: services.delete_rule(actor=request.user, rule=rule),
        success=f"Automation {rule.name} deleted.",
    )
    return redirect("rules:list")


@manage
@require_POST
def pause_all(request):
    flash_outcome(
        request,
        lambda: services.pause_all(actor=request.user),
        success="⏸ Automations paused: no rule fires until you resume.",
    )
    return redirect("rules:list")


@manage
@require_POST
def resume_all(request):
    flash_outcome(
        request,
        lambda: services.resume_all(actor=request.user),
        success="▶ Automations resumed.",
    )
    return redirect("rules:list")


@manage
def rule_preview(request):
    """The editor's live preview: the typed subject and body rendered against the newest
    record the trigger could fire for."""
    trigger = request.GET.get("trigger", "")
    error, shown = "", None
    is_email = request.GET.get("channel") == Channel.EMAIL
    if trigger not in Trigger.values:
        error = "Pick a trigger first."
    else:
        try:
            shown = services.preview(
                actor=request.user,
                trigger=trigger,
                subject=request.GET.get("subject", "") if is_email else "",
                body=request.GET.get("body", ""),
            )
        except DomainError as exc:
            error = exc.message
    group = trigger_group(trigger) if trigger in Trigger.values else ""
    context = {"preview": shown, "error": error, "group": group}
    return render(request, "automations/_partials/rule_preview.html", context)


# --- 📜 View Log -----------------------------------------------------------------------


@manage
def rule_log(request):
    """The last 200 log rows (newest first) under the filters. In the modal from the list's
    📜 View Log; a page of its own without htmx; the filters swap the rows only."""
    rules = list(Rule.objects.order_by("name").values_list("pk", "name"))
    form = LogFilterForm(request.GET or None, rules=rules)
    rows = log.log_rows(**form.filters())  # the spec's last 200
    context = {"form": form, "rows": rows, "rows_html": log_html.rows_html(rows)}
    partial = request.GET.get("partial") if request.htmx else None
    if partial == "rows":
        return render(request, "automations/_partials/log_rows.html", context)
    if partial == "body":
        return render(request, "automations/_partials/log_body.html", context)
    if request.htmx:
        return render(request, "automations/_partials/log_modal.html", context)
    return render(request, "automations/rules_log.html", context)
