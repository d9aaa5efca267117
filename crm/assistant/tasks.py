import datetime

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from crm.assistant.budget import business_day
from crm.assistant.models import AICall, AIToolCall, Conversation, DailySpend

KEPT_DAYS = 365
BATCH = 5000


@shared_task
def purge_old_ledger() -> int:
    """Beat, nightly: the AI ledger older than a year goes (model calls of every feature,
    their tool calls, conversations idle that long with their turns, daily spend rows).
    In batches, so a year's backlog never holds one long transaction. Returns the calls
    deleted."""
    cutoff = timezone.now() - datetime.timedelta(days=KEPT_DAYS)
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                AICall.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                break
            AIToolCall.objects.filter(call_id__in=ids).delete()
            deleted += AICall.objects.filter(pk__in=ids).delete()[1].get(AICall._meta.label, 0)
    Conversation.objects.filter(updated_at__lt=cutoff).delete()
    DailySpend.objects.filter(day__lt=business_day(cutoff)).delete()
    return deleted
