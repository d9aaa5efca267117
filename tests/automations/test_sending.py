"""Sending webhook deliveries (automations/webhooks/sending.py): the schedule of tries with
a real receiver on 127.0.0.1, the HTTP outcomes, the log and the counts, the sweep."""

import base64
import datetime
import itertools
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from automations.webhooks import counting, schedule, sending
from automations.webhooks.models import Attempt, DailyCount, Delivery, DeliveryState, Endpoint
from crm.timeline.models import AuditEvent
from tests.automations import engine_receiver as receivers

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    server = receivers.start()
    yield server
    receivers.stop(server)


def _reload(delivery: Delivery) -> Delivery:
    return Delivery.objects.get(pk=delivery.pk)


def test_a_queued_delivery_is_sent_at_once_logged_and_counted(receiver):
    endpoint = receivers.endpoint(receiver.url, basic_auth="zap:s3cret", name="Zap")
    delivery = receivers.delivery(
        endpoint, headers=[["X-Source", "BookBack"], ["webhook-id", "forged"]]
    )

    sending.queue([delivery.pk])  # Celery runs eagerly in the suite

    path, headers, body = receiver.received[0]
    assert body == delivery.body.encode()
    assert headers["X-Source"] == "BookBack"
    assert headers["webhook-id"] == delivery.webhook_id  # the builder can't override it
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"zap:s3cret").decode()
    delivery = _reload(delivery)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
    assert delivery.delivered_at and delivery.next_attempt_at is None
    assert "Authorization" not in str(delivery.headers)  # never stored on the delivery
    attempt = Attempt.objects.get(delivery=delivery)
    assert (attempt.number, attempt.status_code, attempt.response_excerpt) == (1, 200, "ok")
    assert attempt.request_headers["Authorization"] == "Basic ••••••"
    assert "s3cret" not in str(attempt.request_headers)
    row = DailyCount.objects.get(url=receiver.url)
    assert (row.day, row.slot, row.delivered, row.failed) == (
        counting.business_day(),
        endpoint.slot,
        1,
        0,
    )
    # A redelivered task sends nothing twice.
    sending.queue([delivery.pk])
    assert len(receiver.received) == 1


def test_the_business_day_of_a_count_is_new_york_s(receiver):
    endpoint = receivers.endpoint(receiver.url)
    # 11:30 PM in New York on March 3 is March 4 in UTC.
    with time_machine.travel(datetime.datetime(2026, 3, 4, 4, 30, tzinfo=datetime.UTC)):
        sending.send([receivers.delivery(endpoint).pk])
        counting.fired(endpoint.slot)
    days = set(DailyCount.objects.values_list("day", flat=True))
    assert days == {datetime.date(2026, 3, 3)}


def test_an_always_failing_receiver_gets_ten_tries_on_the_schedule_then_the_delivery_is_dead():
    server = receivers.start((500, {}, "boom"))
    try:
        endpoint = receivers.endpoint(server.url)
        start = timezone.now()
        with time_machine.travel(start, tick=True) as clock:
            delivery = receivers.delivery(endpoint)
            tries = []
            for _ in range(schedule.MAX_TRIES):
                due = _reload(delivery).next_attempt_at
                clock.move_to(due - datetime.timedelta(seconds=1))
                assert sending.send_due() == 0, "nothing goes before it is due"
                clock.move_to(due)
                assert sending.send_due() == 1
                tries.append(timezone.now())
            clock.move_to(timezone.now() + datetime.timedelta(days=3))
            assert sending.send_due() == 0
    finally:
        receivers.stop(server)

    assert len(server.received) == schedule.MAX_TRIES
    for (before, after), wait in zip(itertools.pairwise(tries), schedule.WAITS, strict=True):
        assert wait * 0.8 - datetime.timedelta(seconds=1) <= after - before
        assert after - before <= wait * 1.2 + datetime.timedelta(seconds=1)
    planned = sum(schedule.WAITS, datetime.timedelta())
    assert planned > datetime.timedelta(hours=75)
    assert planned * 0.8 <= tries[-1] - tries[0] <= planned * 1.2
    delivery = _reload(delivery)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("dead", 10, 500)
    assert "All 10 tries failed" in delivery.last_error
    assert [a.number for a in Attempt.objects.filter(delivery=delivery).order_by("number")] == list(
        range(1, 11)
    )
    assert counting.dead_count() == 1
    assert AuditEvent.objects.filter(kind="webhook.dead", actor=None).count() == 1
    assert sum(DailyCount.objects.values_list("failed", flat=True)) == 10
    assert len({h["webhook-id"] for _, h, _ in server.received}) == 1  # one id on every try


