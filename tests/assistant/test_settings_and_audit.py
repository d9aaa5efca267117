"""The owner's actions (key, model, caps, prices: audited), today's spend, the audit log's
reads and the ledger's retention."""

import datetime
from decimal import Decimal
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from crm.accounts.models import Role
from crm.assistant import budget, client, services
from crm.assistant.models import AICall, AIToolCall, Conversation, DailySpend, ModelPrice, Turn
from crm.assistant.tasks import purge_old_ledger
from crm.controlpanel.models import AppSettings
from crm.errors import DomainError
from crm.timeline.models import AuditEvent
from tests.assistant.fake_anthropic import text, tool_use
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def audits(kind: str) -> list[str]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("pk").values_list("text", flat=True))


def test_the_key_is_stored_encrypted_and_never_written_to_the_audit(owner, settings):
    settings.ANTHROPIC_API_KEY = ""
    assert not client.is_enabled()
    services.set_api_key(owner, "sk-ant-secret-123")

    assert client.is_enabled() and client.api_key() == "sk-ant-secret-123"
    assert audits("assistant.key_changed") == ["Anthropic API key set"]
    assert "sk-ant-secret-123" not in str(AuditEvent.objects.values_list("metadata", flat=True))
    services.set_api_key(owner, "")
    assert not client.is_enabled()
    assert audits("assistant.key_changed")[-1] == "Anthropic API key cleared"


def test_the_environment_key_serves_when_cp_has_none(settings):
    settings.ANTHROPIC_API_KEY = "sk-ant-env"
    assert client.api_key() == "sk-ant-env"


def test_changing_the_model_is_audited(owner):
    services.set_model(owner, "claude-opus-4-7")
    assert AppSettings.load().assistant_model == "claude-opus-4-7"
    assert client.current_model() == "claude-opus-4-7"
    assert audits("assistant.model_changed") == [
        "AI Assistant model changed from Sonnet 4.6 to Opus 4.7"
    ]
    services.set_model(owner, "claude-opus-4-7")  # no change, no entry
    assert len(audits("assistant.model_changed")) == 1


def test_an_unknown_model_is_refused(owner):
    with pytest.raises(DomainError):
        services.set_model(owner, "gpt-5")


def test_changing_caps_is_audited(owner):
    services.set_budgets(owner, {Role.AGENT: Decimal("5"), Role.VIEWER: Decimal("2.00")})
    assert budget.cap_for(Role.AGENT) == Decimal("5.00")
    assert audits("assistant.budget_changed") == ["AI daily caps: agent $2.00 → $5.00"]
    with pytest.raises(DomainError):
        services.set_budgets(owner, {Role.AGENT: Decimal("-1")})
    with pytest.raises(DomainError):
        services.set_budgets(owner, {Role.PARTNER: Decimal("1")})


def test_new_prices_cost_the_next_calls_and_are_audited(owner, fake_anthropic):
    services.set_prices(
        owner,
        "claude-sonnet-4-6",
        input_per_mtok=Decimal("6"),
        output_per_mtok=Decimal("30"),
        cache_write_per_mtok=Decimal("7.50"),
        cache_read_per_mtok=Decimal("0.60"),
    )
    assert audits("assistant.prices_changed") == [
        "Sonnet 4.6 prices per million tokens changed: input_per_mtok $3.0000 → $6, "
        "output_per_mtok $15.0000 → $30, cache_write_per_mtok $3.7500 → $7.50, "
        "cache_read_per_mtok $0.3000 → $0.60"
    ]
    fake_anthropic.script(text("Hi.", input_tokens=1000, output_tokens=100))
    turn = services.start_turn(owner, message="Hi", conversation_id=None)
    list(services.stream_turn(turn))
    assert AICall.objects.get().cost == Decimal("0.009000")  # 1000×6 + 100×30


