"""Every log line carries time, level, logger and the request id (user id when signed in);
LOG_FORMAT=json gives one JSON object per line; failed tasks and inbound rows name their ids."""

import io
import json
import logging
import re
from contextlib import contextmanager

import pytest
from celery import Celery
from django.urls import reverse

from crm import logs
from crm.accounts.models import Office
from leads.models import InboundLead
from leads.services import process_inbound
from tests.factories import UserFactory, lead_source

pytestmark = pytest.mark.django_db
LAST_CHANGE = reverse("live_sync")
ISO_UTC = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z"


@contextmanager
def capture(log_format: str):
    """What the console handler would print, with the formatter LOGGING builds."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter(log_format))
    logging.getLogger().addHandler(handler)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)


@pytest.fixture
def plain_log():
    with capture("plain") as stream:
        yield stream


@pytest.fixture
def json_log():
    """The lines so far, each parsed: json.loads fails on anything but one object a line."""
    with capture("json") as stream:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture
def explode():
    """A task that logs, then fails; on an app of its own so the project's registry of
    tasks stays as it is. Task signals and Celery's failure log are the same for any app."""
    app = Celery("logs-test", set_as_current=False)

    @app.task(name="tests.explode")
    def explode():
        logging.getLogger("tests.explode").info("About to explode")
        raise RuntimeError("Out of coffee")

    return explode


def test_a_request_line_has_time_level_logger_and_the_request_id_sent_back(client, plain_log):
    response = client.get(LAST_CHANGE)  # signed out: 401, which Django logs

    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    line = plain_log.getvalue().strip()
    assert re.match(ISO_UTC + r" \[warning\s*\] Unauthorized: /api/last-change", line)
    assert "[django.request]" in line
    assert f"request_id={request_id}" in line
    assert "user_id" not in line


def test_a_sane_request_id_from_the_proxy_is_kept(client, plain_log):
    response = client.get(LAST_CHANGE, headers={"X-Request-ID": "caddy-7f3a.01_B"})

    assert response.headers["X-Request-ID"] == "caddy-7f3a.01_B"
    assert "request_id=caddy-7f3a.01_B" in plain_log.getvalue()


@pytest.mark.parametrize("given", ["two words", "x" * 65, "id\nforged=line", ""])
def test_an_unusable_request_id_is_replaced_by_a_fresh_one(client, plain_log, given):
    response = client.get(LAST_CHANGE, headers={"X-Request-ID": given})

    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert f"request_id={request_id}" in plain_log.getvalue()


def test_a_signed_in_request_line_carries_the_user_id(client, plain_log):
    user = UserFactory()
    client.force_login(user)

    response = client.get(reverse("leads:detail", args=[999999]))

    assert response.status_code == 404
    line = plain_log.getvalue().strip()
    assert "Not Found: /leads/999999" in line
    assert f"user_id={user.pk}" in line


def test_json_mode_prints_one_json_object_per_line(client, json_log):
    user = UserFactory()
    client.force_login(user)

    response = client.get(reverse("leads:detail", args=[999999]))

    [line] = json_log()
    assert re.fullmatch(ISO_UTC, line["timestamp"])
    assert line["level"] == "warning"
    assert line["logger"] == "django.request"
    assert line["event"] == "Not Found: /leads/999999"
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["user_id"] == user.pk


def test_last_change_stays_query_free_while_logging(client, django_assert_num_queries, json_log):
    with django_assert_num_queries(0):
        response = client.get(LAST_CHANGE)

    assert response.status_code == 401
    [line] = json_log()
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert "user_id" not in line


def test_a_failed_task_logs_its_id_and_name_on_every_line(explode, json_log):
    # apply(throw=False) runs the task as a worker does: failure recorded and logged,
    # where the suite's eager .delay() would raise into the caller instead.
    result = explode.apply(throw=False)

    assert result.failed()
    said, failed = json_log()
    assert said["event"] == "About to explode"
    assert (said["task_id"], said["task_name"]) == (result.id, "tests.explode")
    assert failed["level"] == "error" and failed["logger"] == "celery.app.trace"
    assert (failed["task_id"], failed["task_name"]) == (result.id, "tests.explode")
    assert "RuntimeError: Out of coffee" in failed["exception"]
    logging.getLogger("tests").warning("After the task")
    assert "task_id" not in json_log()[-1]


def test_a_refused_inbound_row_logs_its_id_source_and_reason(json_log):
    inbound = InboundLead.objects.create(
        source=lead_source("manual"), payload={"name": "Nowhere Nick", "phone": "3055550161"}
    )
    Office.objects.all().delete()  # no office at all: the lead has nowhere to go

    process_inbound(inbound.pk)

    [line] = [line for line in json_log() if line["logger"] == "leads.services.ingest"]
    assert line["level"] == "error"
    assert line["event"] == (
        f"Inbound lead {inbound.pk} from manual failed for good: "
        "Add an office in CP → Offices before taking leads."
    )


def test_an_unknown_log_format_stops_start_up():
    with pytest.raises(ValueError, match="LOG_FORMAT must be one of plain, json"):
        logs.build_logging(log_format="xml")