def test_410_is_dead_at_once_and_stops_the_endpoint():
    server = receivers.start((410, {}, "gone"))
    try:
        endpoint = receivers.endpoint(server.url)
        first, second = receivers.delivery(endpoint), receivers.delivery(endpoint)
        sending.send([first.pk])
        sending.send([second.pk])
    finally:
        receivers.stop(server)
    assert len(server.received) == 1
    first, second = _reload(first), _reload(second)
    assert (first.state, first.attempts, first.last_status) == ("dead", 1, 410)
    assert (second.state, second.attempts) == ("dead", 0)
    assert "410 Gone" in second.last_error
    assert Endpoint.objects.get(pk=endpoint.pk).gone_at is not None


def test_a_refused_request_gets_three_tries_then_is_dead():
    server = receivers.start((400, {}, "bad field"))
    try:
        endpoint = receivers.endpoint(server.url)
        delivery = receivers.delivery(endpoint)
        with time_machine.travel(timezone.now(), tick=True) as clock:
            for _ in range(3):
                clock.move_to(_reload(delivery).next_attempt_at)
                sending.send_due()
    finally:
        receivers.stop(server)
    delivery = _reload(delivery)
    assert (delivery.state, delivery.attempts, len(server.received)) == ("dead", 3, 3)
    assert "HTTP 400" in delivery.last_error


@pytest.mark.parametrize("status", [408, 429, 500])
def test_timeouts_rate_limits_and_server_errors_are_retried(status):
    server = receivers.start((status, {}, "later"))
    try:
        delivery = receivers.delivery(receivers.endpoint(server.url))
        sending.send([delivery.pk])
    finally:
        receivers.stop(server)
    assert _reload(delivery).state == DeliveryState.RETRYING


def test_retry_after_in_seconds_is_honoured_on_429():
    server = receivers.start((429, {"Retry-After": "120"}, "slow down"))
    try:
        delivery = receivers.delivery(receivers.endpoint(server.url))
        before = timezone.now()
        sending.send([delivery.pk])
    finally:
        receivers.stop(server)
    wait = _reload(delivery).next_attempt_at - before
    assert datetime.timedelta(seconds=119) <= wait <= datetime.timedelta(seconds=125)


def test_retry_after_as_an_http_date_is_honoured_on_503():
    later = timezone.now() + datetime.timedelta(hours=3)
    date = later.strftime("%a, %d %b %Y %H:%M:%S GMT")
    server = receivers.start((503, {"Retry-After": date}, "maintenance"))
    try:
        delivery = receivers.delivery(receivers.endpoint(server.url))
        sending.send([delivery.pk])
    finally:
        receivers.stop(server)
    next_at = _reload(delivery).next_attempt_at
    assert abs(next_at - later) < datetime.timedelta(seconds=2)


def test_a_receiver_slower_than_the_total_timeout_is_a_failed_try(settings):
    settings.WEBHOOK_TOTAL_TIMEOUT = 0.5
    server = receivers.start(("sleep", 3, (200, {}, "too late")))
    try:
        delivery = receivers.delivery(receivers.endpoint(server.url))
        sending.send([delivery.pk])
    finally:
        receivers.stop(server)
    delivery = _reload(delivery)
    assert delivery.state == DeliveryState.RETRYING
    assert delivery.last_status is None and "Timed out" in delivery.last_error
    attempt = Attempt.objects.get(delivery=delivery)
    assert attempt.duration_ms < 2000 and "Timed out" in attempt.error


