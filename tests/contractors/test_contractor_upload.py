import io
import time
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains

from contractors.contractor_upload import MAX_ROWS
from contractors.models import Contractor, JobPartner
from crm.accounts.models import Role
from crm.timeline.models import AuditEvent
from tests.factories import ContractorFactory, JobTypeFactory, ServiceAreaFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("contractors:contractor_upload")
HEADER = [
    "Contractor Name",
    "Contact Person",
    "Phone",
    "2nd Contact Person",
    "2nd Phone",
    "Email",
    "Profit Share %",
    "2nd Profit Share %",
    "Zipcodes for 2nd %",
    "Job Partners for 2nd %",
    "Notes",
]


def xlsx(rows: list[list], *, header: bool = True) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in ([HEADER] if header else []) + rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("contractors.xlsx", buffer.getvalue())


def csv_file(text: str, name: str = "contractors.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"))


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_the_page_lists_the_columns(owner_client):
    page = owner_client.get(URL)
    assertContains(page, "Contractor bulk upload")
    assertContains(page, "Job Partners for 2nd %")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER])
def test_only_owner_and_finance_admin_may_upload(client, role):
    client.force_login(UserFactory(role=role, partner_name="GDQ"))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": xlsx([["Nope LLC"]])}).status_code == 403
    assert not Contractor.objects.exists()


def test_finance_admin_may_upload(client):
    client.force_login(UserFactory(role=Role.FINANCE_ADMIN))
    response = client.post(URL, {"file": xlsx([["Fresh LLC"]])})
    assertContains(response, "Added 1 contractor, updated 0.")


def test_upload_updates_by_name_in_any_case_and_never_touches_job_types_or_areas(
    owner_client, owner
):
    garage, area = JobTypeFactory(label="Garage Door"), ServiceAreaFactory(label="Miami")
    existing = ContractorFactory(
        name="Acme Doors",
        contact_name="Old Contact",
        profit_share=10,
        notes="old",
        job_types=[garage],
        service_areas=[area],
    )
    JobPartner.objects.create(name="GDQ")

    response = owner_client.post(
        URL,
        {
            "file": xlsx(
                [
                    [
                        "ACME DOORS",
                        "New Contact",
                        "305-555-0142",
                        "Second",
                        "(305) 555-0199",
                        "ops@acme.com",
                        35,
                        12.5,
                        "33101, 33102",
                        "gdq",
                        "new notes",
                    ],
                    ["Brand New LLC", "Kim", None, None, None, None, 20],
                ]
            )
        },
    )

    assertContains(response, "Added 1 contractor, updated 1.")
    existing.refresh_from_db()
    assert existing.name == "Acme Doors"  # matched, spelling kept
    assert existing.contact_name == "New Contact"
    assert existing.contact_phone == "+13055550142"
    assert existing.contact2_name == "Second"
    assert existing.contact2_phone == "+13055550199"
    assert existing.report_email == "ops@acme.com"
    assert existing.profit_share == Decimal("35")
    assert existing.secondary_profit_share == Decimal("12.5")
    assert existing.secondary_zip_codes == ["33101", "33102"]
    assert existing.secondary_partners == ["GDQ"]
    assert existing.notes == "new notes"
    assert list(existing.job_types.all()) == [garage]
    assert list(existing.service_areas.all()) == [area]

    new = Contractor.objects.get(name="Brand New LLC")
    assert new.contact_name == "Kim" and new.profit_share == Decimal("20")
    assert not new.job_types.exists() and not new.service_areas.exists()
    assert new.is_active
    assert AuditEvent.objects.filter(
        kind="settings.changed", actor=owner, text__startswith="Contractor upload: 1 added"
    ).exists()


