"""📥 Service Area bulk upload: columns A–D by position, per-row errors, size limits."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains

from contractors.area_upload import MAX_ROWS
from contractors.models import ServiceArea
from crm.accounts.models import Role
from tests.factories import ServiceAreaFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("contractors:service_area_upload")


@pytest.fixture(autouse=True)
def _offline_geocoding(settings):
    settings.GOOGLE_MAPS_API_KEY = ""


@pytest.fixture
def owner_client(client):
    client.force_login(UserFactory(role=Role.OWNER))
    return client


def xlsx(rows: list[list], name: str = "areas.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(text: str, name: str = "areas.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode())


HEADER = ["Service Area", "Main Zipcode", "Main Area Code", "Office Address"]


def test_xlsx_areas_are_created_and_geocoded_with_the_header_skipped(owner_client):
    upload = xlsx(
        [
            HEADER,
            ["Downtown", 33101, 305, "1 Flagler St"],
            ["Hialeah", "33012", None, None],
            ["Boston", 2108, "617", ""],  # a ZIP typed as a number loses its leading zero
        ]
    )

    response = owner_client.post(URL, {"file": upload})

    assertContains(response, "Created 3 service areas.")
    downtown = ServiceArea.objects.get(label="Downtown")
    assert (downtown.city, downtown.state, downtown.area_code) == ("Miami", "FL", "305")
    assert downtown.office_address == "1 Flagler St"
    assert ServiceArea.objects.get(label="Hialeah").city == "Hialeah"
    assert ServiceArea.objects.get(label="Boston").zip_code == "02108"


def test_a_file_without_a_header_row_starts_at_row_one(owner_client):
    response = owner_client.post(URL, {"file": csv_file("Downtown,33101\nHialeah,33012,305\n")})

    assertContains(response, "Created 2 service areas.")


def test_bad_rows_are_listed_and_never_stop_the_good_ones(owner_client):
    ServiceAreaFactory(label="Doral")
    upload = csv_file(
        "Service Area,Main Zipcode,Main Area Code,Office Address\n"
        "Downtown,33101,305,\n"
        "doral,33172,,\n"
        ",33012,,\n"
        "Nowhere,00000,,\n"
        "Typo,3310,,\n"
        "DOWNTOWN,33101,,\n"
        "Coral Gables,33134,30,\n"
        "Nozip,,,\n"
        "\n"
        "Hialeah,33012,786,\n"
    )

    response = owner_client.post(URL, {"file": upload})

    assertContains(response, "Created 2 service areas. Skipped 7 rows:")
    assert set(ServiceArea.objects.values_list("label", flat=True)) == {
        "Doral",
        "Downtown",
        "Hialeah",
    }
    assert response.context["result"].skipped == [
        (3, "A service area named doral already exists."),
        (4, "Give the service area a label, e.g. Hialeah."),
        (5, "ZIP code 00000 was not found."),
        (6, "A ZIP code is 5 digits, like 33101."),
        (7, "A service area named DOWNTOWN already exists."),
        (8, "The area code '30' is not 3 digits, like 305."),
        (9, "No main ZIP code (column B)."),
    ]
    assertContains(response, "Row 5")


def test_a_file_of_500_areas_is_accepted(owner_client):
    rows = [HEADER] + [[f"Area {n:03d}", "33101"] for n in range(MAX_ROWS)]

    response = owner_client.post(URL, {"file": xlsx(rows)})

    assertContains(response, "Created 500 service areas.")
    assert ServiceArea.objects.count() == 500


def test_a_file_of_501_areas_is_refused_and_nothing_is_created(owner_client):
    text = "".join(f"Area {n},33101\n" for n in range(MAX_ROWS + 1))

    response = owner_client.post(URL, {"file": csv_file(text)})

    assertContains(response, "The file has more than 500 areas.")
    assert not ServiceArea.objects.exists()


def test_a_file_over_2_mb_is_refused(owner_client):
    upload = csv_file("Downtown,33101," + "x" * (2 * 1024 * 1024) + "\n")

    response = owner_client.post(URL, {"file": upload})

    assertContains(response, "The file is over 2 MB.")
    assert not ServiceArea.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("areas.xlsx", b"not a workbook"), "could not be read"),
        (SimpleUploadedFile("areas.txt", b"Downtown,33101"), "Upload an .xlsx or .csv file."),
        (SimpleUploadedFile("areas.csv", "Zoë,33101".encode("latin-1")), "not UTF-8"),
        (SimpleUploadedFile("areas.csv", b"Service Area,Main Zipcode\n"), "no service areas"),
    ],
)
def test_an_unreadable_file_changes_nothing(owner_client, upload, message):
    response = owner_client.post(URL, {"file": upload})

    assertContains(response, message)
    assert not ServiceArea.objects.exists()


def test_semicolon_csv_from_excel_is_read(owner_client):
    response = owner_client.post(URL, {"file": csv_file("Downtown;33101;305;1 Main St\n")})

    assertContains(response, "Created 1 service area.")
    assert ServiceArea.objects.get().office_address == "1 Main St"
