"""Finance at scale: 50,000 Deposit/Done jobs over two years. The /finance page with its
totals row against its own raw SQL in the same run, and its query count."""

import datetime
import gc
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from contractors.models import Contractor, JobPartner, JobType
from crm.accounts.models import Office, Role
from jobs.models import FIRST_JOB_NUMBER, Job, Status
from tests.bench.seed import FIRST, LAST
from tests.bench.test_contractors import report
from tests.factories import UserFactory

pytestmark = [pytest.mark.bench]
TOTAL, CONTRACTORS = 50_000, 300


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        rng = random.Random(8)
        offices = [
            Office.objects.get_or_create(name=n)[0] for n in ("Sliding", "Garage", "General")
        ]
        Office.objects.filter(pk__in=[o.pk for o in offices]).update(is_jobs_enabled=True)
        kind = JobType.objects.get_or_create(label="Garage Door")[0]
        partners = [
            JobPartner.objects.get_or_create(name=name, defaults={"keep_rate": rate})[0]
            for name, rate in (("GDQ", 35), ("Nehoray", 30), ("House", 100))
        ]
        contractors = Contractor.objects.bulk_create(
            Contractor(name=f"Finance Bench {n} LLC", profit_share=30) for n in range(CONTRACTORS)
        )
        now = timezone.now()
        rows = []
        for number in range(TOTAL):
            starts_at = now - datetime.timedelta(days=rng.randint(0, 730), hours=rng.randint(0, 9))
            done = rng.random() < 0.93
            closing = Decimal(rng.randint(150, 2500)) if done else None
            phone = f"+1305{number:07d}"
            rows.append(
                Job(
                    number=FIRST_JOB_NUMBER + number,
                    office=offices[number % 3],
                    first_name=rng.choice(FIRST),
                    last_name=rng.choice(LAST),
                    phone=phone,
                    phone_last10=phone[-10:],
                    street="1450 NW 7th St",
                    city="Miami",
                    state="FL",
                    zip_code="33125",
                    job_type=kind,
                    source=rng.choice(partners),
                    contractor=rng.choice(contractors),
                    starts_at=starts_at,
                    ends_at=starts_at + datetime.timedelta(hours=2),
                    status=Status.DONE if done else Status.DEPOSIT,
                    status_changed_at=starts_at,
                    closing_total=closing,
                    parts_total=Decimal(rng.randint(0, 150)) if done else None,
                    deposit_amount=Decimal(rng.choice((0, 100, 150, 200))),
                    profit_share=Decimal(rng.choice((25, 30, 32.5, 35))),
                    contractor_paid_at=starts_at if done and rng.random() < 0.8 else None,
                    partner_paid_at=starts_at if done and rng.random() < 0.7 else None,
                    finance_cancelled_at=starts_at if rng.random() < 0.01 else None,
                    finance_cancel_reason="Chargeback",
                )
            )
        Job.objects.bulk_create(rows, batch_size=5000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        owner = UserFactory(role=Role.OWNER, email="bench-finance@example.com")
        del rows
        gc.collect()
        yield owner
        Job.objects.all().delete()
        Contractor.objects.filter(pk__in=[c.pk for c in contractors]).delete()


@pytest.mark.django_db
def test_finance_page_with_totals_stays_near_its_sql(client, seeded):
    client.force_login(seeded)
    url = reverse("finance:dashboard")
    client.get(url)  # session + live-sync cookie
    ratio, queries = report(
        f"finance page with totals ({TOTAL:,} jobs)", lambda: client.get(url), 10
    )
    filtered = {"paid": "contractor_unpaid", "cancelled": "hide"}
    filtered_ratio, filtered_queries = report(
        "finance page, unpaid contractors", lambda: client.get(url, filtered), 10
    )
    assert queries <= 10 and filtered_queries <= 10
    if connection.vendor == "postgresql":
        assert ratio <= 3 and filtered_ratio <= 3