def test_bad_rows_are_listed_and_the_good_ones_saved(owner_client):
    ContractorFactory(name="Keep Me", profit_share=10)
    rows = [
        ["Good One"],
        [None, "No name here"],
        ["Too Much", None, None, None, None, None, 101],
        ["Bad Zip", None, None, None, None, None, 10, 5, "3310"],
        ["Bad Phone", None, "123-123-1234"],
        ["Keep Me", None, None, None, None, None, "abc"],
        ["Who", None, None, None, None, None, 10, 5, "33101", "Nobody Inc"],
        ["good one", "dup in file"],
        ["Good Two", None, None, None, None, "x@y.com", "", "", "", "", "fine"],
    ]

    response = owner_client.post(URL, {"file": xlsx(rows)})

    assertContains(response, "Added 2 contractors, updated 0. Skipped 7 rows:")
    text = response.content.decode()
    for number, reason in [
        (3, "Give the contractor a name."),
        (4, "Profit share % must be a percent from 0 to 100."),
        (5, "ZIP code &#x27;3310&#x27; must be 5 digits."),
        (6, "is not a valid phone number"),
        (7, "Profit share % &#x27;abc&#x27; is not a number."),
        (8, "Unknown job partner &#x27;Nobody Inc&#x27;"),
        (9, "good one is already on row 2 of this file."),
    ]:
        assert f"Row {number}</td><td>" in text
        assert reason in text, reason
    assert set(Contractor.objects.values_list("name", flat=True)) == {
        "Keep Me",
        "Good One",
        "Good Two",
    }
    assert Contractor.objects.get(name="Keep Me").profit_share == Decimal("10")


def test_csv_without_a_header_row_is_read_by_position(owner_client):
    response = owner_client.post(
        URL, {"file": csv_file('Acme,Ann,,,,a@acme.com,25,,,,"Notes, with comma"\n\nZed,,,,,,5\n')}
    )
    assertContains(response, "Added 2 contractors, updated 0.")
    acme = Contractor.objects.get(name="Acme")
    assert acme.report_email == "a@acme.com"
    assert acme.notes == "Notes, with comma"
    assert acme.secondary_profit_share is None


@pytest.mark.parametrize(
    "upload, message",
    [
        (csv_file("x", name="contractors.txt"), "Upload an .xlsx or .csv file."),
        (SimpleUploadedFile("broken.xlsx", b"not a workbook"), "could not be read"),
        (csv_file("Contractor Name,Contact\n"), "The file holds no contractor rows."),
    ],
)
def test_an_unreadable_file_changes_nothing(owner_client, upload, message):
    response = owner_client.post(URL, {"file": upload})
    assertContains(response, message)
    assert not Contractor.objects.exists()


def test_a_file_over_5_mb_is_refused(owner_client):
    big = csv_file("A,B\n" + "x" * (5 * 1024 * 1024))
    assertContains(owner_client.post(URL, {"file": big}), "over 5 MB")
    assert not Contractor.objects.exists()


def test_1001_rows_are_refused_and_nothing_changes(owner_client):
    rows = [[f"Contractor {n}"] for n in range(MAX_ROWS + 1)]
    response = owner_client.post(URL, {"file": xlsx(rows)})
    assertContains(response, "more than 1,000 contractor rows")
    assert not Contractor.objects.exists()


def test_1000_rows_upload_in_under_ten_seconds(owner_client):
    JobPartner.objects.create(name="GDQ")
    for n in range(0, MAX_ROWS, 2):  # half the names already exist
        ContractorFactory(name=f"Contractor {n:04d}")
    rows = [
        [
            f"CONTRACTOR {n:04d}",
            "Contact",
            "305-555-0142",
            "Second",
            "305-555-0199",
            f"c{n}@example.com",
            30,
            10,
            "33101,33102",
            "gdq",
            "notes",
        ]
        for n in range(MAX_ROWS)
    ]
    upload = xlsx(rows)

    started = time.monotonic()
    response = owner_client.post(URL, {"file": upload})
    elapsed = time.monotonic() - started

    assertContains(response, "Added 500 contractors, updated 500.")
    assert Contractor.objects.count() == MAX_ROWS
    assert elapsed < 10, f"took {elapsed:.1f}s"
