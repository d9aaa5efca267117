"""Inbound SMS at speed (issue 18, `make bench`): the CTM webhook (token check, both phones
validated, the delivery stored once per provider id, its processing queued on the real
broker) against a bare view doing one INSERT of the same text: ≥ 0.5× its rate. The
worker's side (opt-out keywords, thread upsert, lead match over 54,000 leads, the
sms.received event) is then timed over the same texts and printed."""

import gc
import json
import statistics
import time

import pytest
from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from crm.urls import urlpatterns as crm_urlpatterns
from leads.models import Lead
from messaging import inbound
from messaging.models import InboundSms, Line, Message, MessagingSettings, Thread
from tests.bench.seed import seed_leads
from tests.bench.test_leads import real_broker

pytestmark = [pytest.mark.bench, pytest.mark.urls("tests.bench.test_messaging_inbound")]
LEADS = 50_000
TEXTERS = 4_000
BATCH, ROUNDS = 40, 5
TEXTS = [
    "Hi, is Tuesday morning still good for the repair?",
    "How much to replace the rollers on a patio door?",
    "Running 10 min late, sorry!",
    "Can you come after 3pm? The garage door won't close",
]


@csrf_exempt
def bare_sms_insert(request):
    """One INSERT of the posted text into a known thread: the floor for inbound texts."""
    request.skip_live_scope = True
    data = json.loads(request.body)
    message = Message.objects.create(
        thread_id=int(request.GET["thread"]),
        direction="in",
        body=data["message_body"],
        status="received",
        provider_message_id=data["id"],
    )
    return JsonResponse({"status": "success", "message": message.pk})


urlpatterns = [path("bench/bare-sms-insert", bare_sms_insert), *crm_urlpatterns]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        offices = seed_leads(LEADS)
        # Seeded phones are not dialable (305-0xx): texters get leads of their own.
        source = Lead.objects.first().source
        Lead.objects.bulk_create(
            Lead(
                office=offices[0],
                source=source,
                first_name="Texter",
                phone=f"+1786555{number:04d}",
                phone_last10=f"786555{number:04d}",
            )
            for number in range(TEXTERS)
        )
        line = Line.objects.create(phone="+13055550100", label="Bench", office=offices[0])
        thread = Thread.objects.create(
            line=line, customer_phone="+17865550000", customer_last10="7865550000"
        )
        token = MessagingSettings.load().ctm_inbound_token
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        gc.collect()
        yield {"token": token, "thread": thread}
        InboundSms.objects.all().delete()
        Message.objects.all().delete()
        Thread.objects.all().delete()
        Line.objects.all().delete()
        Lead.objects.all().delete()


@pytest.mark.django_db
def test_inbound_webhook_keeps_half_the_rate_of_a_bare_insert(client, seeded):
    counter = iter(range(10_000_000))

    def post_batch(url: str) -> float:
        start = time.perf_counter()
        for _ in range(BATCH):
            number = next(counter)
            # Half the texters have a lead; the others are new numbers.
            body = {
                "id": f"bench-{number}",
                "direction": "inbound",
                "tracking_number": "+13055550100",
                "caller_number": f"+1786555{number % (TEXTERS * 2):04d}",
                "message_body": TEXTS[number % len(TEXTS)],
            }
            response = client.post(url, json.dumps(body), content_type="application/json")
            assert response.status_code == 200, response.content
        return BATCH / (time.perf_counter() - start)

    webhook_url = f"/webhook/ctm/sms/{seeded['token']}"
    bare_url = f"/bench/bare-sms-insert?thread={seeded['thread'].pk}"
    webhook_rates, bare_rates = [], []
    with real_broker():
        post_batch(webhook_url)  # warm-up
        post_batch(bare_url)
        for _ in range(ROUNDS):  # interleaved, so drift hits both alike
            webhook_rates.append(post_batch(webhook_url))
            bare_rates.append(post_batch(bare_url))
    pending = list(InboundSms.objects.filter(state="pending").values_list("pk", flat=True))
    start = time.perf_counter()
    for row_id in pending:
        assert inbound.process(row_id) == "done"
    worker_rate = len(pending) / (time.perf_counter() - start)
    print(
        "\nworker side (keywords, thread, lead match, event; one process): "
        f"{worker_rate:.0f} texts/s"
    )
    linked = Thread.objects.filter(lead__isnull=False).count()
    webhook, bare = statistics.median(webhook_rates), statistics.median(bare_rates)
    ratio = webhook / bare
    print(
        f"inbound SMS webhook {webhook:.0f} texts/s vs bare insert {bare:.0f}/s → "
        f"{ratio:.2f}x (target ≥ 0.5x); {linked} threads linked to a lead"
    )
    assert linked > 0
    assert ratio >= 0.5
