"""📜 View Log: the last 200 fires newest first, each with its status mark, rule, trigger
and channel, recipient, linked job or lead, red error, rendered text and business time with
its zone; filters by search (recipient / text / error), status, channel and rule, Reset;
owner only; the query count pinned and flat in the rows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from automations.rules import services
from automations.rules.models import RuleLog
from crm.accounts.models import Role
from tests.factories import JobFactory, LeadFactory, UserFactory

pytestmark = pytest.mark.django_db
LOG = reverse("rules:log")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def rule(owner):
    return services.save_rule(
        actor=owner,
        name="New job text",
        trigger="job_created",
        recipient="contractor",
        channel="sms",
        body="New job {{job.displayId}}",
    )


def log_row(rule, **fields) -> RuleLog:
    values = {
        "rule": rule,
        "rule_name": rule.name if rule else "Gone rule",
        "trigger": "job_created",
        "channel": "sms",
        "status": "sent",
        "recipient": "+13055550100",
        "preview": "New job J-1",
        **fields,
    }
    return RuleLog.objects.create(**values)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER])
def test_only_the_owner_reads_the_log(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(LOG).status_code == 403
    assert client.get(LOG, headers=HTMX).status_code == 403


def test_view_log_opens_the_log_in_the_modal_from_the_list(owner_client, rule):
    log_row(rule)
    page = owner_client.get(reverse("rules:list"))
    assertContains(page, f'hx-get="{LOG}" hx-target="#modal-body" data-open-modal')

    modal = owner_client.get(LOG, headers=HTMX)

    assertContains(modal, "📜 Automation log")
    assertContains(modal, 'data-close="modal"')
    assertNotContains(modal, "<html")


def test_each_row_shows_what_happened(owner_client, rule):
    job = JobFactory()
    lead = LeadFactory(first_name="Rita", last_name="Moss")
    moment = datetime.datetime(2026, 7, 4, 16, 5, tzinfo=datetime.UTC)
    log_row(
        rule, job=job, record_label=job.display_id, preview="Hi Sam, new job", created_at=moment
    )
    log_row(
        rule,
        status="failed",
        channel="email",
        trigger="lead_created",
        lead=lead,
        record_label="Rita Moss",
        recipient="rita@example.net",
        error="SMTP not fully configured for office Garage",
        preview="Hello Rita",
    )
    log_row(rule, status="skipped", error="outside quiet hours")
    log_row(rule, status="queued")

    response = owner_client.get(LOG)

    assertContains(response, "✓ sent")
    assertContains(response, "✗ failed")
    assertContains(response, "○ skipped")
    assertContains(response, "⋯ queued")
    assertContains(response, "Job Created · SMS")
    assertContains(response, "Lead Created · Email")
    assertContains(response, "rita@example.net")
    assertContains(response, "(305) 555-0100")
    assertContains(response, f'href="{reverse("jobs:detail", args=[job.pk])}"')
    assertContains(response, job.display_id)
    assertContains(response, f'href="{reverse("leads:detail", args=[lead.pk])}"')
    assertContains(
        response,
        '<div class="rule-log__error">SMTP not fully configured for office Garage</div>',
        html=True,
    )
    assertContains(response, "Hi Sam, new job")
    assertContains(response, "Jul 4, 12:05 PM EDT")


def test_a_row_whose_rule_and_record_are_gone_still_reads(owner_client):
    log_row(None, record_label="J-77", preview="Old text")

    response = owner_client.get(LOG)

    assertContains(response, "Gone rule")
    assertContains(response, "J-77")


def test_the_newest_200_rows_show_newest_first(owner_client, rule):
    start = timezone.now() - datetime.timedelta(days=1)
    RuleLog.objects.bulk_create(
        RuleLog(
            rule=rule,
            rule_name=rule.name,
            trigger="job_created",
            channel="sms",
            status="sent",
            recipient=f"+1305555{n:04d}",
            created_at=start + datetime.timedelta(minutes=n),
        )
        for n in range(205)
    )

    rows = owner_client.get(LOG).context["rows"]

    assert len(rows) == 200
    assert rows[0].recipient == "+13055550204"
    assert rows[-1].recipient == "+13055550005"


def test_the_filters_narrow_the_rows(owner_client, owner, rule):
    other = services.save_rule(
        actor=owner,
        name="Lead mail",
        trigger="lead_created",
        recipient="client",
        channel="email",
        subject="Hi",
        body="Hi {{lead.firstName}}",
    )
    log_row(rule, recipient="+13055550111", preview="Door repair at 5")
    log_row(rule, status="failed", error="No CTM number configured for office Garage")
    log_row(other, channel="email", trigger="lead_created", recipient="zed@example.net")

    def shown(**query):
        response = owner_client.get(LOG, {**query, "partial": "rows"}, headers=HTMX)
        return [row.recipient for row in response.context["rows"]], response

    assert shown(q="door")[0] == ["+13055550111"]
    assert shown(q="0111")[0] == ["+13055550111"]
    assert len(shown(q="ctm number")[0]) == 1
    assert shown(status="failed")[0] == ["+13055550100"]
    assert shown(channel="email")[0] == ["zed@example.net"]
    assert shown(rule=str(other.pk))[0] == ["zed@example.net"]
    assert shown(channel="email", rule=str(rule.pk))[0] == []
    recipients, response = shown(q="door")
    assertNotContains(response, "rule-log__filters")  # only the rows are swapped


def test_an_unknown_filter_value_is_dropped_not_the_others(owner_client, rule):
    log_row(rule, channel="sms", recipient="+13055550111")
    log_row(rule, channel="email", recipient="a@example.net")

    response = owner_client.get(LOG, {"status": "bogus", "rule": "x", "channel": "email"})

    assert response.status_code == 200
    assert [row.recipient for row in response.context["rows"]] == ["a@example.net"]


def test_the_search_is_debounced_and_reset_brings_back_every_row(owner_client, rule):
    log_row(rule)
    response = owner_client.get(LOG, {"q": "nothing matches"})

    assertContains(response, 'hx-trigger="input delay:250ms"')
    assertContains(response, "Nothing logged under these filters.")
    reset = owner_client.get(LOG, {"partial": "body"}, headers=HTMX)
    assertContains(reset, "(305) 555-0100")
    assertContains(reset, 'class="rule-log__body"')


def test_the_log_query_count_is_pinned_and_flat_in_rows(
    owner_client, rule, django_assert_max_num_queries, django_assert_num_queries
):
    log_row(rule, job=JobFactory(), record_label="J-1")
    with django_assert_max_num_queries(6) as few:
        owner_client.get(LOG, headers=HTMX)
    for n in range(30):
        log_row(rule, job=JobFactory(), record_label=f"J-{n}", lead=LeadFactory())
    with django_assert_num_queries(len(few.captured_queries)):
        response = owner_client.get(LOG, {"q": "+1305"}, headers=HTMX)
    assertContains(response, "J-29")