def test_a_closed_port_is_a_failed_try_with_the_error():
    server = receivers.start()
    url = server.url
    receivers.stop(server)
    delivery = receivers.delivery(receivers.endpoint(url))
    sending.send([delivery.pk])
    delivery = _reload(delivery)
    assert delivery.state == DeliveryState.RETRYING and "ConnectError" in delivery.last_error


def test_redirects_are_not_followed():
    target = receivers.start()
    server = receivers.start((302, {"Location": target.url}, ""))
    try:
        delivery = receivers.delivery(receivers.endpoint(server.url))
        sending.send([delivery.pk])
    finally:
        receivers.stop(server)
        receivers.stop(target)
    assert target.received == []
    delivery = _reload(delivery)
    assert (delivery.state, delivery.last_status) == ("retrying", 302)
    assert "Redirect" in delivery.last_error


def test_the_first_2_kb_of_the_answer_are_kept():
    server = receivers.start((500, {}, "x" * 10_000))
    try:
        delivery = receivers.delivery(receivers.endpoint(server.url))
        sending.send([delivery.pk])
    finally:
        receivers.stop(server)
    assert Attempt.objects.get(delivery=delivery).response_excerpt == "x" * 2048


def test_deliveries_made_while_celery_was_down_go_out_on_the_next_sweep(
    receiver, settings, monkeypatch
):
    from automations.webhooks import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker unreachable")

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(tasks.send_webhooks, "delay", broker_down)
    endpoint = receivers.endpoint(receiver.url)
    ids = [receivers.delivery(endpoint).pk for _ in range(3)]
    sending.queue(ids)  # logs, raises nothing
    assert receiver.received == []

    assert tasks.sweep_webhooks.apply().result == 3
    assert len(receiver.received) == 3
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}
    assert tasks.sweep_webhooks.apply().result == 0  # a second sweep sends nothing


def test_a_claim_of_a_worker_that_died_is_taken_over_after_it_lapses(receiver):
    delivery = receivers.delivery(receivers.endpoint(receiver.url))
    Delivery.objects.filter(pk=delivery.pk).update(
        claimed_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    assert sending.send_due() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6)):
        assert sending.send_due() == 1
    assert _reload(delivery).state == DeliveryState.DELIVERED


@pytest.mark.parametrize("stop", ["disabled", "deleted"])
def test_an_endpoint_disabled_or_deleted_stops_its_pending_deliveries(receiver, stop):
    endpoint = receivers.endpoint(receiver.url)
    delivery = receivers.delivery(endpoint)
    if stop == "disabled":
        Endpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
    else:
        endpoint.delete()
    sending.send_due()
    delivery = _reload(delivery)
    assert receiver.received == []
    assert (delivery.state, delivery.attempts) == ("dead", 0)
    assert f"its endpoint was {stop}" in delivery.last_error or "disabled" in delivery.last_error
    assert AuditEvent.objects.filter(kind="webhook.dead").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED: Postgres only")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_each_delivery_once():
    server = receivers.start(("sleep", 0.02, (200, {}, "ok")))
    try:
        endpoint = receivers.endpoint(server.url)
        ids = [receivers.delivery(endpoint).pk for _ in range(60)]
        barrier = threading.Barrier(2)
        sent = []

        def sweep():
            try:
                barrier.wait()
                sent.append(sending.send_due())
            finally:
                connection.close()

        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        receivers.stop(server)
    assert sum(sent) == 60 and all(sent), sent  # both sweeps took a share
    ids_received = [headers["webhook-id"] for _, headers, _ in server.received]
    assert len(ids_received) == len(set(ids_received)) == 60
    assert Attempt.objects.filter(delivery_id__in=ids).count() == 60
