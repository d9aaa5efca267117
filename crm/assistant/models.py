"""AI Assistant: conversations, their turns, and the ledger of every model call.

The ledger (AICall, AIToolCall) is shared with the AI agents (`feature`): one row per
call to Anthropic with the exact request and response, its tokens and its cost at that
call's prices; one row per tool the model asked for. DailySpend is the budget's ledger.
Everything here is kept a year (crm.assistant.tasks.purge_old_ledger).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from crm.accounts.models import Role
from crm.assistant.client import MODELS

PRICE = {"max_digits": 10, "decimal_places": 4}
SPEND = {"max_digits": 10, "decimal_places": 6}
# Roles that may use the assistant, in the CP's order (partner never does).
BUDGET_ROLES = (Role.VIEWER, Role.AGENT, Role.ADMIN, Role.FINANCE_ADMIN, Role.OWNER)
DEFAULT_DAILY_CAP = Decimal("2.00")


class ModelPrice(models.Model):
    """Published prices in USD per million tokens; the owner may edit them."""

    model = models.CharField(max_length=40, unique=True, choices=list(MODELS.items()))
    input_per_mtok = models.DecimalField("Input", **PRICE)
    output_per_mtok = models.DecimalField("Output", **PRICE)
    cache_write_per_mtok = models.DecimalField("Cache write", **PRICE)
    cache_read_per_mtok = models.DecimalField("Cache read", **PRICE)

    class Meta:
        ordering = ["model"]

    def __str__(self) -> str:
        return MODELS.get(self.model, self.model)


class RoleBudget(models.Model):
    """A role's daily cap, applied to each of its users; $0 turns the role off."""

    role = models.CharField(max_length=20, unique=True, choices=Role.choices)
    daily_cap = models.DecimalField(max_digits=8, decimal_places=2, default=DEFAULT_DAILY_CAP)

    def __str__(self) -> str:
        return f"{self.get_role_display()}: ${self.daily_cap}/day"


class DailySpend(models.Model):
    """What one user spent (and has reserved for calls in flight) on one New York day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    spent = models.DecimalField(default=Decimal(0), **SPEND)
    reserved = models.DecimalField(default=Decimal(0), **SPEND)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="daily_spend_once")]
        indexes = [models.Index(fields=["day"], name="daily_spend_day_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.day}: ${self.spent}"


class ConversationQuerySet(models.QuerySet):
    def with_totals(self) -> "ConversationQuerySet":
        """Annotate turns, tokens and cost (the audit log's columns), one query.

        Each total is a subquery per conversation, not a join grouped over the page: the
        newest-first index then stops at the page, where a GROUP BY summed every call of
        every conversation before the LIMIT (344 ms at a year's 200,000 calls)."""
        zero = Decimal(0)
        return self.annotate(
            turn_count=Coalesce(_per_conversation(Turn, Count("id")), 0),
            input_tokens=Coalesce(_per_conversation(AICall, Sum("input_tokens")), 0),
            output_tokens=Coalesce(_per_conversation(AICall, Sum("output_tokens")), 0),
            cost=Coalesce(
                _per_conversation(AICall, Sum("cost")),
                zero,
                output_field=models.DecimalField(**SPEND),
            ),
        )


def _per_conversation(model, total) -> Subquery:
    """`total` over `model`'s rows of the outer conversation."""
    rows = model.objects.filter(conversation=OuterRef("pk")).order_by().values("conversation")
    return Subquery(rows.annotate(total=total).values("total"))


class Conversation(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assistant_conversations"
    )
    title = models.CharField(max_length=80)
    model = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-updated_at"], name="conversation_user_idx"),
            models.Index(fields=["-created_at"], name="conversation_created_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class Turn(models.Model):
    """The user's message and everything the model did to answer it."""

    class Status(models.TextChoices):
        OK = "ok", "OK"
        ERROR = "error", "Error"
        BUDGET = "budget", "Over budget"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="turns")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    message = models.TextField()
    answer = models.TextField(blank=True)  # Markdown source, as streamed
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OK)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)  # null while streaming

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.message[:80]

    @property
    def totals(self) -> dict:
        """The sum of the turn's model calls (from prefetched `calls` when present)."""
        calls = list(self.calls.all())
        return {
            "input_tokens": sum(call.input_tokens for call in calls),
            "output_tokens": sum(call.output_tokens for call in calls),
            "cache_creation_tokens": sum(call.cache_creation_tokens for call in calls),
            "cache_read_tokens": sum(call.cache_read_tokens for call in calls),
            "cost": sum((call.cost for call in calls), Decimal(0)),
            "calls": len(calls),
        }


class AICall(models.Model):
    """One request to Anthropic: exactly what was sent and what came back."""

    class Feature(models.TextChoices):
        ASSISTANT = "assistant", "AI Assistant"
        SMS_AGENT = "sms_agent", "SMS agent"
        META_AGENT = "meta_agent", "Meta agent"

    turn = models.ForeignKey(Turn, null=True, on_delete=models.CASCADE, related_name="calls")
    conversation = models.ForeignKey(
        Conversation, null=True, on_delete=models.CASCADE, related_name="calls"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=20, blank=True)
    feature = models.CharField(max_length=20, choices=Feature.choices, default=Feature.ASSISTANT)
    model = models.CharField(max_length=40)
    request = models.JSONField(default=dict)  # system, messages and tools as sent
    response = models.JSONField(default=list)  # the content blocks returned
    stop_reason = models.CharField(max_length=30, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cache_creation_tokens = models.PositiveIntegerField(default=0)
    cache_read_tokens = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(default=Decimal(0), **SPEND)
    latency_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    seq = models.PositiveSmallIntegerField(default=1)  # its place in the turn's tool loop

    class Meta:
        ordering = ["created_at", "seq", "id"]
        indexes = [models.Index(fields=["created_at"], name="ai_call_created_idx")]

    def __str__(self) -> str:
        return f"{self.model} call {self.seq}"


class AIToolCall(models.Model):
    """One tool the model asked for, with the input it gave and the output it got."""

    call = models.ForeignKey(AICall, on_delete=models.CASCADE, related_name="tool_calls")
    turn = models.ForeignKey(Turn, null=True, on_delete=models.CASCADE, related_name="tool_calls")
    tool_use_id = models.CharField(max_length=100)
    name = models.CharField(max_length=60)
    input = models.JSONField(default=dict)
    output = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    seq = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["call_id", "seq", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.tool_use_id})"
