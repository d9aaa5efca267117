"""CP → 🤖 AI Assistant → Audit log and Replay: every conversation with its user, role,
turns, model, tokens and cost; a replay shows exactly what the user saw, plus each call."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from crm.accounts.models import Role
from crm.assistant.models import AICall, Conversation
from tests.assistant.test_views import conversation_of
from tests.factories import OfficeFactory, UserFactory

AUDIT = "/cp/assistant/audit"
TURN = re.compile(r'<article class="ai-turn" data-turn-id="\d+">.*?</article>', re.S)


@pytest.fixture
def garage(db):
    return OfficeFactory(name="Garage")


@pytest.fixture
def victor(garage):
    return UserFactory(role=Role.VIEWER, first_name="Victor", last_name="Vega", offices=[garage])


@pytest.fixture
def omri(garage):
    return UserFactory(role=Role.AGENT, first_name="Omri", last_name="Levi", offices=[garage])


def started(conversation: Conversation, when: datetime.datetime) -> Conversation:
    Conversation.objects.filter(pk=conversation.pk).update(created_at=when, updated_at=when)
    return conversation


def test_the_audit_log_lists_every_conversation_with_its_totals(client, owner, victor):
    conversation_of(victor, "Fresh leads in Garage", turns=2)
    client.force_login(owner)
    page = client.get(AUDIT)
    assertContains(page, "Fresh leads in Garage")
    assertContains(page, "Victor Vega")
    assertContains(page, "<td>Viewer</td>", html=True)
    assertContains(page, '<td class="center">2</td>', html=True)  # turns
    assertContains(page, "1000 / 80")  # tokens in / out over both turns' calls
    assertContains(page, "$0.0042")
    assertContains(page, "Sonnet 4.6")


def test_the_audit_log_filters_by_user_and_by_day(client, owner, victor, omri):
    at = datetime.datetime(2026, 12, 3, 15, 0, tzinfo=datetime.UTC)
    started(conversation_of(victor, "Victor on the 3rd"), at)
    started(conversation_of(victor, "Victor on the 5th"), at + datetime.timedelta(days=2))
    started(conversation_of(omri, "Omri on the 3rd"), at)
    client.force_login(owner)

    by_user = client.get(AUDIT, {"user": victor.pk})
    assertContains(by_user, "Victor on the 3rd")
    assertContains(by_user, "Victor on the 5th")
    assertNotContains(by_user, "Omri on the 3rd")

    by_day = client.get(AUDIT, {"date_from": "2026-12-03", "date_to": "2026-12-03"})
    assertContains(by_day, "Victor on the 3rd")
    assertContains(by_day, "Omri on the 3rd")
    assertNotContains(by_day, "Victor on the 5th")


def test_an_upside_down_date_range_is_said_and_lists_nothing(client, owner, victor):
    conversation_of(victor, "Anything")
    client.force_login(owner)
    page = client.get(AUDIT, {"date_from": "2026-12-05", "date_to": "2026-12-01"})
    assertContains(page, "The start date must be on or before the end date.")
    assertNotContains(page, "Anything")


def test_the_audit_log_reads_in_a_fixed_number_of_queries(
    client, owner, victor, omri, django_assert_num_queries
):
    for number in range(6):
        conversation_of(victor if number % 2 else omri, f"Question {number}", turns=2)
    client.force_login(owner)
    client.get(AUDIT)
    # the user, the conversations with their totals, the topbar's offices (the User
    # filter's staff list is cached)
    with django_assert_num_queries(3):
        page = client.get(AUDIT)
    assertContains(page, "▶ Replay", count=6)


def test_replay_shows_each_turn_exactly_as_the_panel_did(client, owner, victor, settings):
    settings.ANTHROPIC_API_KEY = "sk-ant-test"
    conversation = conversation_of(victor, "Fresh leads in Garage", turns=2)
    client.force_login(victor)
    url = reverse("assistant:conversation", args=[conversation.pk])
    panel_turns = TURN.findall(client.get(url, headers={"HX-Request": "true"}).content.decode())
    client.force_login(owner)
    replay = client.get(reverse("assistant:replay", args=[conversation.pk]))
    assert len(panel_turns) == 2
    assert TURN.findall(replay.content.decode()) == panel_turns


def test_replay_shows_each_calls_model_tokens_and_cost(client, owner, victor):
    conversation = conversation_of(victor, "Fresh leads in Garage")
    AICall.objects.filter(conversation=conversation).update(
        model="claude-haiku-4-5", cost=Decimal("0.001234"), stop_reason="end_turn"
    )
    client.force_login(owner)
    replay = client.get(reverse("assistant:replay", args=[conversation.pk]))
    assertContains(replay, "Haiku 4.5")
    assertContains(replay, '<td class="center">500</td>', html=True)
    assertContains(replay, "$0.001234", count=2)  # the call and the turn's total
    assertContains(replay, "end_turn")
    assertContains(replay, "Turn total (1 call)")


def test_replay_of_a_missing_conversation_is_not_found(client, owner):
    client.force_login(owner)
    assert client.get(reverse("assistant:replay", args=[999999])).status_code == 404


def test_replay_reads_in_a_fixed_number_of_queries(
    client, owner, victor, django_assert_num_queries
):
    conversation = conversation_of(victor, "Many", turns=5)
    client.force_login(owner)
    url = reverse("assistant:replay", args=[conversation.pk])
    client.get(url)
    # the user, the conversation (with its user), turns, their calls, their tool calls,
    # the topbar's offices
    with django_assert_num_queries(6):
        client.get(url)
