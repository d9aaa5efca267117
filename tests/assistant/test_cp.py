"""CP → 🤖 AI Assistant (owner): the key (never shown back), the model, Phase 4: Budget &
Audit (caps, today's spend, prices), each change in the audit log; non-owners refused."""

from decimal import Decimal

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from crm.accounts.models import Role
from crm.assistant.budget import business_day
from crm.assistant.models import DailySpend, ModelPrice, RoleBudget
from crm.controlpanel.models import AppSettings
from crm.timeline.models import AuditEvent
from tests.factories import UserFactory

CP = "/cp/assistant"
KEY = "sk-ant-api03-very-secret-key"


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER])
@pytest.mark.parametrize("path", [CP, "/cp/assistant/audit", "/cp/assistant/audit/1"])
def test_only_the_owner_opens_the_cp_the_audit_log_and_replay(client, db, role, path):
    client.force_login(UserFactory(role=role))
    assert client.get(path).status_code == 403
    assert client.post(path, {"section": "model", "model": "claude-opus-4-7"}).status_code == 403
    assert AppSettings.load().assistant_model == "claude-sonnet-4-6"


def test_without_a_key_the_page_says_the_assistant_is_off(owner_client):
    page = owner_client.get(CP)
    assertContains(page, '<span class="pill pill--off">Off</span>', html=True)
    assertContains(page, "Phase 4: Budget &amp; Audit")


def test_a_key_is_saved_encrypted_audited_and_never_shown_back(owner_client, owner):
    response = owner_client.post(CP, {"section": "key", "anthropic_api_key": KEY})
    assertRedirects(response, CP)
    assert str(AppSettings.load().anthropic_api_key) == KEY
    page = owner_client.get(CP)
    assertNotContains(page, KEY)
    assertContains(page, "On · key saved here")
    assertContains(page, "✓ already set — leave blank to keep")
    event = AuditEvent.objects.get(kind="assistant.key_changed")
    assert event.actor == owner and KEY not in event.text and KEY not in str(event.metadata)


def test_a_blank_key_keeps_the_stored_one_and_remove_clears_it(owner_client):
    owner_client.post(CP, {"section": "key", "anthropic_api_key": KEY})
    owner_client.post(CP, {"section": "key", "anthropic_api_key": ""})
    assert str(AppSettings.load().anthropic_api_key) == KEY
    owner_client.post(CP, {"section": "key", "anthropic_api_key": "", "remove": "on"})
    assert str(AppSettings.load().anthropic_api_key) == ""
    assert AuditEvent.objects.filter(kind="assistant.key_changed").count() == 2


def test_an_environment_key_shows_as_its_source(owner_client, settings):
    settings.ANTHROPIC_API_KEY = KEY
    page = owner_client.get(CP)
    assertContains(page, "On · ANTHROPIC_API_KEY")
    assertNotContains(page, KEY)


def test_the_model_picker_offers_the_three_models_and_saves(owner_client):
    page = owner_client.get(CP)
    for label in ("Sonnet 4.6", "Haiku 4.5", "Opus 4.7"):
        assertContains(page, label)
    default = '<option value="claude-sonnet-4-6" selected>Sonnet 4.6</option>'
    assertContains(page, default, html=True)
    assertRedirects(owner_client.post(CP, {"section": "model", "model": "claude-haiku-4-5"}), CP)
    assert AppSettings.load().assistant_model == "claude-haiku-4-5"
    event = AuditEvent.objects.get(kind="assistant.model_changed")
    assert "Sonnet 4.6 to Haiku 4.5" in event.text


def test_an_unknown_model_is_refused(owner_client):
    page = owner_client.post(CP, {"section": "model", "model": "gpt-5"})
    assert page.status_code == 200
    assertContains(page, "Select a valid choice")
    assert AppSettings.load().assistant_model == "claude-sonnet-4-6"


def caps(**changed) -> dict:
    roles = ("viewer", "agent", "admin", "finance_admin", "owner")
    return {"section": "budgets", **{f"cap-{role}": changed.get(role, "2.00") for role in roles}}


def test_caps_per_role_save_and_are_audited(owner_client):
    assertRedirects(owner_client.post(CP, caps(viewer="0.50", agent="0")), CP)
    assert RoleBudget.objects.get(role="viewer").daily_cap == Decimal("0.50")
    assert RoleBudget.objects.get(role="agent").daily_cap == Decimal("0.00")
    event = AuditEvent.objects.get(kind="assistant.budget_changed")
    assert "viewer $2.00 → $0.50" in event.text


def test_a_negative_cap_is_refused_and_nothing_changes(owner_client):
    page = owner_client.post(CP, caps(viewer="-1"))
    assert page.status_code == 200
    assertContains(page, "Ensure this value is greater than or equal to 0")
    assert RoleBudget.objects.get(role="viewer").daily_cap == Decimal("2.00")
    assert not AuditEvent.objects.filter(kind="assistant.budget_changed").exists()


def test_todays_spend_shows_per_role_and_per_user(owner_client, db):
    dana = UserFactory(role=Role.AGENT, first_name="Dana", last_name="Ruiz")
    eli = UserFactory(role=Role.AGENT, first_name="Eli", last_name="Cole")
    DailySpend.objects.create(user=dana, day=business_day(), spent=Decimal("0.4125"))
    DailySpend.objects.create(user=eli, day=business_day(), spent=Decimal("0.1000"))
    page = owner_client.get(CP)
    assertContains(page, "$0.51")  # the agents together
    assertContains(page, "Dana Ruiz")
    assertContains(page, "$0.4125")


def test_a_price_row_saves_and_is_audited(owner_client):
    row = {
        "section": "price-claude-haiku-4-5",
        "price-claude-haiku-4-5-input_per_mtok": "1.2500",
        "price-claude-haiku-4-5-output_per_mtok": "5",
        "price-claude-haiku-4-5-cache_write_per_mtok": "1.25",
        "price-claude-haiku-4-5-cache_read_per_mtok": "0.10",
    }
    assertRedirects(owner_client.post(CP, row), CP)
    price = ModelPrice.objects.get(model="claude-haiku-4-5")
    assert price.input_per_mtok == Decimal("1.25")
    event = AuditEvent.objects.get(kind="assistant.prices_changed")
    assert "Haiku 4.5" in event.text


def test_a_price_below_zero_is_refused(owner_client):
    before = ModelPrice.objects.get(model="claude-opus-4-7").input_per_mtok
    row = {
        "section": "price-claude-opus-4-7",
        "price-claude-opus-4-7-input_per_mtok": "-3",
        "price-claude-opus-4-7-output_per_mtok": "5",
        "price-claude-opus-4-7-cache_write_per_mtok": "1",
        "price-claude-opus-4-7-cache_read_per_mtok": "0.1",
    }
    page = owner_client.post(CP, row)
    assertContains(page, "Ensure this value is greater than or equal to 0")
    assert ModelPrice.objects.get(model="claude-opus-4-7").input_per_mtok == before


def test_the_cp_page_reads_in_a_fixed_number_of_queries(
    owner_client, db, django_assert_num_queries
):
    for number in range(4):
        user = UserFactory(role=Role.VIEWER)
        DailySpend.objects.create(user=user, day=business_day(), spent=Decimal(number + 1))
    owner_client.get(CP)
    # the user, their offices, AppSettings, the caps, the spends (with their users), prices
    with django_assert_num_queries(6):
        owner_client.get(CP)


def test_the_cp_tile_leads_here(owner_client):
    assertContains(owner_client.get(reverse("controlpanel:index")), 'href="/cp/assistant"')
