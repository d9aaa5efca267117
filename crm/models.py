from django.db import models
from django.utils import timezone


class DomainEvent(models.Model):
    """The outbox: one row per domain event, written in the same transaction as the change.

    Handlers run after commit (Celery, keyed by this id). A delivery first claims the row
    (`claimed_at`), so a second delivery of the same id is a no-op; `delivered_at` marks
    the end. A beat sweep hands over rows never delivered, or whose worker died mid-way.
    """

    name = models.CharField(max_length=80)
    office = models.ForeignKey("accounts.Office", null=True, blank=True, on_delete=models.SET_NULL)
    partner_name = models.CharField(max_length=80, blank=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    errors = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                name="event_undelivered_idx",
                condition=models.Q(delivered_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


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
