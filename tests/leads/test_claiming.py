import pytest
from django.urls import reverse

from crm.accounts.models import Role
from crm.timeline.models import TimelineEntry
from leads.models import Status
from leads.services import change_status
from tests.factories import LeadFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
PHONE = "+13055550142"


@pytest.fixture
def sliding():
    return OfficeFactory(name="Sliding")


@pytest.fixture
def dana(sliding):
    return UserFactory(role=Role.AGENT, first_name="Dana", offices=[sliding])


@pytest.fixture
def omri(sliding):
    return UserFactory(role=Role.AGENT, first_name="Omri", offices=[sliding])


def visible_bits(text: str) -> bool:
    return any(form in text for form in ("5550142", "555-0142", "555 0142"))


def test_an_unclaimed_fresh_phone_never_reaches_the_browser(client, sliding, dana):
    lead = LeadFactory(office=sliding, phone=PHONE, phone_last10="3055550142")
    client.force_login(dana)
    for url in (reverse("leads:dashboard"), reverse("leads:detail", args=[lead.pk])):
        page = client.get(url, headers=HX).content.decode()
        assert not visible_bits(page), url
    panel = client.get(reverse("leads:detail", args=[lead.pk]), headers=HX).content.decode()
    assert "📞 Show Number &amp; Claim Lead" in panel
    assert "(305) •••-••••" in panel


def test_claiming_reveals_the_phone_to_the_claimer_and_stamps_the_timeline(client, sliding, dana):
    lead = LeadFactory(office=sliding, phone=PHONE, phone_last10="3055550142")
    client.force_login(dana)
    panel = client.post(reverse("leads:claim", args=[lead.pk]), headers=HX).content.decode()
    assert "(305) 555-0142" in panel
    assert "Claimed by Dana" in panel
    lead.refresh_from_db()
    assert lead.claimed_by == dana and lead.claimed_at is not None
    assert TimelineEntry.objects.for_subject(lead).filter(body="Lead claimed by Dana").exists()


def test_others_see_the_claim_badge_but_not_the_phone(client, sliding, dana, omri):
    lead = LeadFactory(office=sliding, phone=PHONE, phone_last10="3055550142", claimed_by=dana)
    client.force_login(omri)
    page = client.get(reverse("leads:dashboard")).content.decode()
    assert "📞 Dana" in page
    assert not visible_bits(page)
    panel = client.get(reverse("leads:detail", args=[lead.pk]), headers=HX).content.decode()
    assert not visible_bits(panel)


def test_a_second_claim_wins_and_both_stay_on_the_timeline(client, sliding, dana, omri):
    lead = LeadFactory(office=sliding)
    client.force_login(dana)
    client.post(reverse("leads:claim", args=[lead.pk]), headers=HX)
    client.force_login(omri)
    client.post(reverse("leads:claim", args=[lead.pk]), headers=HX)
    lead.refresh_from_db()
    assert lead.claimed_by == omri
    bodies = set(TimelineEntry.objects.for_subject(lead).values_list("body", flat=True))
    assert {"Lead claimed by Dana", "Lead claimed by Omri"} <= bodies


def test_leaving_fresh_clears_the_claim_and_shows_the_phone_to_everyone(
    client, sliding, dana, omri
):
    lead = LeadFactory(office=sliding, phone=PHONE, phone_last10="3055550142", claimed_by=dana)
    change_status(lead=lead, actor=dana, status=Status.CONVERTED)
    lead.refresh_from_db()
    assert lead.claimed_by is None
    client.force_login(omri)
    assert (
        "(305) 555-0142"
        in client.get(reverse("leads:detail", args=[lead.pk]), headers=HX).content.decode()
    )


def test_only_fresh_leads_can_be_claimed(client, sliding, dana):
    lead = LeadFactory(office=sliding, status=Status.CONVERTED)
    client.force_login(dana)
    panel = client.post(reverse("leads:claim", args=[lead.pk]), headers=HX).content.decode()
    assert "Only a Fresh lead can be claimed." in panel


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PARTNER])
def test_read_only_roles_cannot_claim(client, sliding, role):
    lead = LeadFactory(office=sliding, partner_name="GDQ")
    client.force_login(UserFactory(role=role, offices=[sliding], partner_name="GDQ"))
    assert client.post(reverse("leads:claim", args=[lead.pk]), headers=HX).status_code == 403
    lead.refresh_from_db()
    assert lead.claimed_by is None


def test_an_agent_cannot_claim_a_lead_in_another_office(client, dana):
    lead = LeadFactory(office=OfficeFactory(name="Garage"))
    client.force_login(dana)
    assert client.post(reverse("leads:claim", args=[lead.pk]), headers=HX).status_code == 404
