"""AI Assistant actions: starting a turn, the owner's settings, and the audit's reads.

The turn's tool loop itself (`stream_turn`) lives in crm.assistant.runner and BudgetExceeded
in crm.assistant.budget; both, and `tool_summary`, are re-exported here (`X as X`): the chat
and the rendering read them from this module, as the contract has it.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from crm.accounts.models import User
from crm.assistant import budget, client, pricing
from crm.assistant.budget import BudgetExceeded as BudgetExceeded
from crm.assistant.models import (
    BUDGET_ROLES,
    DEFAULT_DAILY_CAP,
    AICall,
    AIToolCall,
    Conversation,
    DailySpend,
    ModelPrice,
    RoleBudget,
    Turn,
)
from crm.assistant.pricing import PRICE_FIELDS
from crm.assistant.runner import first_request
from crm.assistant.runner import stream_turn as stream_turn
from crm.assistant.runner import tool_summary as tool_summary
from crm.assistant.tools.base import midnight
from crm.controlpanel.models import AppSettings
from crm.errors import DomainError
from crm.permissions import check
from crm.timeline.services import audit

MAX_MESSAGE_CHARS = 4000
TITLE_CHARS = 80


class AssistantDisabled(DomainError):
    """No Anthropic key: the chat answers 503 with client.DISABLED_MESSAGE."""


class BadMessage(DomainError, ValueError):
    """An empty or over-long message: 400."""


def start_turn(user, *, message: str, conversation_id: int | None) -> Turn:
    """Record the user's message as a new turn, ready for `stream_turn`.

    Needs assistant.use. Raises AssistantDisabled without a key, BadMessage for an empty
    or over-long message, Http404 for a conversation that isn't the user's own, and
    BudgetExceeded when the first model call would not fit today's cap (nothing is
    recorded then). Creates the conversation on its first message.
    """
    check(user, "assistant.use")
    if not client.is_enabled():
        raise AssistantDisabled(client.DISABLED_MESSAGE)
    message = (message or "").strip()
    if not message:
        raise BadMessage("Type a question first.")
    if len(message) > MAX_MESSAGE_CHARS:
        raise BadMessage(f"A message can be at most {MAX_MESSAGE_CHARS:,} characters.")
    model = client.current_model()
    conversation = None
    if conversation_id is not None:
        conversation = get_object_or_404(user_conversations(user), pk=conversation_id)
    # The first call's worst case, checked (not held) so the view can answer 429 as JSON;
    # the loop reserves before every call, this first one included.
    request = first_request(user, conversation, message, model)
    worst = pricing.worst_case(
        pricing.price_of(model),
        prompt_tokens=pricing.estimate_prompt_tokens(request),
        max_tokens=request["max_tokens"],
    )
    budget.reserve(user, user.role, worst, hold=False)
    with transaction.atomic():
        now = timezone.now()
        if conversation is None:
            conversation = Conversation.objects.create(
                user=user, title=message[:TITLE_CHARS], model=model, created_at=now
            )
        Conversation.objects.filter(pk=conversation.pk).update(model=model, updated_at=now)
        return Turn.objects.create(
            conversation=conversation, user=user, role=user.role, message=message, created_at=now
        )


@transaction.atomic
def set_api_key(actor, key: str) -> None:
    """Store (encrypted) or clear the Anthropic key; audited without the key itself."""
    check(actor, "assistant.manage")
    app_settings = AppSettings.objects.select_for_update().get(pk=AppSettings.load().pk)
    key = (key or "").strip()
    stored = app_settings.anthropic_api_key
    if stored == key and type(stored) is type(key):
        return
    app_settings.anthropic_api_key = key
    app_settings.save(update_fields=["anthropic_api_key"])
    state = "set" if key else "cleared"
    audit(
        "assistant.key_changed",
        f"Anthropic API key {state}",
        actor=actor,
        metadata={"anthropic_api_key": state},
    )


@transaction.atomic
def set_model(actor, model: str) -> None:
    check(actor, "assistant.manage")
    if model not in client.MODELS:
        raise DomainError(f"Choose one of {', '.join(client.MODELS.values())}.")
    app_settings = AppSettings.objects.select_for_update().get(pk=AppSettings.load().pk)
    old = app_settings.assistant_model
    if old == model:
        return
    app_settings.assistant_model = model
    app_settings.save(update_fields=["assistant_model"])
    audit(
        "assistant.model_changed",
        f"AI Assistant model changed from {client.MODELS.get(old, old)} to {client.MODELS[model]}",
        actor=actor,
        metadata={"assistant_model": [old, model]},
    )


@transaction.atomic
def set_budgets(actor, caps: dict[str, Decimal]) -> None:
    """Each role's daily cap in dollars ($0 turns the role off); audited when changed."""
    check(actor, "assistant.manage")
    unknown = set(caps) - set(BUDGET_ROLES)
    if unknown:
        raise DomainError(f"No AI budget for {', '.join(sorted(unknown))}.")
    changes = {}
    for role, cap in caps.items():
        cap = Decimal(cap).quantize(Decimal("0.01"))
        if cap < 0 or cap >= Decimal("1000000"):
            raise DomainError("A daily cap is between $0.00 and $999,999.99.")
        row, _ = RoleBudget.objects.select_for_update().get_or_create(role=role)
        if row.daily_cap != cap:
            changes[role] = [str(row.daily_cap), str(cap)]
            row.daily_cap = cap
            row.save(update_fields=["daily_cap"])
    if changes:
        text = "; ".join(f"{role} ${old} → ${new}" for role, (old, new) in changes.items())
        audit("assistant.budget_changed", f"AI daily caps: {text}", actor=actor, metadata=changes)


