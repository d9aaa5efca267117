import pytest
from django.urls import reverse

from crm.accounts.models import Role
from crm.timeline.models import AuditEvent, TimelineEntry
from leads.models import Lead
from tests.factories import LeadFactory, OfficeFactory, UserFactory, lead_source

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def sliding():
    return OfficeFactory(name="Sliding")


def login(client, role, office):
    user = UserFactory(role=role, offices=[office], first_name="Dana")
    client.force_login(user)
    return user


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FINANCE_ADMIN, Role.OWNER])
def test_admins_archive_and_restore(client, sliding, role):
    lead = LeadFactory(office=sliding)
    login(client, role, sliding)
    client.post(reverse("leads:archive", args=[lead.pk]), headers=HX)
    lead.refresh_from_db()
    assert lead.is_archived
    assert lead not in Lead.objects.visible_to(UserFactory(role=Role.OWNER))
    modal = client.get(reverse("leads:archived"), headers=HX).content.decode()
    assert lead.full_name in modal
    client.post(reverse("leads:restore", args=[lead.pk]), headers=HX)
    lead.refresh_from_db()
    assert not lead.is_archived
    assert AuditEvent.objects.filter(kind__in=["lead.archived", "lead.restored"]).count() == 2


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER, Role.PARTNER])
def test_agents_viewers_and_partners_cannot_archive(client, sliding, role):
    lead = LeadFactory(office=sliding)
    login(client, role, sliding)
    assert client.post(reverse("leads:archive", args=[lead.pk]), headers=HX).status_code == 403
    assert client.get(reverse("leads:archived"), headers=HX).status_code == 403
    lead.refresh_from_db()
    assert not lead.is_archived


def test_only_the_owner_deletes_and_only_archived_leads(client, sliding):
    lead = LeadFactory(office=sliding, is_archived=True)
    login(client, Role.ADMIN, sliding)
    assert client.post(reverse("leads:delete", args=[lead.pk]), headers=HX).status_code == 403
    owner = UserFactory(role=Role.OWNER)
    client.force_login(owner)
    live = LeadFactory(office=sliding)
    assert client.post(reverse("leads:delete", args=[live.pk]), headers=HX).status_code == 404
    client.post(reverse("leads:delete", args=[lead.pk]), headers=HX)
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert not TimelineEntry.objects.filter(subject_type="lead", subject_id=lead.pk).exists()
    assert AuditEvent.objects.get(kind="lead.deleted").metadata["lead_id"] == lead.pk


def test_the_panel_shows_archive_only_to_admins(client, sliding):
    lead = LeadFactory(office=sliding)
    login(client, Role.AGENT, sliding)
    assert (
        'title="Archive"'
        not in client.get(reverse("leads:detail", args=[lead.pk]), headers=HX).content.decode()
    )
    login(client, Role.ADMIN, sliding)
    assert (
        'title="Archive"'
        in client.get(reverse("leads:detail", args=[lead.pk]), headers=HX).content.decode()
    )


def test_an_agent_creates_a_lead_in_their_first_office(client, sliding):
    garage = OfficeFactory(name="Garage")
    agent = UserFactory(role=Role.AGENT, offices=[sliding, garage])
    client.force_login(agent)
    form = client.get(reverse("leads:create"), headers=HX).content.decode()
    assert 'name="office"' not in form
    data = {
        "first_name": "Walk",
        "last_name": "In",
        "phone": "(786) 555-0123",
        "source": lead_source("manual").pk,
        "zip_code": "33101",
    }
    response = client.post(reverse("leads:create"), data, headers=HX)
    assert response.status_code == 200
    lead = Lead.objects.get()
    assert lead.office == garage  # "Garage" sorts before "Sliding"
    assert lead.phone == "+17865550123" and lead.metro == "Miami, FL"
    timeline = TimelineEntry.objects.for_subject(lead).order_by("id")
    assert list(timeline.values_list("body", flat=True)) == [
        "Lead created (manual) from Manual",
        f"Lead claimed by {agent.first_name}",
    ]


def test_an_agent_who_creates_a_lead_by_hand_claims_it_and_sees_its_phone(client, sliding):
    agent = login(client, Role.AGENT, sliding)
    data = {"first_name": "Walk", "phone": "(786) 555-0125", "source": lead_source("manual").pk}
    client.post(reverse("leads:create"), data, headers=HX)
    lead = Lead.objects.get()
    assert lead.claimed_by == agent and lead.claimed_at is not None

    panel = client.get(reverse("leads:detail", args=[lead.pk]), headers=HX).content.decode()
    assert "(786) 555-0125" in panel
    assert "Show Number &amp; Claim Lead" not in panel
    assert "Claimed by Dana" in panel


def test_a_lead_an_admin_creates_by_hand_stays_unclaimed(client, sliding):
    login(client, Role.ADMIN, sliding)
    data = {"first_name": "Pass", "phone": "7865550126", "source": lead_source("manual").pk}
    data["office"] = sliding.pk
    client.post(reverse("leads:create"), data, headers=HX)
    assert Lead.objects.get().claimed_by is None


def test_an_admin_picks_the_office_but_only_among_their_own(client, sliding):
    garage = OfficeFactory(name="Garage")
    login(client, Role.ADMIN, sliding)
    data = {
        "first_name": "Pick",
        "phone": "7865550124",
        "source": lead_source("manual").pk,
        "office": garage.pk,
    }
    page = client.post(reverse("leads:create"), data, headers=HX).content.decode()
    assert "Select a valid choice" in page
    data["office"] = sliding.pk
    client.post(reverse("leads:create"), data, headers=HX)
    assert Lead.objects.get().office == sliding


def test_placeholder_phones_are_rejected_on_create(client, sliding):
    login(client, Role.AGENT, sliding)
    data = {"first_name": "Fake", "phone": "123-123-1234", "source": lead_source("manual").pk}
    page = client.post(reverse("leads:create"), data, headers=HX).content.decode()
    assert "123-123-1234 is not a valid phone number." in page
    assert not Lead.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PARTNER])
def test_read_only_roles_cannot_create(client, sliding, role):
    login(client, role, sliding)
    assert client.get(reverse("leads:create")).status_code == 403
