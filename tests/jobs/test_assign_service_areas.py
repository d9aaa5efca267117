"""`manage.py assign_service_areas`: jobs placed before areas were assigned get the closest
one within 50 miles, in batches; far jobs and unplaced ones stay without; a rerun is a no-op."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.factories import JobFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db


def run(**options) -> str:
    out = StringIO()
    call_command("assign_service_areas", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def areas():
    return {
        "miami": ServiceAreaFactory(
            label="Miami", lat=25.7791, lng=-80.1978, area_code="305", office_address="1 Main St"
        ),
        "lauderdale": ServiceAreaFactory(
            label="Fort Lauderdale", zip_code="33301", lat=26.1224, lng=-80.1373, area_code="954"
        ),
    }


def test_old_jobs_get_the_closest_area_within_50_miles_in_batches(areas):
    miami_job = JobFactory(service_area=None, lat=25.7783, lng=-80.1888)
    lauderdale_job = JobFactory(service_area=None, lat=26.10, lng=-80.14)
    orlando_job = JobFactory(service_area=None, lat=28.5384, lng=-81.3789)  # ~200 mi away
    unplaced_job = JobFactory(service_area=None, lat=None, lng=None)
    kept_job = JobFactory(service_area=areas["lauderdale"], lat=25.7783, lng=-80.1888)

    output = run(batch_size=2)

    assert "Assigned a service area to 2 jobs; 1 stayed without one" in output
    for job in (miami_job, lauderdale_job, orlando_job, unplaced_job, kept_job):
        job.refresh_from_db()
    assert miami_job.service_area == areas["miami"]
    assert (miami_job.area_code, miami_job.office_address) == ("305", "1 Main St")
    assert lauderdale_job.service_area == areas["lauderdale"]
    assert lauderdale_job.area_code == "954"
    assert orlando_job.service_area is None and unplaced_job.service_area is None
    assert kept_job.service_area == areas["lauderdale"]  # an area already set is kept


def test_a_second_run_assigns_nothing(areas):
    job = JobFactory(service_area=None, lat=25.7783, lng=-80.1888)
    JobFactory(service_area=None, lat=28.5384, lng=-81.3789)
    run()
    job.refresh_from_db()
    updated_at = job.updated_at

    output = run()

    assert "Assigned a service area to 0 jobs; 1 stayed without one" in output
    job.refresh_from_db()
    assert job.service_area == areas["miami"] and job.updated_at == updated_at


def test_with_no_service_areas_every_job_stays_without_one():
    JobFactory(service_area=None)

    assert "Assigned a service area to 0 jobs; 1 stayed without one" in run()