@transaction.atomic
def set_prices(
    actor,
    model: str,
    *,
    input_per_mtok: Decimal,
    output_per_mtok: Decimal,
    cache_write_per_mtok: Decimal,
    cache_read_per_mtok: Decimal,
) -> ModelPrice:
    """A model's prices per million tokens; later calls cost at these, earlier ones keep theirs."""
    check(actor, "assistant.manage")
    new = dict(zip(PRICE_FIELDS, (input_per_mtok, output_per_mtok, cache_write_per_mtok,
                                  cache_read_per_mtok), strict=True))  # fmt: skip
    if any(value is None or Decimal(value) < 0 for value in new.values()):
        raise DomainError("Prices are dollars per million tokens, $0 or more.")
    if model not in client.MODELS:
        raise DomainError(f"Unknown model {model}.")
    price = ModelPrice.objects.select_for_update().get(pk=pricing.price_of(model).pk)
    changes = {
        name: [str(getattr(price, name)), str(value)]
        for name, value in new.items()
        if getattr(price, name) != Decimal(value)
    }
    if not changes:
        return price
    for name, value in new.items():
        setattr(price, name, Decimal(value))
    price.save(update_fields=list(PRICE_FIELDS))
    audit(
        "assistant.prices_changed",
        f"{price} prices per million tokens changed: "
        + ", ".join(f"{name} ${old} → ${value}" for name, (old, value) in changes.items()),
        actor=actor,
        metadata={"model": model, **changes},
    )
    return price


def spend_today() -> dict:
    """Today's (New York) spend per role with its cap, and per user, for CP."""
    day = budget.business_day()
    caps = dict(RoleBudget.objects.values_list("role", "daily_cap"))
    spends = list(
        DailySpend.objects.filter(day=day, spent__gt=0)
        .select_related("user")
        .order_by("-spent", "user_id")
    )
    by_role = {role: Decimal(0) for role in BUDGET_ROLES}
    by_user = []
    for spend in spends:
        by_role[spend.user.role] = by_role.get(spend.user.role, Decimal(0)) + spend.spent
        by_user.append((spend.user, spend.user.role, spend.spent))
    return {
        "by_role": [
            (role, caps.get(role, DEFAULT_DAILY_CAP), by_role[role]) for role in BUDGET_ROLES
        ],
        "by_user": by_user,
    }


def conversations_for_audit(actor, *, user_id=None, start=None, end=None) -> QuerySet:
    """Every user's conversations, newest first, with turns, tokens and cost; filtered by
    user and by New York days (start/end: dates, both included). Owner only."""
    check(actor, "assistant.replay")
    conversations = Conversation.objects.with_totals().select_related("user")
    if user_id:
        conversations = conversations.filter(user_id=user_id)
    if start:
        conversations = conversations.filter(created_at__gte=midnight(start))
    if end:
        next_day = end + datetime.timedelta(days=1)
        conversations = conversations.filter(created_at__lt=midnight(next_day))
    return conversations.order_by("-created_at", "-id")


def conversation_for_replay(actor, conversation_id) -> Conversation:
    """One conversation with its turns, each turn's calls and tool calls, prefetched."""
    check(actor, "assistant.replay")
    tool_calls = Prefetch("tool_calls", queryset=AIToolCall.objects.order_by("call__seq", "seq"))
    calls = Prefetch("calls", queryset=AICall.objects.order_by("seq", "id"))
    turns = Prefetch("turns", queryset=Turn.objects.prefetch_related(calls, tool_calls))
    return get_object_or_404(
        Conversation.objects.select_related("user").prefetch_related(turns), pk=conversation_id
    )


def user_conversations(user: User) -> QuerySet:
    """The user's own conversations, newest first."""
    return Conversation.objects.filter(user=user).order_by("-updated_at", "-id")
