"""📍 Jobs without a service area get the closest one within 50 miles (Workiz import, New Job,
address edit), looked up once per distinct ZIP on an import."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs.models import Job
from jobs.services import editing
from jobs.services.areas import closest_area
from jobs.services.creating import create_job
from jobs.services.workiz_import import import_jobs
from tests.factories import ContractorFactory, JobFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db

ORLANDO_ZIP = "32801"  # ~230 miles from Miami: no area within 50 miles


def row(number: int, zip_code: str, client: str = "Emily Harrison") -> tuple[int, dict]:
    return (
        number,
        {
            "client": client,
            "phone": "(305) 555-0142",
            "address": "100 Biscayne Blvd",
            "zip_code": zip_code,
            "scheduled": "05/03/2026 9:00 AM",
            "type": "Repair",
            "source": "GDQ",
            "status": "Submitted",
        },
    )


def area_queries(captured) -> int:
    return sum('"contractors_servicearea"' in query["sql"] for query in captured.captured_queries)


def test_an_imported_miami_row_gets_the_miami_area_and_a_far_one_gets_none(
    admin, sliding, repair, gdq, miami
):
    ServiceAreaFactory(label="Tampa", zip_code="33602", lat=27.9506, lng=-82.4572)
    result = import_jobs(
        actor=admin, rows=[row(2, "33132"), row(3, ORLANDO_ZIP, "Carmen Diaz")], office=sliding
    )

    assert result.skipped == []
    jobs = {job.first_name: job for job in Job.objects.select_related("service_area")}
    assert jobs["Emily"].service_area == miami
    assert (jobs["Emily"].area_code, jobs["Emily"].office_address) == (
        "305",
        "1 Brickell Ave, Miami, FL",
    )
    assert jobs["Carmen"].service_area is None


def test_the_import_looks_up_areas_once_per_batch_not_per_row(admin, sliding, repair, gdq, miami):
    ServiceAreaFactory(label="Tampa", zip_code="33602", lat=27.9506, lng=-82.4572)
    zips = ["33132", "33101", "33602", ORLANDO_ZIP, "33139"]
    with CaptureQueriesContext(connection) as one:
        import_jobs(actor=admin, rows=[row(2, "33132")], office=sliding)
    with CaptureQueriesContext(connection) as many:
        import_jobs(
            actor=admin,
            rows=[row(n, zips[n % len(zips)]) for n in range(2, 22)],
            office=sliding,
        )

    assert Job.objects.count() == 21
    assert area_queries(one) == area_queries(many) == 2
    per_row = len(one.captured_queries) - area_queries(one)
    assert len(many.captured_queries) <= area_queries(many) + 20 * per_row


def test_a_new_job_with_an_address_but_no_area_gets_the_closest(admin, new_job, miami):
    job = create_job(actor=admin, **new_job())
    assert job.service_area == miami

    far = create_job(actor=admin, **new_job(zip_code=ORLANDO_ZIP, street="1 Main St"))
    assert far.service_area is None


def test_the_closest_area_prefers_one_the_contractor_covers(repair, miami):
    beach = ServiceAreaFactory(label="Miami Beach", lat=25.7907, lng=-80.1300)
    joe = ContractorFactory(name="Joe", job_types=[repair], service_areas=[beach])

    assert closest_area(25.7791, -80.1978) == miami
    assert closest_area(25.7791, -80.1978, contractor=joe) == beach
    assert closest_area(28.5383, -81.3792) is None  # Orlando


def test_saving_an_address_without_an_area_picks_the_closest(admin, sliding, miami):
    job = JobFactory(office=sliding, zip_code="", lat=None, lng=None, service_area=None)
    editing.change_address(job=job, actor=admin, street="100 Biscayne Blvd", zip_code="33132")

    job.refresh_from_db()
    assert job.service_area == miami
