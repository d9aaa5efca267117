"""CP → 📥 Inbox failures: an accepted lead the worker could not make is never silent."""

import pytest
from django.core.exceptions import PermissionDenied

from crm.accounts.models import Office, Role
from crm.timeline.models import AuditEvent
from leads.models import InboundLead, Lead
from leads.services import inbox, process_inbound
from tests.factories import OfficeFactory, UserFactory, lead_source

pytestmark = pytest.mark.django_db
PAGE = "/cp/inbox-failures"


@pytest.fixture
def failed_row(db):
    """A Yelp lead that arrived while no office existed: it had nowhere to go."""
    inbound = InboundLead.objects.create(
        source=lead_source("yelp"),
        payload={"name": "Nowhere Nick", "phone": "3055550161", "campaign": "<b>spring</b>"},
    )
    Office.objects.all().delete()
    process_inbound(inbound.pk)
    inbound.refresh_from_db()
    return inbound


def test_a_row_that_fails_for_good_is_audited_once_with_its_reason(failed_row):
    assert failed_row.state == "failed"
    event = AuditEvent.objects.get(kind="inbound.failed")
    assert event.text == (
        f"Yelp lead #{failed_row.pk} could not be made: "
        "Add an office in CP → Offices before taking leads."
    )
    assert event.metadata["inbound_id"] == failed_row.pk


def test_the_owner_sees_the_payload_and_reason(client, owner, failed_row):
    client.force_login(owner)

    page = client.get(PAGE).content.decode()

    assert f"#{failed_row.pk}" in page
    assert "Add an office in CP → Offices before taking leads." in page
    assert "Nowhere Nick" in page
    assert "&lt;b&gt;spring&lt;/b&gt;" in page  # the payload is shown, never rendered
    assert "↻ Retry" in page and "Dismiss" in page


def test_retry_after_the_fix_makes_the_lead(
    client, owner, failed_row, django_capture_on_commit_callbacks
):
    OfficeFactory(name="General")  # the fix the reason asked for
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{PAGE}/{failed_row.pk}/retry")

    assert response.status_code == 302
    failed_row.refresh_from_db()
    assert failed_row.state == "done"
    assert Lead.objects.get().first_name == "Nowhere"
    assert AuditEvent.objects.filter(kind="inbound.retried", actor=owner).count() == 1
    assert f'id="inbound-{failed_row.pk}"' not in client.get(PAGE).content.decode()


def test_a_retry_that_fails_again_comes_back_with_the_reason(
    client, owner, failed_row, django_capture_on_commit_callbacks
):
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{PAGE}/{failed_row.pk}/retry")

    failed_row.refresh_from_db()
    assert failed_row.state == "failed" and failed_row.attempts == 1
    assert AuditEvent.objects.filter(kind="inbound.failed").count() == 2


def test_dismiss_takes_the_row_off_the_list_and_keeps_it(client, owner, failed_row):
    client.force_login(owner)

    client.post(f"{PAGE}/{failed_row.pk}/dismiss")

    failed_row.refresh_from_db()
    assert failed_row.state == "dismissed"
    assert AuditEvent.objects.filter(kind="inbound.dismissed", actor=owner).count() == 1
    assert "No failures" in client.get(PAGE).content.decode()


def test_a_row_that_is_not_failed_cannot_be_retried_or_dismissed(client, owner, failed_row):
    client.force_login(owner)
    client.post(f"{PAGE}/{failed_row.pk}/dismiss")

    response = client.post(f"{PAGE}/{failed_row.pk}/retry", follow=True)

    assert "no longer failed" in response.content.decode()
    failed_row.refresh_from_db()
    assert failed_row.state == "dismissed"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER])
def test_only_the_owner_may_see_or_act(client, failed_row, role):
    user = UserFactory(role=role, has_all_offices=True)
    client.force_login(user)

    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}/{failed_row.pk}/retry").status_code == 403
    assert client.post(f"{PAGE}/{failed_row.pk}/dismiss").status_code == 403
    with pytest.raises(PermissionDenied):
        inbox.retry(actor=user, inbound_id=failed_row.pk)
    with pytest.raises(PermissionDenied):
        inbox.dismiss(actor=user, inbound_id=failed_row.pk)
    failed_row.refresh_from_db()
    assert failed_row.state == "failed"


def test_the_cp_tile_shows_a_red_count_of_failures(client, owner, failed_row):
    client.force_login(owner)

    page = client.get("/cp/").content.decode()

    assert 'href="/cp/inbox-failures"' in page
    assert '<span class="tile__count" title="1 waiting">1</span>' in page
    inbox.dismiss(actor=owner, inbound_id=failed_row.pk)
    assert "tile__count" not in client.get("/cp/").content.decode()


def test_an_unknown_action_changes_nothing(client, owner, failed_row):
    client.force_login(owner)

    assert client.post(f"{PAGE}/{failed_row.pk}/delete").status_code == 404
    failed_row.refresh_from_db()
    assert failed_row.state == "failed"
