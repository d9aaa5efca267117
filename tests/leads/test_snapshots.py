"""Lead events carry the lead as it was at emit time (Workiz shape + lead extras), edits
say what changed, a move to another office refreshes both offices' pages, and none of
it costs the action more than the event's INSERT."""

import pytest
from django.core.cache import cache

from crm import livesync
from crm.accounts.models import Role
from crm.models import DomainEvent
from leads.models import Lead
from leads.services import change_status, claim_lead, update_field
from tests.factories import LeadFactory, OfficeFactory, UserFactory
from tests.workiz import WORKIZ_FIELDS

pytestmark = pytest.mark.django_db

LEAD_FIELDS = WORKIZ_FIELDS | {"LeadId", "Urgency", "Campaign", "FbLeadId", "IrrelevantReason"}


def payload(name: str) -> dict:
    return DomainEvent.objects.filter(name=name).latest("pk").payload


@pytest.fixture
def sliding(db):
    return OfficeFactory(name="Sliding")


@pytest.fixture
def agent(sliding):
    return UserFactory(role=Role.AGENT, first_name="Dana", offices=[sliding])


@pytest.fixture
def lead(sliding):
    return LeadFactory(
        office=sliding,
        first_name="Ann",
        last_name="Lee",
        phone="+13055550142",
        email="ann@example.com",
        campaign="Spring",
        fb_lead_id="fb-77",
    )


def test_a_snapshot_equals_the_lead_at_emit_time_after_the_lead_changes(agent, lead):
    claim_lead(lead=lead, actor=agent)
    claimed = payload("lead.claimed")["snapshot"]

    update_field(lead=lead, actor=agent, field="email", value="ann@new.example")
    change_status(lead=lead, actor=agent, status="irrelevant", reason="Spam")
    Lead.objects.filter(pk=lead.pk).delete()  # even gone, its events tell what it was

    assert payload("lead.claimed")["snapshot"] == claimed
    assert (claimed["Email"], claimed["Status"], claimed["IrrelevantReason"]) == (
        "ann@example.com",
        "Fresh",
        "",
    )
    later = payload("lead.status_changed")["snapshot"]
    assert (later["Email"], later["Status"], later["IrrelevantReason"]) == (
        "ann@new.example",
        "Irrelevant",
        "Spam",
    )


def test_the_snapshot_is_the_workiz_shape_with_the_lead_extras(agent, lead):
    claim_lead(lead=lead, actor=agent)
    snapshot = payload("lead.claimed")["snapshot"]
    assert set(snapshot) == LEAD_FIELDS
    assert snapshot["UUID"] == str(lead.uuid)
    assert (snapshot["LeadId"], snapshot["DisplayId"]) == (lead.pk, f"L-{lead.pk}")
    assert (snapshot["Office"], snapshot["AreaCode"], snapshot["Urgency"]) == (
        "Sliding",
        "305",
        "High",
    )
    assert (snapshot["Campaign"], snapshot["FbLeadId"]) == ("Spring", "fb-77")
    assert snapshot["JobSource"] == lead.source.label


def test_every_lead_gets_its_own_uuid(sliding):
    assert LeadFactory(office=sliding).uuid != LeadFactory(office=sliding).uuid


def test_an_edit_says_which_field_changed_from_what_to_what(agent, lead):
    claim_lead(lead=lead, actor=agent)
    update_field(lead=lead, actor=agent, field="last_name", value="Leigh")
    edited = payload("lead.updated")
    assert (edited["field"], edited["old"], edited["new"]) == ("last_name", "Lee", "Leigh")
    assert edited["snapshot"]["LastName"] == "Leigh"


def test_a_lead_moved_to_another_office_refreshes_both_offices(
    sliding, lead, django_capture_on_commit_callbacks
):
    garage = OfficeFactory(name="Garage")
    admin = UserFactory(role=Role.ADMIN, offices=[sliding, garage])
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        update_field(lead=lead, actor=admin, field="office", value=garage)

    for office in (sliding, garage):
        assert livesync.last_change([livesync.office_key(office.pk)]) > 0
    moved = payload("lead.updated")
    assert (moved["field"], moved["old"], moved["new"]) == ("office", sliding.pk, garage.pk)
    assert moved["snapshot"]["Office"] == "Garage"


def test_an_edit_in_the_same_office_refreshes_only_that_office(
    sliding, agent, lead, django_capture_on_commit_callbacks
):
    garage = OfficeFactory(name="Garage")
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        update_field(lead=lead, actor=agent, field="last_name", value="Leigh")
    assert livesync.last_change([livesync.office_key(sliding.pk)]) > 0
    assert livesync.last_change([livesync.office_key(garage.pk)]) == 0


def test_claiming_with_its_snapshot_adds_only_the_event_insert(
    agent, lead, django_assert_num_queries
):
    agent.office_ids  # noqa: B018 (the user's offices, cached before counting)
    # Savepoint, the lock SELECT (office and source joined), UPDATE, timeline INSERT,
    # event INSERT, release.
    with django_assert_num_queries(6) as captured:
        claim_lead(lead=lead, actor=agent)
    touching = [q["sql"] for q in captured.captured_queries if "crm_domainevent" in q["sql"]]
    assert len(touching) == 1 and touching[0].startswith("INSERT")
