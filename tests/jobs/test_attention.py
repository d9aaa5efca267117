"""🚨 Needs Attention: each rule at its boundary, the same per job (banner) and in SQL
(the dashboard count and filter)."""

import datetime
from decimal import Decimal

import pytest

from jobs.models import Attention, Job, JobsSettings, Status
from jobs.services import attention_reason, update_request_message
from tests.factories import ContractorFactory, JobFactory

pytestmark = pytest.mark.django_db
SECOND = datetime.timedelta(seconds=1)


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)


def attention_at(job: Job, now: datetime.datetime, hours: int = 4) -> str:
    """The reason, asserting the banner and the SQL agree."""
    reason = attention_reason(job, now=now, hours=hours)
    annotated = Job.objects.with_attention(now=now, hours=hours).get(pk=job.pk).attention
    flagged = Job.objects.needing_attention(now=now, hours=hours).filter(pk=job.pk).exists()
    assert (annotated, flagged) == (reason, bool(reason))
    return reason


@pytest.fixture
def contractor():
    return ContractorFactory(name="Mike Hernandez")


def test_deposit_needs_an_update_once_its_expected_day_is_over_where_the_job_is(contractor):
    miami = JobFactory(
        status=Status.DEPOSIT, expected_completion=datetime.date(2026, 5, 5), contractor=contractor
    )
    los_angeles = JobFactory(
        status=Status.DEPOSIT,
        expected_completion=datetime.date(2026, 5, 5),
        contractor=contractor,
        timezone="America/Los_Angeles",
    )
    midnight_in_miami = utc(2026, 5, 6, 4)  # 00:00 EDT = 21:00 PDT the day before
    assert attention_at(miami, midnight_in_miami - SECOND) == ""
    assert attention_at(miami, midnight_in_miami) == Attention.UPDATE_NEEDED
    assert attention_at(los_angeles, midnight_in_miami) == ""
    assert attention_at(los_angeles, utc(2026, 5, 6, 7) - SECOND) == ""
    assert attention_at(los_angeles, utc(2026, 5, 6, 7)) == Attention.UPDATE_NEEDED


def test_a_job_with_an_unknown_zone_follows_business_time(contractor):
    job = JobFactory(
        status=Status.DEPOSIT,
        expected_completion=datetime.date(2026, 5, 5),
        contractor=contractor,
        timezone="Napakiak",  # a typo the ZIP data carries
    )
    assert attention_at(job, utc(2026, 5, 6, 4) - SECOND) == ""
    assert attention_at(job, utc(2026, 5, 6, 4)) == Attention.UPDATE_NEEDED


def test_pending_needs_a_follow_up_from_the_follow_up_time(contractor):
    follow_up = utc(2026, 5, 6, 14)
    job = JobFactory(status=Status.PENDING, follow_up_at=follow_up, contractor=contractor)
    assert attention_at(job, follow_up - SECOND) == ""
    assert attention_at(job, follow_up) == Attention.FOLLOW_UP_NEEDED


def test_in_progress_asks_for_an_update_n_hours_after_the_window(contractor):
    job = JobFactory(
        status=Status.IN_PROGRESS,
        starts_at=utc(2026, 5, 3, 13),
        ends_at=utc(2026, 5, 3, 15),
        contractor=contractor,
    )
    four_hours_on = utc(2026, 5, 3, 19)
    assert attention_at(job, four_hours_on - SECOND) == ""
    assert attention_at(job, four_hours_on) == Attention.ASK_FOR_UPDATE
    assert attention_at(job, four_hours_on, hours=6) == ""


def test_n_comes_from_cp_jobs_attentions_when_not_given(contractor):
    job = JobFactory(
        status=Status.IN_PROGRESS,
        starts_at=utc(2026, 5, 3, 13),
        ends_at=utc(2026, 5, 3, 15),
        contractor=contractor,
    )
    JobsSettings.objects.update_or_create(pk=1, defaults={"ask_for_update_hours": 1})
    assert attention_reason(job, now=utc(2026, 5, 3, 16)) == Attention.ASK_FOR_UPDATE
    assert Job.objects.needing_attention(now=utc(2026, 5, 3, 16)).get() == job


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.IN_PROGRESS, Status.PENDING])
def test_active_jobs_without_a_contractor_need_one(status):
    job = JobFactory(status=status, follow_up_at=utc(2026, 6, 1, 12))
    assert attention_at(job, utc(2026, 5, 1, 12)) == Attention.FIND_CONTRACTOR


@pytest.mark.parametrize("status", [Status.DONE, Status.CANCELLED])
def test_done_and_cancelled_jobs_without_a_contractor_are_history(status):
    assert attention_at(JobFactory(status=status), utc(2026, 5, 1, 12)) == ""


def test_a_status_rule_outranks_find_contractor():
    job = JobFactory(status=Status.DEPOSIT, expected_completion=datetime.date(2026, 5, 5))
    assert attention_at(job, utc(2026, 5, 1, 12)) == Attention.FIND_CONTRACTOR
    assert attention_at(job, utc(2026, 5, 7, 12)) == Attention.UPDATE_NEEDED


def test_the_count_is_one_query_however_many_jobs(contractor, django_assert_num_queries):
    now = utc(2026, 5, 7, 12)
    for _ in range(3):
        JobFactory(status=Status.SUBMITTED)  # FIND CONTRACTOR
        JobFactory(status=Status.DONE)
        JobFactory(status=Status.SUBMITTED, contractor=contractor)
    with django_assert_num_queries(1):
        assert Job.objects.needing_attention(now=now, hours=4).count() == 3


def test_the_update_request_message_names_the_window_or_the_deposit_date(contractor):
    job = JobFactory(
        number=21434,
        first_name="Emily",
        last_name="Harrison",
        street="1379 Algiers St",
        city="Pt Charlotte",
        state="FL",
        zip_code="33980",
        status=Status.IN_PROGRESS,
        starts_at=utc(2026, 5, 3, 13),
        ends_at=utc(2026, 5, 3, 15),
        contractor=contractor,
    )
    assert update_request_message(job, Attention.ASK_FOR_UPDATE) == (
        "🔔Update Needed🔔\n"
        "🏷️Job #21434 - Emily Harrison\n"
        "📍 1379 Algiers St, Pt Charlotte, FL 33980\n"
        "🕒 5/3 9AM-11AM - DUE\n"
        "What's the update please?"
    )
    job.status, job.deposit_amount = Status.DEPOSIT, Decimal("150")
    job.status_changed_at = utc(2026, 4, 28, 15)
    assert "🕒 Deposit collected 4/28 - DUE" in update_request_message(job, Attention.UPDATE_NEEDED)
