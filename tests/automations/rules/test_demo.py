"""`make run`'s demo rules fire on the demo's own jobs: the log shows ✓, ○ and ✗."""

import pytest
from django.core.management import call_command

from automations.rules.models import Rule, RuleLog

pytestmark = pytest.mark.django_db


def test_the_demo_rules_log_sent_skipped_and_failed(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    assert Rule.objects.count() == 3
    by_rule = {}
    for name, status, error in RuleLog.objects.values_list("rule_name", "status", "error"):
        by_rule.setdefault(name, set()).add((status, error))
    assert ("sent", "") in by_rule["Garage: text the contractor each new job"]
    assert ("skipped", "no contractor assigned") in by_rule[
        "Garage: text the contractor each new job"
    ]
    assert by_rule["Sliding: email dispatch each new job"] == {
        ("failed", "SMTP not fully configured for office Sliding")
    }
