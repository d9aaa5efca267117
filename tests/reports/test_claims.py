"""Claims are structured timeline entries (kind "claim", data actor + time): the reports
read them, since `Lead.claimed_at` is cleared when a lead leaves Fresh."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from crm.accounts.models import Role
from crm.timeline.models import TimelineEntry
from leads.models import Status
from leads.services import change_status, claim_lead
from tests.factories import LeadFactory, OfficeFactory, UserFactory, lead_source

BEFORE = [("timeline", "0012_task_report_assistant_audit_kinds")]
AFTER = [("timeline", "0013_claim_kind_and_report_indexes")]


@pytest.mark.django_db
def test_a_claim_is_stored_with_who_and_when_and_survives_leaving_fresh():
    office = OfficeFactory(name="Sliding")
    dana = UserFactory(role=Role.AGENT, first_name="Dana", offices=[office])
    lead = claim_lead(lead=LeadFactory(office=office), actor=dana)
    change_status(lead=lead, actor=dana, status=Status.IRRELEVANT, reason="Spam")
    lead.refresh_from_db()
    assert lead.claimed_at is None  # the lead forgot; the timeline did not
    claim = TimelineEntry.objects.for_subject(lead).get(kind=TimelineEntry.Kind.CLAIM)
    assert claim.body == "Lead claimed by Dana" and claim.actor == dana
    assert claim.data["actor"] == dana.pk
    assert claim.data["at"] == claim.created_at.isoformat()


@pytest.mark.django_db
def test_a_lead_created_by_hand_is_claimed_with_a_structured_claim(client):
    office = OfficeFactory(name="Sliding")
    agent = UserFactory(role=Role.AGENT, first_name="Ana", offices=[office])
    client.force_login(agent)
    data = {"first_name": "Walk", "phone": "(786) 555-0125", "source": lead_source("manual").pk}
    client.post(reverse("leads:create"), data, headers={"HX-Request": "true"})
    claim = TimelineEntry.objects.get(kind="claim")
    assert claim.data["actor"] == agent.pk and claim.body == "Lead claimed by Ana"


@pytest.mark.django_db
def test_the_timeline_filter_offers_claims():
    from crm.timeline.forms import TimelineFilterForm

    owner = UserFactory(role=Role.OWNER)
    form = TimelineFilterForm({"kind": ["claim"]}, viewer=owner)
    assert form.is_valid(), form.errors
    assert ("claim", "Claims") in form.fields["kind"].choices


@pytest.mark.django_db(transaction=True)
def test_old_text_claims_with_an_actor_become_structured_claims():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    entry_model = old.get_model("timeline", "TimelineEntry")
    user = UserFactory(first_name="D")  # accounts stays at its latest migration
    common = {"subject_type": "lead", "subject_id": 7, "subject_label": "Maria", "kind": "sys"}
    claimed = entry_model.objects.create(**common, actor_id=user.pk, body="Lead claimed by D")
    nobody = entry_model.objects.create(**common, body="Lead claimed by D")  # no actor: left
    other = entry_model.objects.create(**common, actor_id=user.pk, body="⚠ Unknown ZIP")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("timeline", "TimelineEntry")
    claimed = new.objects.get(pk=claimed.pk)
    assert claimed.kind == "claim"
    assert claimed.data == {"actor": user.pk, "at": claimed.created_at.isoformat()}
    assert new.objects.get(pk=nobody.pk).kind == "sys"
    assert new.objects.get(pk=other.pk).kind == "sys"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
