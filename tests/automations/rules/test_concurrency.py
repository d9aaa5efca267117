"""Two ticks at once, and one event delivered twice at once, send each fire once (Postgres:
the stamp's unique key and FOR UPDATE SKIP LOCKED; SQLite writes one at a time)."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from automations.rules import firing
from automations.rules.models import Rule, RuleLog, RuleStamp
from crm.models import DomainEvent
from tests.automations.rules.conftest import texts_to

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite writes one at a time"),
]
ONCALL = "+13055550111"


def at_once(work, times=2):
    barrier = threading.Barrier(times)
    errors = []

    def run():
        try:
            barrier.wait()
            work()
        except Exception as exc:  # surfaced below: a thread's failure fails the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def rule(**fields) -> Rule:
    values = {
        "name": "R",
        "recipient": "static",
        "static_to": ONCALL,
        "channel": "sms",
        "body": "{{job.displayId}}",
        "enabled_at": timezone.now() - datetime.timedelta(days=1),
    }
    return Rule.objects.create(**{**values, **fields})


def test_two_ticks_at_once_send_each_reminder_once(sms, garage_job):
    made = rule(trigger="before_job_start", offset_amount=1, offset_unit="hours")
    soon = timezone.now() + datetime.timedelta(minutes=30)
    jobs = [garage_job(starts_at=soon) for _ in range(40)]
    at_once(firing.tick)
    assert RuleStamp.objects.filter(rule=made).count() == 40
    assert sorted(RuleLog.objects.values_list("job_id", flat=True)) == sorted(j.pk for j in jobs)
    assert set(RuleLog.objects.values_list("status", flat=True)) == {"sent"}
    assert texts_to(sms, ONCALL) == 40


def test_an_event_delivered_twice_at_once_sends_once(sms, garage_job):
    made = rule(trigger="job_created")
    job = garage_job()
    event = DomainEvent.objects.create(
        name="job.created", office=job.office, payload={"job": job.pk, "snapshot": {}}
    )
    at_once(lambda: firing.on_event(event))
    assert list(RuleLog.objects.values_list("rule_id", "status")) == [(made.pk, "sent")]
    assert texts_to(sms, ONCALL) == 1
