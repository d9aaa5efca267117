"""Conditions (OR within a row, AND across, empty = any; Current Status is the record's
status now, not the one being entered), the View Log's query and filters, the 90-day purge."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from automations.rules import firing, log, sending
from automations.rules.models import Rule, RuleLog, RuleStamp
from tests.factories import (
    JobPartnerFactory,
    JobTypeFactory,
    LeadFactory,
    OfficeFactory,
    lead_source,
)

pytestmark = pytest.mark.django_db


def rule(**fields) -> Rule:
    values = {"name": "R", "trigger": "job_created", "recipient": "client", "channel": "sms"}
    return Rule.objects.create(**{"body": "Hi", **values, **fields})


def loaded(made: Rule) -> Rule:
    return Rule.objects.prefetch_related(*firing.CONDITION_ROWS).get(pk=made.pk)


def test_empty_conditions_match_anything(garage_job):
    assert firing.matches(loaded(rule()), garage_job())


def test_or_within_a_row_and_across_rows(garage, sliding, garage_job, repair):
    install = JobTypeFactory(label="Install")
    made = rule()
    made.offices.set([garage, sliding])
    made.job_types.set([repair])
    made = loaded(made)
    assert firing.matches(made, garage_job())
    assert firing.matches(made, garage_job(office=sliding))
    assert not firing.matches(made, garage_job(job_type=install))
    assert not firing.matches(made, garage_job(office=OfficeFactory(name="Other")))


def test_a_jobs_source_is_its_job_partner_and_a_leads_its_lead_source(garage, garage_job, gdq):
    made = rule()
    made.job_sources.set([gdq])
    assert firing.matches(loaded(made), garage_job())
    assert not firing.matches(loaded(made), garage_job(source=JobPartnerFactory(name="Angi")))
    lead_rule = rule(trigger="lead_created")
    lead_rule.lead_sources.set([lead_source("facebook")])
    assert firing.matches(loaded(lead_rule), LeadFactory(source=lead_source("facebook")))
    assert not firing.matches(loaded(lead_rule), LeadFactory(source=lead_source("google")))


def test_current_status_is_the_records_status_now(garage_job):
    made = loaded(
        rule(trigger="job_status_changed", target_status="deposit", statuses=["submitted"])
    )
    assert not firing.matches(made, garage_job(status="deposit"))
    assert firing.matches(made, garage_job(status="submitted"))


def logs(garage_job):
    job = garage_job()
    made = rule(name="Reminder")
    other = rule(name="Welcome", channel="email")
    rows = [
        RuleLog(rule=made, rule_name="Reminder", trigger="job_created", channel="sms",
                status="sent", recipient="+13055550142", preview="See you at 2", job=job),
        RuleLog(rule=made, rule_name="Reminder", trigger="job_created", channel="sms",
                status="failed", recipient="+13055550143",
                error="No CTM number configured for office Sliding"),
        RuleLog(rule=other, rule_name="Welcome", trigger="job_created", channel="email",
                status="skipped", recipient="a@example.com", error="outside quiet hours"),
    ]  # fmt: skip
    return made, other, RuleLog.objects.bulk_create(rows)


def test_the_log_filters(garage_job):
    made, other, (sent, failed, skipped) = logs(garage_job)
    assert log.log_rows() == [skipped, failed, sent]  # newest first
    assert log.log_rows(q="0142") == [sent]
    assert log.log_rows(q="see YOU") == [sent]
    assert log.log_rows(q="ctm number") == [failed]
    assert log.log_rows(status="skipped") == [skipped]
    assert log.log_rows(channel="sms") == [failed, sent]
    assert log.log_rows(rule_id=other.pk) == [skipped]
    assert log.log_rows(rule_id=str(made.pk), status="failed") == [failed]
    assert log.log_rows(status="bogus", channel="fax", rule_id="x") == [skipped, failed, sent]
    assert log.log_rows(limit=2) == [skipped, failed]


def test_the_log_is_one_query_with_its_records_link(garage_job):
    logs(garage_job)
    with CaptureQueriesContext(connection) as queries:
        rows = log.log_rows()
        linked = [row.job_id for row in rows if row.job_id]  # the page links by id and label
    assert len(queries) == 1 and len(linked) == 1


def test_logs_and_event_stamps_older_than_90_days_are_purged_time_stamps_stay(garage_job):
    made = rule()
    old = timezone.now() - datetime.timedelta(days=91)
    RuleLog.objects.create(
        rule=made, rule_name="R", trigger="job_created", channel="sms", created_at=old
    )
    recent = RuleLog.objects.create(rule=made, rule_name="R", trigger="job_created", channel="sms")
    RuleStamp.objects.create(rule=made, key="event:1", created_at=old)
    RuleStamp.objects.create(rule=made, key="job:1", created_at=old)
    assert sending.purge_old() == 2
    assert sending.purge_old() == 0
    assert list(RuleLog.objects.all()) == [recent]
    assert list(RuleStamp.objects.values_list("key", flat=True)) == ["job:1"]
