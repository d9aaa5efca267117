"""CP → 📞 CTM Numbers and 💬 SMS Templates."""

import pytest

from crm.timeline.models import AuditEvent
from messaging.models import Line, MessagingSettings, SmsTemplate, Thread
from tests.factories import OfficeFactory
from tests.messaging import fakes

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


def test_ctm_keys_are_saved_encrypted_and_never_shown_back(signed_in, settings):
    response = signed_in.post(
        "/cp/ctm-numbers",
        {
            "ctm_account_id": "12345",
            "ctm_access_key": "AK-very-secret",
            "ctm_secret_key": "SK-hush",
        },
    )
    assert response.status_code == 302
    stored = MessagingSettings.load()
    assert (stored.ctm_access_key, stored.ctm_secret_key) == ("AK-very-secret", "SK-hush")
    page = signed_in.get("/cp/ctm-numbers").content.decode()
    assert "AK-very-secret" not in page and "SK-hush" not in page
    assert "✓ already set — leave blank to keep" in page
    assert f"/webhook/ctm/sms/{stored.ctm_inbound_token}" in page
    # Blank keys keep the stored ones.
    signed_in.post(
        "/cp/ctm-numbers", {"ctm_account_id": "777", "ctm_access_key": "", "ctm_secret_key": ""}
    )
    stored = MessagingSettings.load()
    assert (stored.ctm_account_id, stored.ctm_access_key) == ("777", "AK-very-secret")
    audits = AuditEvent.objects.filter(kind="sms.settings_changed")
    assert audits.count() == 2
    assert all("AK-very-secret" not in str(a.metadata) + a.text for a in audits)


def test_sync_now_brings_every_page_of_numbers(signed_in, ctm):
    pages = {
        1: [
            fakes.ctm_number("TPN1", "+13055550100", "Sliding main"),
            fakes.ctm_number("TPN2", "+18885550123", "Toll-free ads"),
        ],
        2: [fakes.ctm_number("TPN3", "+17865550111", "Garage forwarding")],
    }
    ctm.answers[("GET", "/numbers")] = lambda query: (
        200,
        fakes.ctm_numbers_page(int(query["page"][0]), 2, pages[int(query["page"][0])]),
    )
    Line.objects.create(phone="+13055550100", label="Old label")
    response = signed_in.post("/cp/ctm-numbers/sync", follow=True)
    assert "CTM lists 3 numbers" in response.content.decode()
    assert sorted(Line.objects.values_list("phone", "label", "provider_ref")) == [
        ("+13055550100", "Sliding main", "TPN1"),
        ("+17865550111", "Garage forwarding", "TPN3"),
        ("+18885550123", "Toll-free ads", "TPN2"),
    ]
    assert ctm.requests[0].basic_auth == ("access-abc", "secret-xyz")
    page = signed_in.get("/cp/ctm-numbers").content.decode()
    assert page.count("📵 Toll-free") == 1
    assert MessagingSettings.load().last_numbers_sync_at is not None
    signed_in.post("/cp/ctm-numbers/sync")  # again: nothing new
    assert Line.objects.count() == 3


def test_sync_without_keys_says_so(signed_in):
    response = signed_in.post("/cp/ctm-numbers/sync", follow=True)
    assert "Enter the CTM account ID and both keys first." in response.content.decode()


def test_the_nightly_sync_is_quiet_without_keys():
    from messaging.tasks import sync_numbers

    assert sync_numbers.delay().result == 0


def test_a_numbers_office_no_reply_and_tracking_source_are_saved_and_threads_follow(signed_in):
    garage = OfficeFactory(name="Garage")
    line = Line.objects.create(phone="+13055550100")
    thread = Thread.objects.create(
        line=line, customer_phone="+13055550142", customer_last10="3055550142"
    )
    prefix = f"line-{line.pk}"
    signed_in.post(
        f"/cp/ctm-numbers/{line.pk}",
        {
            f"{prefix}-office": garage.pk,
            f"{prefix}-no_reply": "on",
            f"{prefix}-tracking_source": " bb_garage ",
        },
    )
    line.refresh_from_db()
    assert (line.office, line.no_reply, line.tracking_source) == (garage, True, "bb_garage")
    thread.refresh_from_db()
    assert thread.office == garage
    assert AuditEvent.objects.filter(kind="sms.line_changed").count() == 1


def test_sms_templates_are_added_edited_and_deleted(signed_in):
    signed_in.post(
        "/cp/sms-templates", {"name": "Running late", "body": "Running 10 min late, sorry!"}
    )
    template = SmsTemplate.objects.get()
    response = signed_in.post("/cp/sms-templates", {"name": "Running late", "body": "Again"})
    assert "already exists" in response.content.decode()
    signed_in.post(f"/cp/sms-templates/{template.pk}", {"name": "Late", "body": "Running late!"})
    template.refresh_from_db()
    assert (template.name, template.body) == ("Late", "Running late!")
    signed_in.post(f"/cp/sms-templates/{template.pk}/delete")
    assert not SmsTemplate.objects.exists()


def test_the_cp_shows_the_numbers_group(signed_in):
    page = signed_in.get("/cp/").content.decode()
    assert "📞" in page and "CTM Numbers" in page and "SMS Templates" in page
