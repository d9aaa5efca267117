"""Standard Webhooks signatures, checked by the `standardwebhooks` package's own verifier
on what a real receiver got."""

import base64
import datetime

import pytest
import time_machine
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from automations.webhooks import sending, signing
from automations.webhooks.models import Endpoint
from tests.automations import engine_receiver as receivers

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    server = receivers.start()
    yield server
    receivers.stop(server)


def _received(receiver, endpoint) -> tuple[bytes, dict]:
    delivery = receivers.delivery(endpoint, body='{"FirstName": "Zoë", "Phone": "+1 555"}')
    sending.send([delivery.pk])
    _path, headers, body = receiver.received[-1]
    return body, headers


def test_a_new_secret_is_32_random_bytes_behind_whsec():
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert signing.new_secret() != secret


def test_a_delivery_passes_the_standard_verifier_and_a_tampered_body_fails(receiver):
    endpoint = receivers.endpoint(receiver.url)
    body, headers = _received(receiver, endpoint)
    assert Webhook(endpoint.secret).verify(body, headers) == {"FirstName": "Zoë", "Phone": "+1 555"}
    assert abs(int(headers["webhook-timestamp"]) - timezone.now().timestamp()) < 5
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(body.replace(b"555", b"556"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, headers)


def test_both_keys_sign_for_24_hours_after_a_rotation(receiver):
    old = signing.new_secret()
    endpoint = receivers.endpoint(receiver.url)
    Endpoint.objects.filter(pk=endpoint.pk).update(previous_secret=old, rotated_at=timezone.now())
    endpoint.refresh_from_db()

    body, headers = _received(receiver, endpoint)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(endpoint.secret).verify(body, headers)
    Webhook(old).verify(body, headers)

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=24, minutes=1)):
        body, headers = _received(receiver, endpoint)
        assert len(headers["webhook-signature"].split(" ")) == 1
        Webhook(endpoint.secret).verify(body, headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(body, headers)


def test_each_try_has_its_own_timestamp_and_the_same_id(receiver):
    receiver.answers = [(500, {}, "no"), (200, {}, "ok")]
    endpoint = receivers.endpoint(receiver.url)
    delivery = receivers.delivery(endpoint)
    sending.send([delivery.pk])
    delivery.refresh_from_db()
    with time_machine.travel(delivery.next_attempt_at + datetime.timedelta(seconds=1)):
        sending.send_due()
        (_, first, body1), (_, second, body2) = receiver.received
        assert first["webhook-id"] == second["webhook-id"] == delivery.webhook_id
        assert int(second["webhook-timestamp"]) > int(first["webhook-timestamp"])
        assert body1 == body2
        Webhook(endpoint.secret).verify(body2, second)