def test_the_published_prices_are_seeded():
    # The seeding migration's step run again on empty tables (a transactional test before
    # this one may have flushed what the migration wrote).
    ModelPrice.objects.all().delete()
    import_module("crm.assistant.migrations.0002_seed_prices_and_budgets").seed(apps, None)
    prices = {
        price.model: (
            price.input_per_mtok,
            price.output_per_mtok,
            price.cache_write_per_mtok,
            price.cache_read_per_mtok,
        )
        for price in ModelPrice.objects.all()
    }
    assert prices == {
        "claude-sonnet-4-6": (Decimal("3"), Decimal("15"), Decimal("3.75"), Decimal("0.30")),
        "claude-haiku-4-5": (Decimal("1"), Decimal("5"), Decimal("1.25"), Decimal("0.10")),
        "claude-opus-4-7": (Decimal("5"), Decimal("25"), Decimal("6.25"), Decimal("0.50")),
    }


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AGENT, Role.VIEWER, Role.FINANCE_ADMIN])
def test_only_the_owner_manages_and_replays(role):
    someone = UserFactory(role=role)
    with pytest.raises(PermissionDenied):
        services.set_model(someone, "claude-haiku-4-5")
    with pytest.raises(PermissionDenied):
        services.conversations_for_audit(someone)
    with pytest.raises(PermissionDenied):
        services.conversation_for_replay(someone, 1)


def ask(fake_anthropic, user, message="How many leads?"):
    fake_anthropic.script(
        tool_use("count_leads", {}, tool_use_id="t1", input_tokens=1000, output_tokens=50),
        text("None yet.", input_tokens=1200, output_tokens=20),
    )
    turn = services.start_turn(user, message=message, conversation_id=None)
    list(services.stream_turn(turn))
    return turn


def test_spend_today_per_role_and_per_user(fake_anthropic, owner):
    agent = UserFactory(role=Role.AGENT, first_name="Ann")
    ask(fake_anthropic, agent)
    spend = services.spend_today()
    agent_cost = Decimal("0.007650")  # 1000×3 + 50×15 + 1200×3 + 20×15 = 7,650 µ$
    assert (Role.AGENT, Decimal("2.00"), agent_cost) in spend["by_role"]
    assert (Role.OWNER, Decimal("2.00"), Decimal(0)) in spend["by_role"]
    assert spend["by_user"] == [(agent, Role.AGENT, agent_cost)]


def test_the_audit_log_lists_conversations_with_their_totals(
    fake_anthropic, owner, django_assert_num_queries
):
    agent = UserFactory(role=Role.AGENT)
    viewer = UserFactory(role=Role.VIEWER)
    ask(fake_anthropic, agent, "Agent question")
    ask(fake_anthropic, viewer, "Viewer question")

    with django_assert_num_queries(1):
        rows = list(services.conversations_for_audit(owner))
    assert [(row.title, row.user, row.turn_count) for row in rows] == [
        ("Viewer question", viewer, 1),
        ("Agent question", agent, 1),
    ]
    assert (rows[0].input_tokens, rows[0].output_tokens, rows[0].cost) == (
        2200,
        70,
        Decimal("0.007650"),
    )
    only_agent = services.conversations_for_audit(owner, user_id=agent.pk)
    assert [row.title for row in only_agent] == ["Agent question"]
    today = budget.business_day()
    tomorrow = today + datetime.timedelta(days=1)
    assert services.conversations_for_audit(owner, start=today, end=today).count() == 2
    assert services.conversations_for_audit(owner, start=tomorrow).count() == 0


def test_a_replay_holds_every_turn_call_and_tool_call(
    fake_anthropic, owner, django_assert_num_queries
):
    agent = UserFactory(role=Role.AGENT)
    turn = ask(fake_anthropic, agent)
    with django_assert_num_queries(4):
        conversation = services.conversation_for_replay(owner, turn.conversation_id)
        turns = list(conversation.turns.all())
        calls = list(turns[0].calls.all())
        tools = list(turns[0].tool_calls.all())
    assert turns[0].answer == "None yet."
    assert [call.seq for call in calls] == [1, 2]
    assert [(tool.name, tool.output) for tool in tools] == [("count_leads", {"count": 0})]


def test_the_ledger_is_kept_a_year_and_a_second_purge_is_a_no_op(fake_anthropic, owner):
    agent = UserFactory(role=Role.AGENT)
    long_ago = timezone.now() - datetime.timedelta(days=366)
    with time_machine.travel(long_ago, tick=False):
        old = ask(fake_anthropic, agent, "Old question")
    recent = ask(fake_anthropic, agent, "New question")

    assert purge_old_ledger() == 2
    assert purge_old_ledger() == 0

    assert not Conversation.objects.filter(pk=old.conversation_id).exists()
    assert not Turn.objects.filter(pk=old.pk).exists()
    assert set(AICall.objects.values_list("turn_id", flat=True)) == {recent.pk}
    assert AIToolCall.objects.filter(turn=recent).count() == 1
    assert list(DailySpend.objects.values_list("day", flat=True)) == [budget.business_day()]
