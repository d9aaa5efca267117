"""The nightly purge (tries and finished deliveries older than 30 days) and the daily
counts that outlive it (📊 Dashboard windows, counting.py)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from automations.webhooks import counting, sending
from automations.webhooks.models import Attempt, DailyCount, Delivery, Slot
from automations.webhooks.tasks import purge_old_webhooks
from tests.automations import engine_receiver as receivers

pytestmark = pytest.mark.django_db


def _all_time() -> tuple[dict, dict]:
    numbers = counting.windows("all")
    fired = {row.slot: row.fired for row in numbers["fired"] if row.fired}
    sent = {row.url: (row.delivered, row.failed) for row in numbers["destinations"]}
    return fired, sent


def test_the_purge_keeps_all_time_counts_and_what_is_recent_or_unfinished():
    server = receivers.start((500, {}, "no"), (200, {}, "ok"))
    try:
        endpoint = receivers.endpoint(server.url)
        long_ago = timezone.now() - datetime.timedelta(days=40)
        with time_machine.travel(long_ago, tick=False):
            counting.fired(Slot.NEW_LEAD)
            old = receivers.delivery(endpoint)
            sending.send([old.pk])  # 500: retrying
        with time_machine.travel(long_ago + datetime.timedelta(minutes=1), tick=False):
            sending.send([old.pk])  # 200: delivered 40 days ago
            stuck = receivers.delivery(endpoint)  # still pending (its endpoint is slow)
            Delivery.objects.filter(pk=stuck.pk).update(
                next_attempt_at=timezone.now() + datetime.timedelta(days=90)
            )
        counting.fired(Slot.NEW_LEAD)
        recent = receivers.delivery(endpoint)
        sending.send([recent.pk])  # the receiver's last answer repeats: 200
    finally:
        receivers.stop(server)

    before = _all_time()
    assert before == ({Slot.NEW_LEAD: 2}, {server.url: (2, 1)})

    assert purge_old_webhooks.delay().result == 3  # two old tries, one old delivery
    assert purge_old_webhooks.delay().result == 0  # a second run deletes nothing
    assert set(Delivery.objects.values_list("pk", flat=True)) == {stuck.pk, recent.pk}
    assert list(Attempt.objects.values_list("delivery_id", flat=True)) == [recent.pk]
    assert _all_time() == before
    assert DailyCount.objects.count() == 4  # (fired + url) × two days


def test_windows_count_business_days(monkeypatch):
    today = counting.business_day()
    counting.bump(slot=Slot.DONE, url="", day=today, fired=2)
    counting.bump(slot=Slot.DONE, url="https://a.example/x", day=today, delivered=2, failed=1)
    counting.bump(slot=Slot.DONE, url="", day=today - datetime.timedelta(days=6), fired=3)
    counting.bump(slot=Slot.DONE, url="", day=today - datetime.timedelta(days=7), fired=5)
    counting.bump(slot=Slot.DONE, url="", day=today - datetime.timedelta(days=100), fired=7)

    def fired(key):
        return {row.slot: row.fired for row in counting.windows(key)["fired"]}[Slot.DONE]

    assert [fired(key) for key in ("today", "7d", "30d", "all")] == [2, 5, 10, 17]
    today_numbers = counting.windows("today")
    assert [(d.url, d.delivered, d.failed) for d in today_numbers["destinations"]] == [
        ("https://a.example/x", 2, 1)
    ]
    assert len(today_numbers["fired"]) == len(Slot)  # every slot, zeros too
    assert counting.windows("nonsense")["key"] == "today"
