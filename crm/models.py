from django.db import models
from django.utils import timezone


class DomainEvent(models.Model):
    """The outbox: one row per domain event, written in the same transaction as the change.

    After commit a worker hands the event out (`dispatched_at`): one EventDelivery row per
    handler the worker's registry knows for its name. A beat sweep hands out rows the
    broker lost. Purged with their deliveries after 90 days.
    """

    name = models.CharField(max_length=80)
    office = models.ForeignKey("accounts.Office", null=True, blank=True, on_delete=models.SET_NULL)
    partner_name = models.CharField(max_length=80, blank=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # Its delivery rows exist (none when no handler listens to this name).
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                name="event_undispatched_idx",
                condition=models.Q(dispatched_at__isnull=True),
            ),
            models.Index(fields=["created_at"], name="event_created_idx"),  # the purge
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class EventDelivery(models.Model):
    """One handler's delivery of one event: run, recorded and retried on its own.

    A run first claims the row (one conditional UPDATE stamping `claim`), so two sweeps
    never run a handler twice for one event. A failure waits out the next step of
    `crm.deliveries.BACKOFF`, then fails for good: CP → 🩺 System shows it with ↻ Retry.
    """

    class State(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    event = models.ForeignKey(DomainEvent, on_delete=models.CASCADE, related_name="deliveries")
    # The handler's stable key (`crm.event_handlers.register(..., key=...)`).
    handler = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField(default=timezone.now)
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="one_delivery_per_handler")
        ]
        indexes = [
            models.Index(
                fields=["due_at"], name="delivery_due_idx", condition=models.Q(state="pending")
            ),
            models.Index(
                fields=["claim"], name="delivery_claim_idx", condition=models.Q(state="running")
            ),
            models.Index(
                fields=["-created_at"],
                name="delivery_failed_idx",
                condition=models.Q(state="failed"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.handler} ← {self.event_id} ({self.state})"


class RateLimitCounter(models.Model):
    """One fixed-window rate-limit count, where no Redis counts them (`make run`).

    A file cache's increment reads, adds and writes back: 150 racing posts all read the
    same count. One upsert statement per hit is atomic on SQLite and Postgres alike.
    """

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key} = {self.count}"
