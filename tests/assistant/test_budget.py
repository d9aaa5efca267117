"""Daily budgets: checked before every model call, under a row lock, reset at New York
midnight, settled with the real cost."""

import datetime
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections

from crm.accounts.models import Role
from crm.assistant import budget, services
from crm.assistant.models import AICall, DailySpend, RoleBudget, Turn
from tests.assistant.fake_anthropic import text, tool_use
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
REACHED = "Daily AI budget reached ($2.00). It resets at midnight Eastern."


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT)


def spent(user, amount: str, day=None) -> None:
    DailySpend.objects.update_or_create(
        user=user, day=day or budget.business_day(), defaults={"spent": Decimal(amount)}
    )


def test_over_the_cap_the_turn_is_refused_and_anthropic_is_not_called(fake_anthropic, agent):
    spent(agent, "1.99")
    with pytest.raises(services.BudgetExceeded) as refusal:
        services.start_turn(agent, message="How many leads?", conversation_id=None)
    assert str(refusal.value) == REACHED
    assert fake_anthropic.requests == []
    assert not Turn.objects.exists()


def test_the_message_names_the_roles_own_cap(fake_anthropic, agent):
    RoleBudget.objects.update_or_create(role=Role.AGENT, defaults={"daily_cap": Decimal("0.50")})
    spent(agent, "0.50")
    with pytest.raises(services.BudgetExceeded) as refusal:
        services.start_turn(agent, message="Hi", conversation_id=None)
    assert str(refusal.value) == ("Daily AI budget reached ($0.50). It resets at midnight Eastern.")


def test_a_zero_cap_turns_the_role_off(fake_anthropic, agent):
    services.set_budgets(UserFactory(role=Role.OWNER), {Role.AGENT: Decimal("0")})
    with pytest.raises(services.BudgetExceeded):
        services.start_turn(agent, message="Hi", conversation_id=None)
    assert fake_anthropic.requests == []


def test_the_cap_is_checked_before_each_call_of_the_tool_loop(fake_anthropic, agent):
    # A first call's worst case (~$0.04 of prompt and 2,048 output tokens) fits $0.05; once
    # it has cost $0.0165, the second call's worst case no longer does.
    RoleBudget.objects.update_or_create(role=Role.AGENT, defaults={"daily_cap": Decimal("0.05")})
    fake_anthropic.script(
        tool_use("count_leads", {}, tool_use_id="t1", input_tokens=3000, output_tokens=500),
        text("Never sent."),
    )
    turn = services.start_turn(agent, message="How many leads?", conversation_id=None)
    events = list(services.stream_turn(turn))

    assert events[-1] == {
        "type": "error",
        "error": "Daily AI budget reached ($0.05). It resets at midnight Eastern.",
        "status": 429,
    }
    assert len(fake_anthropic.requests) == 1
    turn.refresh_from_db()
    assert turn.status == Turn.Status.BUDGET
    assert AICall.objects.filter(turn=turn).count() == 1


def test_the_real_cost_settles_the_reservation(fake_anthropic, agent):
    fake_anthropic.script(
        tool_use("count_leads", {}, tool_use_id="t1", input_tokens=1000, output_tokens=100),
        text("None.", input_tokens=1100, output_tokens=10),
    )
    turn = services.start_turn(agent, message="How many leads?", conversation_id=None)
    list(services.stream_turn(turn))

    spend = DailySpend.objects.get(user=agent)
    assert spend.reserved == 0
    # (1000×3 + 100×15) + (1100×3 + 10×15) millionths of a dollar.
    assert spend.spent == Decimal("0.007950") == sum(c.cost for c in AICall.objects.all())


def test_the_budget_resets_at_midnight_eastern(fake_anthropic, agent):
    before_midnight = datetime.datetime(2026, 12, 7, 23, 59, tzinfo=NEW_YORK)
    after_midnight = datetime.datetime(2026, 12, 8, 0, 0, 1, tzinfo=NEW_YORK)
    with time_machine.travel(before_midnight, tick=False):
        spent(agent, "2.00")
        with pytest.raises(services.BudgetExceeded):
            services.start_turn(agent, message="Hi", conversation_id=None)
    # 23:59 in New York is already the next day in UTC: still refused until 00:00 ET.
    assert before_midnight.astimezone(datetime.UTC).date() == datetime.date(2026, 12, 8)
    with time_machine.travel(after_midnight, tick=False):
        fake_anthropic.script(text("Good morning."))
        turn = services.start_turn(agent, message="Hi", conversation_id=None)
        list(services.stream_turn(turn))
    assert turn.answer == "Good morning."
    assert DailySpend.objects.get(user=agent, day=datetime.date(2026, 12, 8)).spent > 0


def twice_at_once(request) -> None:
    """Run `request` in two threads released together, each on its own connection."""
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            request()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need Postgres")
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_cannot_pass_the_cap_together():
    agent = UserFactory(role=Role.AGENT)
    spent(agent, "0.80")
    outcomes = []

    def request() -> None:
        try:
            budget.reserve(agent, Role.AGENT, Decimal("0.70"))
            outcomes.append("held")
        except services.BudgetExceeded:
            outcomes.append("refused")

    twice_at_once(request)

    assert sorted(outcomes) == ["held", "refused"]
    spend = DailySpend.objects.get(user=agent)
    assert (spend.spent, spend.reserved) == (Decimal("0.80"), Decimal("0.70"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need Postgres")
@pytest.mark.django_db(transaction=True)
def test_two_first_requests_of_the_day_make_one_row():
    agent = UserFactory(role=Role.AGENT)
    twice_at_once(lambda: budget.reserve(agent, Role.AGENT, Decimal("0.01")))

    assert DailySpend.objects.get(user=agent).reserved == Decimal("0.02")
