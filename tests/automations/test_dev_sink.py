"""The development sink (/dev/webhook-sink/<name>, DEBUG only) and the demo endpoints."""

import datetime
import importlib
import json
import time

import pytest
from django.test import RequestFactory, override_settings
from django.urls import clear_url_caches
from standardwebhooks import Webhook

from automations.webhooks import demo, dev_sink, signing, urls
from automations.webhooks.models import Endpoint, Slot
from crm.accounts.models import Role
from tests.factories import UserFactory

SINK = "http://127.0.0.1:8000/dev/webhook-sink/new-lead"


def signed_post(secret: str, body: str, name: str = "new-lead", query: str = ""):
    stamp = str(int(time.time()))
    signature = Webhook(secret).sign("msg_1", _when(stamp), body)
    return RequestFactory().post(
        f"/dev/webhook-sink/{name}{query}",
        data=body,
        content_type="application/json",
        headers={"webhook-id": "msg_1", "webhook-timestamp": stamp, "webhook-signature": signature},
    )


def _when(stamp: str):
    return datetime.datetime.fromtimestamp(int(stamp), tz=datetime.UTC)


def test_the_sink_records_and_checks_the_signature(db):
    endpoint = Endpoint.objects.create(
        slot=Slot.NEW_LEAD, is_main=True, url=SINK, secret=signing.new_secret()
    )
    body = json.dumps({"FirstName": "Dana"})
    response = dev_sink.sink(signed_post(endpoint.secret, body), "new-lead")
    assert response.status_code == 200
    assert json.loads(response.content)["signature"] == "valid"
    bad = dev_sink.sink(signed_post(signing.new_secret(), body), "new-lead")
    assert json.loads(bad.content)["signature"] == "invalid"
    nobody = dev_sink.sink(signed_post(endpoint.secret, body, name="other"), "other")
    assert json.loads(nobody.content)["signature"] == "no endpoint"
    entries = dev_sink.received("new-lead")
    assert [entry["signature"] for entry in entries] == ["invalid", "valid"]
    assert '"FirstName": "Dana"' in entries[1]["body"]
    assert entries[1]["headers"]["webhook-id"] == "msg_1"


def test_the_previous_key_still_verifies_after_a_rotation(db):
    old = signing.new_secret()
    Endpoint.objects.create(
        slot=Slot.JOBS, is_main=True, url=SINK, secret=signing.new_secret(), previous_secret=old
    )
    response = dev_sink.sink(signed_post(old, "{}"), "new-lead")
    assert json.loads(response.content)["signature"] == "valid"


def test_the_sink_keeps_the_last_50_and_answers_the_asked_status(db):
    for n in range(55):
        dev_sink.sink(signed_post("whsec_AAAA", json.dumps({"n": n})), "new-lead")
    entries = dev_sink.received("new-lead")
    assert len(entries) == 50 and '"n": 54' in entries[0]["body"]
    gone = dev_sink.sink(signed_post("whsec_AAAA", "{}", "gone", "?status=410"), "gone")
    assert gone.status_code == 410


def test_the_sink_page_is_the_owners(client, owner):
    dev_sink.sink(signed_post("whsec_AAAA", '{"Phone": "555"}'), "new-lead")
    request = RequestFactory().get("/dev/webhook-sink/new-lead")
    request.user = owner
    html = dev_sink.sink(request, "new-lead").content.decode()
    assert "&quot;Phone&quot;: &quot;555&quot;" in html and "no endpoint" in html
    request.user = UserFactory(role=Role.ADMIN)
    with pytest.raises(dev_sink.PermissionDenied):
        dev_sink.sink(request, "new-lead")


def test_the_sink_is_mounted_only_in_debug():
    def names():
        return {pattern.name for pattern in urls.urlpatterns}

    try:
        with override_settings(DEBUG=False):
            importlib.reload(urls)
            assert "webhook_sink" not in names()
        with override_settings(DEBUG=True):
            importlib.reload(urls)
            assert "webhook_sink" in names()
    finally:
        importlib.reload(urls)
        clear_url_caches()


def test_the_demo_points_new_lead_and_jobs_at_the_sink(owner):
    made = demo.seed(owner)
    mains = {e.slot: e.url for e in made if e.is_main}
    assert mains[Slot.NEW_LEAD].endswith("/dev/webhook-sink/new-lead")
    assert mains[Slot.JOBS].endswith("/dev/webhook-sink/jobs")
    fan_outs = [e for e in made if not e.is_main]
    assert demo.CLOSED_PORT_URL in [e.url for e in fan_outs]
    assert all(e.secret.startswith("whsec_") for e in made)
