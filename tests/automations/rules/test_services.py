"""The owner's rule actions (automations.rules.services): what a rule may hold, audited and
announced; duplicate, toggle, delete; Pause All; the preview."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from automations.rules import services
from automations.rules.models import AutomationSettings, Rule
from crm.accounts.models import Role
from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent
from tests.factories import (
    ContractorFactory,
    JobFactory,
    JobPartnerFactory,
    JobTypeFactory,
    LeadFactory,
    OfficeFactory,
    UserFactory,
    lead_source,
)

pytestmark = pytest.mark.django_db
OTHER_ROLES = [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER]
SPEC_BODY = (
    "Hi {{contractor.name}}, new job {{job.displayId}} on {{job.dateStart}} at "
    "{{job.timeStart}} — {{job.address}}. Client: {{client.fullName}} {{client.phone}}."
)


def spec_rule(owner, **overrides):
    garage = OfficeFactory(name="Garage")
    fields = {
        "name": "Garage: text the contractor",
        "trigger": "job_created",
        "offices": [garage.pk],
        "channel": "sms",
        "recipient": "contractor",
        "body": SPEC_BODY,
    }
    return services.save_rule(actor=owner, **{**fields, **overrides})


def test_the_owner_saves_the_specs_quick_example(owner):
    rule = spec_rule(owner)
    assert rule.enabled and rule.enabled_at is not None
    assert [office.name for office in rule.offices.all()] == ["Garage"]
    assert AuditEvent.objects.get().kind == "automation.added"
    event = DomainEvent.objects.get(name="automation_rule.changed")
    assert event.payload == {"rule_id": rule.pk, "change": "added"}


@pytest.mark.parametrize("trigger", ["lead_created", "lead_status_changed", "after_lead_received"])
def test_a_lead_trigger_with_the_contractor_recipient_is_refused(owner, trigger):
    with pytest.raises(DomainError, match="leads don't have one"):
        services.save_rule(
            actor=owner,
            name="x",
            trigger=trigger,
            target_status="fresh",
            offset_amount=1,
            offset_unit="hours",
            recipient="contractor",
            channel="sms",
            body="Hi",
        )
    assert not Rule.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": " "}, "name"),
        ({"trigger": "job_status_changed"}, "status being entered"),
        ({"trigger": "job_status_changed", "target_status": "fresh"}, "status being entered"),
        (
            {"trigger": "lead_status_changed", "target_status": "done", "recipient": "client"},
            "status",
        ),
        ({"trigger": "before_job_start"}, "whole number"),
        ({"trigger": "before_job_start", "offset_amount": 0, "offset_unit": "hours"}, "at least 1"),
        ({"trigger": "before_job_start", "offset_amount": 2, "offset_unit": "weeks"}, "unit"),
        ({"recipient": "static", "static_to": "123"}, "phone"),
        (
            {"recipient": "static", "static_to": "a@b.c", "channel": "email", "subject": "s"},
            "email",
        ),
        ({"channel": "email"}, "subject"),
        ({"body": "Hi {{lead.firstName}}"}, "can't be used with a job trigger"),
        ({"body": "Hi {{job.nope}} {{foo}}"}, r"Unknown variables: \{\{job.nope\}\}, \{\{foo\}\}"),
        ({"statuses": ["fresh"]}, "Unknown job status"),
        ({"job_types": [99999]}, "job types"),
    ],
)
def test_what_a_rule_may_not_hold_is_refused_with_why(owner, fields, message):
    with pytest.raises(DomainError, match=message):
        spec_rule(owner, **fields)
    assert not Rule.objects.exists()


def test_static_addresses_are_normalised_for_their_channel(owner):
    sms = spec_rule(owner, recipient="static", static_to="(305) 555-0142")
    assert sms.static_to == "+13055550142"
    email = spec_rule(
        owner, recipient="static", static_to="OnCall@Example.com", channel="email", subject="Job"
    )
    assert email.static_to == "oncall@example.com"


def test_rows_the_trigger_does_not_offer_are_saved_empty(owner):
    rule = spec_rule(
        owner,
        trigger="lead_created",
        recipient="client",
        body="Hi {{lead.firstName}}",
        job_types=[JobTypeFactory().pk],
        job_sources=[JobPartnerFactory().pk],
        lead_sources=[lead_source().pk],
    )
    assert not rule.job_types.exists() and not rule.job_sources.exists()
    assert rule.lead_sources.count() == 1


def test_an_edit_keeps_what_it_does_not_name_and_reenabling_moves_enabled_at(owner):
    rule = spec_rule(owner, enabled=False)
    first = rule.enabled_at
    rule = services.save_rule(actor=owner, rule=rule, name="Renamed")
    assert rule.body == SPEC_BODY and rule.offices.count() == 1 and not rule.enabled
    assert rule.enabled_at == first
    rule = services.save_rule(actor=owner, rule=rule, enabled=True)
    assert rule.enabled and rule.enabled_at > first


def test_duplicate_is_a_disabled_copy_with_the_same_conditions(owner):
    rule = spec_rule(owner, statuses=["submitted"])
    Rule.objects.filter(pk=rule.pk).update(fire_count=7)
    copy = services.duplicate_rule(actor=owner, rule=rule)
    assert copy.name == "Garage: text the contractor (copy)"
    assert not copy.enabled and copy.fire_count == 0 and copy.statuses == ["submitted"]
    assert list(copy.offices.all()) == list(rule.offices.all())


def test_toggle_and_delete_are_audited_and_the_log_keeps_the_name(owner):
    rule = spec_rule(owner)
    services.set_enabled(actor=owner, rule=rule, enabled=False)
    rule.refresh_from_db()
    assert not rule.enabled
    before = timezone.now()
    services.set_enabled(actor=owner, rule=rule, enabled=True)
    rule.refresh_from_db()
    assert rule.enabled_at >= before
    services.delete_rule(actor=owner, rule=rule)
    assert not Rule.objects.exists()
    kinds = list(AuditEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [
        "automation.added",
        "automation.changed",
        "automation.changed",
        "automation.deleted",
    ]
    changes = DomainEvent.objects.filter(name="automation_rule.changed").order_by("id")
    assert [e.payload["change"] for e in changes] == ["added", "disabled", "enabled", "deleted"]


def test_pause_all_and_resume_all(owner):
    services.pause_all(actor=owner)
    assert services.is_paused() and AutomationSettings.load().paused_by_id == owner.pk
    services.pause_all(actor=owner)  # twice: one audit row
    services.resume_all(actor=owner)
    assert not services.is_paused()
    kinds = list(AuditEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["automations.paused", "automations.resumed"]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_non_owners_are_refused(role):
    office = OfficeFactory()
    user = UserFactory(role=role, offices=[office])
    with pytest.raises(PermissionDenied):
        services.save_rule(
            actor=user,
            name="x",
            trigger="job_created",
            recipient="client",
            channel="sms",
            body="Hi",
        )
    with pytest.raises(PermissionDenied):
        services.pause_all(actor=user)


def test_the_preview_renders_against_the_newest_record(owner):
    contractor = ContractorFactory(name="Ace Doors", contact_phone="+13055550100")
    start = datetime.datetime(
        2026, 4, 30, 14, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-4))
    )
    job = JobFactory(
        office=OfficeFactory(name="Garage"),
        contractor=contractor,
        first_name="Ann",
        last_name="Lee",
        phone="+13055550142",
        starts_at=start,
    )
    result = services.preview(actor=owner, trigger="job_created", subject="", body=SPEC_BODY)
    assert result["record_label"] == job.display_id
    assert result["text"] == (
        f"Hi Ace Doors, new job {job.display_id} on Thu, Apr 30 at 2:00 PM — "
        "100 Biscayne Blvd, Miami, FL 33132. Client: Ann Lee +13055550142."
    )
    lead = LeadFactory(first_name="Bo", last_name="")
    result = services.preview(
        actor=owner,
        trigger="lead_created",
        subject="For {{lead.fullName}}",
        body="{{lead.lastName}}!",
    )
    assert result == {"text": "!", "subject": "For Bo", "record_label": "Bo"}
    assert lead.pk


def test_the_preview_without_records_renders_empties(owner):
    result = services.preview(actor=owner, trigger="job_created", body="Hi {{client.fullName}}.")
    assert result == {"text": "Hi .", "subject": "", "record_label": ""}
