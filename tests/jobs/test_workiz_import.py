"""📥 Workiz import on a realistic export: column mapping, the mapping step, per-row skips."""

import datetime
import io
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.accounts.models import Role
from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent, TimelineEntry
from jobs.models import Job, Status
from jobs.services.workiz_import import Mapping, import_jobs, read_rows, unmatched
from tests.factories import (
    ContractorFactory,
    JobPartnerFactory,
    JobTypeFactory,
    OfficeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
EXPORT = Path(__file__).parent / "fixtures" / "workiz_export.csv"
NOW = datetime.datetime(2026, 5, 1, 15, 0, tzinfo=datetime.UTC)
NEW_YORK, CHICAGO = ZoneInfo("America/New_York"), ZoneInfo("America/Chicago")


def export() -> SimpleUploadedFile:
    return SimpleUploadedFile("workiz-jobs.csv", EXPORT.read_bytes())


@pytest.fixture
def catalogue(repair, gdq, mike):
    """What the CRM already has: Repair + Install, GDQ + Angi, Mike + Joe."""
    return {
        "install": JobTypeFactory(label="Install"),
        "angi": JobPartnerFactory(name="Angi"),
        "joe": ContractorFactory(name="Joe Smith"),
    }


def test_the_mapping_step_lists_each_unmatched_value_once(catalogue):
    rows = read_rows(export())
    assert len(rows) == 10  # the blank spacer row is not data
    assert unmatched(rows).techs == ["Joe S.", "Unknown Tech"]
    assert unmatched(rows).sources == ["Angi Leads"]
    assert unmatched(rows).types == ["Gate Opener"]


@time_machine.travel(NOW, tick=False)
def test_a_workiz_export_imports_with_fresh_numbers_and_lists_the_skipped_rows(
    admin, sliding, catalogue, mike, repair, gdq, django_capture_on_commit_callbacks
):
    mapping = Mapping(
        techs={"joe s.": catalogue["joe"]},
        sources={"angi leads": catalogue["angi"]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = import_jobs(actor=admin, rows=read_rows(export()), office=sliding, mapping=mapping)

    assert result.summary == "Imported 5 jobs. Skipped 5 rows:"
    assert result.skipped == [
        (6, "No Source (Job Partner)."),
        (7, "Scheduled 'TBD' is not a date and time."),
        (8, "123-123-1234 is not a valid phone number."),
        (9, "Type 'Gate Opener' isn't mapped to a job type."),
        (10, "Unknown Workiz status 'On Hold'."),
    ]
    jobs = {job.first_name: job for job in Job.objects.all()}
    assert sorted(job.number for job in jobs.values()) == [3542, 3543, 3544, 3545, 3546]

    patel = jobs["Mike"]
    assert (patel.last_name, patel.phone, patel.email) == (
        "Patel",
        "+13055550142",
        "mike.patel@example.com",
    )
    assert patel.address == "100 Biscayne Blvd, Miami, FL 33132"
    assert patel.starts_at == datetime.datetime(2026, 5, 3, 9, tzinfo=NEW_YORK)
    assert patel.ends_at - patel.starts_at == datetime.timedelta(hours=2)
    assert (patel.status, patel.job_type, patel.source) == (Status.SUBMITTED, repair, gdq)
    assert (patel.contractor, patel.profit_share) == (mike, Decimal("35.00"))
    assert (patel.office, patel.company) == (sliding, "Sliding")

    harrison = jobs["Emily R."]  # a middle initial stays in the first name
    assert harrison.last_name == "Harrison"
    assert harrison.status == Status.PENDING
    assert harrison.follow_up_at == NOW + datetime.timedelta(hours=1)
    assert harrison.contractor == mike  # matched whatever the case

    diaz = jobs["Carmen"]
    assert diaz.status == Status.DONE and diaz.contractor == catalogue["joe"]
    assert diaz.starts_at == datetime.datetime(2026, 5, 3, 16, 30, tzinfo=NEW_YORK)

    kim = jobs["Sarah"]  # Dallas: scheduled on Central time
    assert (kim.status, kim.source, kim.contractor) == (Status.CANCELLED, catalogue["angi"], None)
    assert kim.starts_at == datetime.datetime(2026, 5, 4, 10, tzinfo=CHICAGO)
    assert kim.timezone == "America/Chicago"

    lee = jobs["Grace"]  # an unmapped tech leaves the job unassigned
    assert (lee.status, lee.contractor) == (Status.IN_PROGRESS, None)

    note = TimelineEntry.objects.for_subject(patel).get().body
    assert note == "📥 Imported from Workiz (Workiz job #21430)"
    assert AuditEvent.objects.filter(kind="job.created").count() == 5
    # History, not live bookings: no job.created (webhooks, automations), one batch event.
    assert list(DomainEvent.objects.values_list("name", flat=True)) == ["job.imported"]


def test_an_xlsx_export_with_real_date_cells_and_a_company(admin, sliding, catalogue, repair):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Job #", "Client", "Scheduled", "Phone", "Source", "Type", "Zip"])
    workbook.active.append(
        [
            9001,
            "Ana Lima",
            datetime.datetime(2026, 5, 7, 13, 15),
            3055550123,
            "GDQ",
            "Repair",
            33101,
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)

    rows = read_rows(SimpleUploadedFile("jobs.xlsx", buffer.getvalue()))
    result = import_jobs(actor=admin, rows=rows, office=sliding, company="Sliding Door Pros")

    job = result.created[0]
    assert job.starts_at == datetime.datetime(2026, 5, 7, 13, 15, tzinfo=NEW_YORK)
    assert (job.phone, job.zip_code, job.company) == ("+13055550123", "33101", "Sliding Door Pros")


def test_a_file_that_is_not_a_workiz_export_is_refused():
    upload = SimpleUploadedFile("leads.csv", b"Full Name,Phone\nAna,3055550123\n")
    with pytest.raises(ValueError, match="no Client, Scheduled column"):
        read_rows(upload)


def test_agents_cannot_import_and_admins_only_into_their_jobs_offices(agent, admin, catalogue):
    rows = read_rows(export())
    with pytest.raises(PermissionDenied):
        import_jobs(actor=agent, rows=rows, office=agent.offices.get())
    with pytest.raises(DomainError, match="not one of your offices"):
        import_jobs(actor=admin, rows=rows, office=OfficeFactory(name="Garage"))
    florida = OfficeFactory(name="Joes Doors FL", is_jobs_enabled=False)
    owner = UserFactory(role=Role.OWNER)
    with pytest.raises(DomainError, match="Jobs feature is off"):
        import_jobs(actor=owner, rows=rows, office=florida)
    assert not Job.objects.exists()
