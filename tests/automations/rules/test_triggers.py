"""Each trigger fires on its event only, through the real domain actions and crm.events
(Celery eager): the spec's quick example end to end, status targets, rebook, the contractor
paths, leads; Workiz imports fire nothing; a redelivered event sends once."""

import datetime

import pytest
from django.utils import timezone

from automations.rules import firing, handlers
from automations.rules.models import LogStatus, Rule, RuleLog
from crm import event_handlers
from crm.models import DomainEvent
from jobs.models import Status as JobStatus
from jobs.services import auto_status, creating, dispatch, scheduling, statuses, workiz_import
from leads.models import Status as LeadStatus
from leads.services import creating as lead_creating
from leads.services import working
from messaging.models import Message, Thread
from tests.automations.rules.conftest import TOMORROW_2PM, texts_to
from tests.factories import ContractorFactory, lead_source

pytestmark = pytest.mark.django_db
SPEC_BODY = (
    "Hi {{contractor.name}}, new job {{job.displayId}} on {{job.dateStart}} at "
    "{{job.timeStart}} — {{job.address}}. Client: {{client.fullName}} {{client.phone}}."
)


def rule(trigger, *, offices=(), **fields) -> Rule:
    values = {
        "name": f"{trigger} rule",
        "trigger": trigger,
        "recipient": "static",
        "static_to": "+13055550111",
        "channel": "sms",
        "body": "Fired",
        **fields,
    }
    made = Rule.objects.create(**values)
    made.offices.set(offices)
    return made


def fired(made: Rule) -> list[str]:
    return list(RuleLog.objects.filter(rule=made).values_list("status", flat=True))


