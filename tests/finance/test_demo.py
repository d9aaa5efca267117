"""The demo's Deposit/Done jobs carry money: what /finance and the reports show first."""

import pytest
from django.core.management import call_command

from finance.models import FinanceSettings
from finance.queries import finance_jobs
from jobs.models import Job, Status

pytestmark = pytest.mark.django_db


def test_the_demo_jobs_have_figures_paid_flags_and_one_finance_cancel():
    call_command("seed_demo")

    jobs = Job.objects.filter(status__in=[Status.DEPOSIT, Status.DONE])
    assert jobs.filter(status=Status.DONE).count() >= 3
    assert jobs.filter(status=Status.DEPOSIT).exists()
    assert not jobs.filter(closing_total__isnull=True).exists()
    assert not jobs.filter(status=Status.DONE, parts_total__isnull=True).exists()
    assert jobs.filter(contractor_paid_at__isnull=False).count() >= 2
    assert jobs.filter(partner_paid_at__isnull=False, partner_paid_auto=False).exists()
    (cancelled,) = jobs.filter(finance_cancelled_at__isnull=False)
    assert cancelled.finance_cancel_reason == "Chargeback" and cancelled.is_contractor_paid
    assert FinanceSettings.load().outbound_ctm_number.phone == "+13055550199"
    owner = cancelled.finance_cancelled_by
    assert {job.pk for job in finance_jobs(owner)} == set(jobs.values_list("pk", flat=True))
