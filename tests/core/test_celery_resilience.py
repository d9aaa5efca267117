"""Celery that survives a crash: a task whose worker dies goes back to the broker and runs
again elsewhere, so every task must be safe to run twice."""

import pytest

from crm import celery_app
from tests.core.test_settings import PRODUCTION, manage

pytestmark = pytest.mark.django_db

# Every task the workers run, and the test that proves a second run changes nothing.
IDEMPOTENT = {
    "crm.tasks.deliver_event": "tests/core/test_events.py::"
    "test_a_second_delivery_of_the_same_event_is_a_no_op",
    "crm.tasks.deliver_pending_events": "tests/core/test_event_deliveries.py::"
    "test_two_concurrent_sweeps_run_each_handler_once",
    "crm.tasks.purge_old_events": "tests/core/test_event_deliveries.py::"
    "test_events_and_deliveries_older_than_90_days_are_purged",
    "crm.tasks.stamp_worker_heartbeat": "tests/core/test_healthz.py (a stamp overwrites)",
    "crm.assistant.tasks.purge_old_ledger": "tests/assistant/test_settings_and_audit.py::"
    "test_the_ledger_is_kept_a_year_and_a_second_purge_is_a_no_op",
    "crm.tasks.purge_expired_rate_limits": "tests/core/test_celery_resilience.py::"
    "test_purging_rate_limits_twice_deletes_each_counter_once",
    "crm.accounts.tasks.send_login_code": "tests/accounts/test_sign_in.py::"
    "test_a_redelivered_code_task_sends_no_second_email",
    "crm.accounts.tasks.send_sign_in_link": "tests/controlpanel/test_partner_logins.py::"
    "test_a_redelivered_sign_in_link_task_sends_no_second_email",
    "crm.accounts.tasks.purge_old_login_codes": "a DELETE of expired rows",
    "leads.tasks.process_inbound_lead": "tests/leads/test_webhooks.py::"
    "test_a_lead_that_cannot_be_placed_fails_with_its_reason (never taken twice)",
    "leads.tasks.sweep_inbound_leads": "tests/leads/test_webhooks.py::"
    "test_the_sweep_processes_rows_the_broker_lost",
    "jobs.tasks.advance_submitted_jobs": "tests/jobs/test_auto_status.py::"
    "test_running_twice_never_moves_a_job_twice",
    "automations.webhooks.tasks.send_webhooks": "tests/automations/test_sending.py::"
    "test_a_queued_delivery_is_sent_at_once_logged_and_counted (a redelivered task sends "
    "nothing)",
    "automations.webhooks.tasks.sweep_webhooks": "tests/automations/test_sending.py::"
    "test_deliveries_made_while_celery_was_down_go_out_on_the_next_sweep",
    "automations.webhooks.tasks.purge_old_webhooks": "tests/automations/test_purge.py::"
    "test_the_purge_keeps_all_time_counts_and_what_is_recent_or_unfinished",
    "automations.rules.tasks.send_automations": "tests/automations/rules/test_sending.py::"
    "test_a_redelivered_send_task_sends_nothing_more",
    "automations.rules.tasks.tick_automations": "tests/automations/rules/"
    "test_quiet_hours_and_time.py::test_a_reminder_goes_at_its_offset_and_once",
    "automations.rules.tasks.purge_old_automation_logs": "tests/automations/rules/"
    "test_conditions_and_log.py::test_logs_and_event_stamps_older_than_90_days_are_purged_time_"
    "stamps_stay",
    "finance.tasks.send_weekly_reports": "tests/finance/test_sending.py::"
    "test_each_report_goes_once_to_the_right_people",
    "messaging.tasks.send_message": "tests/messaging/test_sending.py::"
    "test_the_send_task_runs_once_per_message",
    "messaging.tasks.sync_numbers": "tests/messaging/test_cp.py::"
    "test_sync_now_brings_every_page_of_numbers (a second sync adds nothing)",
    "messaging.tasks.process_inbound_sms": "tests/messaging/test_inbound.py::"
    "test_the_sweep_processes_texts_whose_task_was_lost (a done row is skipped)",
    "messaging.tasks.sweep_inbound_sms": "tests/messaging/test_inbound.py::"
    "test_the_sweep_processes_texts_whose_task_was_lost",
    "crm.todos.tasks.generate_recurring_tasks": "tests/todos/test_recurring_generation.py::"
    "test_later_ticks_the_same_day_are_no_ops_and_the_next_day_makes_the_next",
    "crm.reports.tasks.send_email_reports": "tests/reports/test_emailing.py::"
    "test_the_beat_task_sends_a_window_once_across_two_runs",
}


def test_a_task_is_acknowledged_only_when_it_has_finished():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1


def test_a_hung_task_is_stopped_and_never_handed_to_a_second_worker_while_it_runs():
    conf = celery_app.conf
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    # Redis (production) redelivers an unacknowledged task after visibility_timeout: it
    # must outlast the longest task and the longest retry countdown (16 s).
    result = manage(
        "shell", "-c", "from crm import celery_app as app; "
        "print(app.conf.broker_transport_options['visibility_timeout'])", env=PRODUCTION,
    )  # fmt: skip
    assert int(result.stdout.strip().splitlines()[-1]) > conf.task_time_limit + 16


def test_every_task_is_known_to_be_idempotent():
    celery_app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    # A task a test module defines (to run code inside a worker) is registered once that
    # module is imported by the same xdist worker: it is no task of the app's.
    ours = {name for name in celery_app.tasks if not name.startswith(("celery.", "tests."))}
    assert ours == set(IDEMPOTENT), "a new task: prove a second run is a no-op, then list it"


def test_purging_rate_limits_twice_deletes_each_counter_once(settings):
    import datetime

    import time_machine
    from django.utils import timezone

    from crm import ratelimit
    from crm.models import RateLimitCounter
    from crm.tasks import purge_expired_rate_limits

    settings.RATELIMIT_STORE = "database"
    ratelimit.hit("booking-ip:203.0.113.7", limit=5, window_seconds=600)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        ratelimit.hit("booking-ip:203.0.113.8", limit=5, window_seconds=600)
        assert purge_expired_rate_limits.delay().result == 1
        assert purge_expired_rate_limits.delay().result == 0
    assert list(RateLimitCounter.objects.values_list("count", flat=True)) == [1]
