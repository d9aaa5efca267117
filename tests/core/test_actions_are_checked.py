"""Every public function of a services module either checks the actor's capability
(`check(` / the jobs modules' `require(`) or is listed below as not an action.

A new action without a check fails here: add the check (actor=None is the system), or,
for a helper that writes nothing, list it in NOT_ACTIONS with the reason.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICE_MODULES = sorted(
    [
        *ROOT.glob("leads/services/*.py"),
        *ROOT.glob("contractors/services/*.py"),
        *ROOT.glob("jobs/services/*.py"),
        *ROOT.glob("booking/services/*.py"),
        ROOT / "crm/accounts/services.py",
        ROOT / "crm/accounts/office_email.py",
        ROOT / "messaging/senders.py",
        ROOT / "messaging/services.py",
        ROOT / "messaging/optouts.py",
        ROOT / "messaging/numbers.py",
        ROOT / "messaging/sms_templates.py",
        ROOT / "crm/controlpanel/services.py",
        ROOT / "crm/assistant/services.py",
        ROOT / "finance/services.py",
        ROOT / "leads/importing.py",
        ROOT / "automations/webhooks/endpoints.py",
        ROOT / "automations/webhooks/replaying.py",
        ROOT / "automations/webhooks/sending.py",
        ROOT / "automations/webhooks/counting.py",
        ROOT / "automations/rules/services.py",
        ROOT / "crm/todos/services.py",
        ROOT / "crm/reports/services.py",
    ]
)
CHECKS = {"check", "require"}

# module path → {function: why it needs no capability check}
NOT_ACTIONS = {
    "crm/assistant/services.py": {
        "spend_today": "reads only (CP → 🤖 AI Assistant's spend table)",
        "user_conversations": "reads only: the user's own conversations",
    },
    "crm/reports/services.py": {
        "parse_recipients": "validation",
        "last_send_time": "pure time",
        "due_windows": "pure time over the settings",
        "send_due_reports": "the beat tick: the system sends",
        "last_sends": "reads only (CP → 📧 Email Settings)",
    },
    "crm/todos/services.py": {
        "assignable_users": "reads only (the editor's people)",
        "assignable_offices": "reads only (the editor's offices)",
        "badge_count": "reads only (the 📋 badge, cached)",
        "end_of_today": "pure time",
    },
    "automations/rules/services.py": {
        "is_paused": "reads only",
    },
    "automations/webhooks/endpoints.py": {
        "clean_url": "validation (the target rule), reads only",
        "clean_rows": "validation",
        "check_variables": "validation",
    },
    "automations/webhooks/counting.py": {
        "business_day": "pure time",
        "bump": "the daily counts of the system's sends and the routing handler",
        "fired": "the routing handler's count (the system)",
        "dead_count": "reads only",
        "dead_deliveries": "reads only",
        "windows": "reads only",
    },
    "automations/webhooks/sending.py": {
        "claim_timeout": "pure",
        "queue": "the system sends what a handler wrote (after its commit)",
        "send": "the system's send task",
        "send_due": "the system's beat sweep",
        "stopped_reason": "reads only",
        "request_headers": "builds headers",
        "masked": "pure",
        "post": "the system's try of a claimed delivery (recorded by the sender)",
        "purge_old": "nightly system task",
    },
    "booking/services/embeds.py": {
        "embed_problems": "validation, reads only",
        "normalize_domains": "pure text cleaning",
        "problems_in": "validation, reads only",
    },
    "booking/services/submissions.py": {
        "allow_submission": "the public widget's per-IP limit (cache and audit only)",
        "record_honeypot": "the public widget's bot trap: one audit row, nothing stored",
        "booking_source": "puts back the built-in source submit_booking needs",
        "booking_notes": "pure text",
        "thank_you_text": "pure text",
    },
    "contractors/services/contractors.py": {
        "audit_change": "the audit + event helper of the checked actions beside it",
        "clean_percent": "validation",
        "clean_zip_codes": "validation",
        "clean_partners": "validation",
        "resolve_partners": "validation, reads only",
    },
    "contractors/services/zones.py": {
        "zone_contractor_picks": "reads only",
        "clean_polygon": "validation",
    },
    "crm/accounts/services.py": {
        "active_user_for_email": "sign-in: reads only",
        "issue_login_code": "sign-in: the visitor is not signed in yet",
        "redeem_login_code": "sign-in: the visitor is not signed in yet",
        "purge_expired_login_codes": "nightly system task",
    },
    "crm/accounts/office_email.py": {"missing_smtp_fields": "reads only"},
    "messaging/senders.py": {
        "office_senders": "reads only (the automations' send asks it)",
        "why_unusable": "pure",
        "line_choices": "reads only",
        "office_lines": "reads only",
    },
    "messaging/services.py": {
        "line_refusal": "pure",
        "is_opted_out": "reads only",
        "receive_inbound": "the provider's webhook: the system stores a customer's text",
    },
    "messaging/optouts.py": {
        "confirmation_text": "pure text",
        "help_text": "pure text",
        "act_on": "the system's answer to an inbound stop / start / help word",
        "opt_out": "the step of act_on (system) and of decide (checked)",
        "opt_in": "the system's answer to a customer's START",
        "business_days_since": "pure time",
        "pending_count": "reads only (the CP tile's count)",
    },
    "messaging/numbers.py": {"office_for_tracking_source": "reads only (lead office resolution)"},
    "finance/services.py": {
        "finance_cancel_fields": "reads only (a payload's extra fields)",
    },
    "jobs/services/areas.py": {
        "closest_area": "reads only",
        "closest_areas": "reads only",
    },
    "jobs/services/attention.py": {
        "ask_for_update_hours": "reads only",
        "attention_reason": "reads only",
        "attention_case": "builds a query",
        "update_request_message": "pure text",
    },
    "jobs/services/auto_status.py": {
        "due_jobs": "reads only",
        "advance_due_jobs": "beat task: the system moves due jobs (change_status, actor None)",
    },
    "jobs/services/common.py": {
        "locked": "the row lock of checked actions",
        "emit_for": "the event helper of checked actions",
        "local": "pure time",
        "clock": "pure text",
        "short_window": "pure text",
        "schedule_text": "pure text",
        "moment": "pure text",
    },
    "jobs/services/creating.py": {
        "take_number": "the number counter of create_job (checked)",
        "check_office": "the office rule of create_job (checked)",
        "build_job": "builds an unsaved job",
        "apply_address": "sets fields of an unsaved job",
        "insert_job": "the insert of create_job and the Workiz import (both checked)",
        "initial_from_lead": "reads only",
    },
    "jobs/services/dispatch.py": {
        "candidates_for": "reads only",
        "contractor_choices": "reads only",
        "snapshot_profit_share": "reads only",
        "check_eligible": "validation",
        "set_contractor": "the field write of assign_contractor / k_confirm / rebook (checked)",
        "contractor_change_text": "pure text",
        "emit_contractor_assigned": "the event helper of checked actions",
    },
    "jobs/services/placing.py": {
        "point_of": "reads only",
        "closest_areas": "reads only",
    },
    "jobs/services/reminders.py": {
        "reminder_text": "pure text",
        "static_map_url": "pure text",
        "day_reminders": "reads only",
    },
    "jobs/services/statuses.py": {
        "status_event_data": "pure lookup",
        "entered": "pure lookup",
    },
    "jobs/services/workiz_import.py": {
        "read_rows": "parses an upload",
        "unmatched": "reads only",
        "split_client": "pure text",
        "parse_scheduled": "pure parsing",
    },
    "leads/importing.py": {
        "read_rows": "parses an upload",
        "normalize_header": "pure text",
    },
    "leads/services/creating.py": {
        "emit_for": "the event helper of checked actions",
        "general_office": "reads only",
        "first_office": "reads only",
        "split_name": "pure text",
        "apply_zip": "sets fields of an unsaved lead",
        "record_claim": "the claim's timeline line, written by checked actions",
    },
    "leads/services/dedupe.py": {"duplicate_groups": "reads only"},
    "leads/services/inbox.py": {
        "failures": "reads only",
        "failure_count": "reads only",
    },
    "leads/services/ingest.py": {
        "read_fields": "pure parsing",
        "resolve_source": "reads only",
        "parse_received_at": "pure parsing",
        "parse_fee": "pure parsing",
        "resolve_office": "reads only",
        "register_tracking_source_lookup": "startup wiring (messaging.apps)",
        "validate": "validation",
        "queue_processing": "queues process_inbound (checked)",
        "pending_inbound_ids": "reads only",
    },
    "leads/services/sources.py": {
        "audit_setting_change": "the audit + event helper of the checked actions beside it",
    },
    "leads/services/working.py": {"next_snooze_slot": "reads only"},
}


def _name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _checked_functions(tree: ast.Module) -> set[str]:
    """Functions that call check/require, or a private function of the module that does."""
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    calls = {
        name: {_name(call) for call in ast.walk(node) if isinstance(call, ast.Call)}
        for name, node in functions.items()
    }
    checked = {name for name, called in calls.items() if called & CHECKS}
    grew = True
    while grew:
        more = {
            name
            for name, called in calls.items()
            if any(callee.startswith("_") and callee in checked for callee in called if callee)
        }
        grew = not more <= checked
        checked |= more
    return checked


def _public_functions() -> list[tuple[str, str, bool]]:
    rows = []
    for path in SERVICE_MODULES:
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text())
        checked = _checked_functions(tree)
        module = str(path.relative_to(ROOT))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                rows.append((module, node.name, node.name in checked))
    return rows


FUNCTIONS = _public_functions()


@pytest.mark.parametrize(
    ("module", "function", "is_checked"),
    FUNCTIONS,
    ids=[f"{module}:{function}" for module, function, _ in FUNCTIONS],
)
def test_every_action_checks_its_actor_first(module, function, is_checked):
    if function in NOT_ACTIONS.get(module, {}):
        return
    assert is_checked, (
        f"{module}:{function} changes data without crm.permissions.check(actor, ...): "
        "check first, or list it in NOT_ACTIONS with the reason"
    )


def test_every_exemption_names_a_function_that_still_exists():
    present = {(module, function) for module, function, _ in FUNCTIONS}
    stale = [
        f"{module}:{function}"
        for module, functions in NOT_ACTIONS.items()
        for function in functions
        if (module, function) not in present
    ]
    assert not stale, stale