def test_the_specs_quick_example_texts_the_contractor_from_garages_number(
    sms, garage, agent, mike, new_job, django_capture_on_commit_callbacks
):
    example = rule(
        "job_created", offices=[garage], recipient="contractor", static_to="", body=SPEC_BODY
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = creating.create_job(actor=agent, contractor=mike, **new_job())
    log = RuleLog.objects.get()
    assert (log.status, log.error, log.recipient) == ("sent", "", "+13055550177")
    assert log.preview == (
        f"Hi Mike Hernandez, new job {job.display_id} on Thu, Apr 30 at 2:00 PM — "
        "100 Biscayne Blvd, Miami, FL 33132. Client: Emily Harrison +13055550142."
    )
    assert (log.job, log.record_label, log.office) == (job, job.display_id, garage)
    thread = Thread.objects.get(customer_phone="+13055550177")
    assert thread.line.phone == "+13055550100"
    assert Message.objects.get(thread=thread).body == log.preview
    assert texts_to(sms, "+13055550177") == 1
    example.refresh_from_db()
    assert example.fire_count == 1


def test_a_job_in_another_office_does_not_match(
    sms, garage, sliding, agent, mike, new_job, django_capture_on_commit_callbacks
):
    example = rule("job_created", offices=[garage])
    with django_capture_on_commit_callbacks(execute=True):
        creating.create_job(actor=agent, **new_job(office=sliding))
    assert fired(example) == []


def test_a_workiz_import_fires_nothing():
    assert handlers.KEY not in event_handlers.keys_for("job.imported")
    for name in firing.EVENT_TRIGGERS:
        assert handlers.KEY in event_handlers.keys_for(name)


@pytest.mark.parametrize("target", [s for s in JobStatus.values if s != "submitted"])
def test_job_status_changed_fires_for_its_target_only(
    sms, garage, garage_job, target, django_capture_on_commit_callbacks
):
    job = garage_job()
    wanted = rule("job_status_changed", target_status=target)
    other = rule(
        "job_status_changed", target_status="submitted" if target != "submitted" else "done"
    )
    created = rule("job_created")
    event = DomainEvent.objects.create(
        name="job.status_changed",
        office=garage,
        payload={
            "job": job.pk,
            "snapshot": {},
            "old": "submitted",
            "new": target,
            "reopened": False,
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        firing.on_event(event)
    assert fired(wanted) == ["sent"]
    assert fired(other) == fired(created) == []


def test_a_manual_status_change_and_the_auto_status_tick_fire_alike(
    sms, garage, garage_job, agent, django_capture_on_commit_callbacks, time_machine
):
    in_progress = rule("job_status_changed", target_status="in_progress")
    job = garage_job()
    with django_capture_on_commit_callbacks(execute=True):
        statuses.change_status(job=job, actor=agent, status="in_progress")
    assert fired(in_progress) == ["sent"]
    auto = garage_job(starts_at=TOMORROW_2PM)
    from jobs.models import JobsSettings

    settings_row = JobsSettings.load()
    settings_row.auto_advance_enabled = True
    settings_row.save()
    settings_row.auto_advance_offices.set([garage])
    time_machine.move_to(TOMORROW_2PM.replace(hour=23))
    with django_capture_on_commit_callbacks(execute=True):
        moved = auto_status.advance_due_jobs()
    auto.refresh_from_db()
    assert moved >= 1 and auto.status == "in_progress"
    assert fired(in_progress) == ["sent", "sent"]


def test_rebook_fires_job_rebooked_and_a_new_contractor_fires_contractor_assigned(
    sms, garage, garage_job, agent, repair, miami, django_capture_on_commit_callbacks
):
    rebooked, assigned = rule("job_rebooked"), rule("contractor_assigned")
    job = garage_job()
    joe = ContractorFactory(name="Joe", job_types=[repair], service_areas=[miami])
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.rebook(job=job, actor=agent, contractor=joe)
    assert fired(rebooked) == ["sent"] and fired(assigned) == ["sent"]
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.rebook(job=job, actor=agent)  # a marker only: same contractor
    assert fired(rebooked) == ["sent", "sent"] and fired(assigned) == ["sent"]


def test_contractor_assigned_on_find_contractor_and_k_reassign_but_not_at_creation(
    sms, garage, agent, mike, repair, miami, new_job, django_capture_on_commit_callbacks
):
    assigned, created = rule("contractor_assigned"), rule("job_created")
    with django_capture_on_commit_callbacks(execute=True):
        job = creating.create_job(actor=agent, contractor=mike, **new_job())
    assert fired(created) == ["sent"] and fired(assigned) == []
    joe = ContractorFactory(name="Joe", job_types=[repair], service_areas=[miami])
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.assign_contractor(job=job, actor=agent, contractor=joe)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.k_confirm(job=job, actor=agent, contractor=mike)
    assert fired(assigned) == ["sent", "sent"]


def test_lead_created_and_lead_status_changed(
    sms, garage, agent, django_capture_on_commit_callbacks
):
    created = rule("lead_created", recipient="client", static_to="", body="Hi {{lead.firstName}}")
    to_nys = rule("lead_status_changed", target_status=LeadStatus.NOT_YET_SCHEDULED)
    to_irrelevant = rule("lead_status_changed", target_status=LeadStatus.IRRELEVANT)
    with django_capture_on_commit_callbacks(execute=True):
        lead = lead_creating.create_lead(
            office=garage,
            source=lead_source(),
            first_name="Rosa",
            phone="+13055550199",
            via="webhook",
            actor=None,
        )
    log = RuleLog.objects.get(rule=created)
    assert (log.status, log.recipient, log.preview, log.record_label) == (
        "sent",
        "+13055550199",
        "Hi Rosa",
        "Rosa",
    )
    with django_capture_on_commit_callbacks(execute=True):
        working.claim_lead(lead=lead, actor=agent)
        working.change_status(
            lead=lead,
            actor=agent,
            status=LeadStatus.NOT_YET_SCHEDULED,
            next_contact_at=timezone.now() + datetime.timedelta(days=1),
        )
    assert fired(to_nys) == ["sent"] and fired(to_irrelevant) == []


def test_a_redelivered_event_sends_once_and_each_new_entry_fires_again(
    sms, garage, garage_job, django_capture_on_commit_callbacks
):
    deposit = rule("job_status_changed", target_status="deposit")
    job = garage_job()

    def entered():
        return DomainEvent.objects.create(
            name="job.status_changed",
            office=garage,
            payload={
                "job": job.pk,
                "snapshot": {},
                "old": "pending",
                "new": "deposit",
                "reopened": False,
            },
        )

    first = entered()
    with django_capture_on_commit_callbacks(execute=True):
        assert len(firing.on_event(first)) == 1
        assert firing.on_event(first) == []  # redelivered
        firing.on_event(entered())  # the job enters Deposit again
    assert fired(deposit) == ["sent", "sent"]
    deposit.refresh_from_db()
    assert deposit.fire_count == 2


def test_a_rule_that_cannot_be_evaluated_logs_failed_and_the_others_fire(
    sms, garage, garage_job, monkeypatch, django_capture_on_commit_callbacks
):
    broken, fine = rule("job_created", name="Broken"), rule("job_created", name="Fine")
    real = firing.matches

    def matches(made, record):
        if made.pk == broken.pk:
            raise ValueError("bad data")
        return real(made, record)

    monkeypatch.setattr(firing, "matches", matches)
    job = garage_job()
    event = DomainEvent.objects.create(
        name="job.created", office=garage, payload={"job": job.pk, "snapshot": {}}
    )
    with django_capture_on_commit_callbacks(execute=True):
        firing.on_event(event)
    assert fired(fine) == ["sent"]
    log = RuleLog.objects.get(rule=broken)
    assert log.status == LogStatus.FAILED and "bad data" in log.error


def test_a_real_workiz_import_sends_nothing(
    sms, garage, owner, repair, gdq, django_capture_on_commit_callbacks
):
    created = rule("job_created")
    statuses_rule = rule("job_status_changed", target_status="submitted")
    row = {
        "client": "Emily Harrison",
        "phone": "(305) 555-0142",
        "address": "100 Biscayne Blvd",
        "zip_code": "33132",
        "scheduled": "05/03/2026 9:00 AM",
        "type": "Repair",
        "source": "GDQ",
        "status": "Submitted",
    }
    with django_capture_on_commit_callbacks(execute=True):
        result = workiz_import.import_jobs(actor=owner, rows=[(2, row)], office=garage)
    assert len(result.created) == 1 and DomainEvent.objects.filter(name="job.imported").exists()
    assert fired(created) == fired(statuses_rule) == []
