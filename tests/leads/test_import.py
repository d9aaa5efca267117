import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from crm.accounts.models import Role
from crm.timeline.models import AuditEvent, TimelineEntry
from leads.importing import MAX_ROWS
from leads.models import Lead, LeadSource
from tests.factories import OfficeFactory, UserFactory, lead_source

pytestmark = pytest.mark.django_db

URL = reverse("leads:import")


def xlsx(rows: list[list]) -> SimpleUploadedFile:
    """A real workbook: header row first, then the data rows (None for an empty cell)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("leads.xlsx", buffer.getvalue())


def csv_file(text: str, name: str = "leads.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding))


def post(client, upload, *, office, source="manual"):
    return client.post(URL, {"file": upload, "source": lead_source(source).pk, "office": office.pk})


@pytest.fixture
def admin(office):
    return UserFactory(role=Role.ADMIN, first_name="Ada", offices=[office])


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_admin_sees_the_form_with_their_offices_and_active_sources(admin_client, office):
    OfficeFactory(name="Garage")
    LeadSource.objects.filter(key="yelp").update(is_active=False)

    response = admin_client.get(URL)

    form = response.context["form"]
    assert list(form.fields["office"].queryset) == [office]
    assert "yelp" not in {source.key for source in form.fields["source"].queryset}
    assertContains(response, "Import leads")
    assertNotContains(response, "Garage")


def test_xlsx_rows_are_read_by_header_name_with_webhook_aliases(admin_client, office, admin):
    upload = xlsx(
        [
            ["Phone", "Full Name", "EMAIL", "ZIP", "Campaign", "Notes", "Fee", "Created Time"],
            [3055550142, "Dana Cruz", "dana@example.com", 33101, "Spring", "Door stuck", 45, None],
            ["(305) 555-0143", "Eli Moss", "", "", "", "", "$1,200.50", "2025-03-01 14:05"],
        ]
    )

    response = post(admin_client, upload, office=office, source="google")

    assertContains(response, "Imported 2 leads.")
    assertNotContains(response, "Skipped")
    dana = Lead.objects.get(first_name="Dana")
    assert (dana.last_name, dana.phone, dana.email) == ("Cruz", "+13055550142", "dana@example.com")
    assert (dana.zip_code, dana.campaign, dana.notes) == ("33101", "Spring", "Door stuck")
    assert (dana.fee, dana.source.key, dana.office) == (Decimal("45.00"), "google", office)
    eli = Lead.objects.get(first_name="Eli")
    assert eli.fee == Decimal("1200.50")
    assert eli.received_at.isoformat() == "2025-03-01T19:05:00+00:00"  # 2:05 PM Eastern


def test_csv_with_bom_semicolons_and_snake_case_headers(admin_client, office):
    upload = csv_file(
        "\ufefffirst_name;last_name;phone_number;zip_code;lead_id\n"
        "Dana;Cruz;305-555-0142;33101;fb-77\n",
    )

    response = post(admin_client, upload, office=office)

    assertContains(response, "Imported 1 lead.")
    dana = Lead.objects.get()
    assert (dana.full_name, dana.phone, dana.fb_lead_id) == ("Dana Cruz", "+13055550142", "fb-77")
    assert dana.source.key == "manual"


def test_every_skipped_row_is_listed_with_its_number_and_reason(admin_client, office):
    upload = csv_file(
        "Name,Phone,Source,Office,Fee\n"
        "Good One,3055550101,,,\n"
        ",3055550102,,,\n"
        "Bad Phone,123-123-1234,,,\n"
        "\n"
        ",,,,\n"
        "Far Away,3055550103,,Mars,\n"
        "Odd Source,3055550104,myspace,,\n"
        "Bad Fee,3055550105,,,lots\n"
        "Good Two,3055550106,yelp,sliding,10\n"
    )

    response = post(admin_client, upload, office=office)

    assertContains(response, "Imported 2 leads. Skipped 5 rows:")
    assert response.context["result"].skipped == [
        (3, "No name (fill Full Name, or First Name)."),
        (4, "123-123-1234 is not a valid phone number."),
        (7, "Unknown office 'Mars' (not one of your offices)."),
        (8, "Unknown source 'myspace'. Add it in CP → Lead Sources first."),
        (9, "Fee 'lots' is not an amount between 0 and 9,999,999."),
    ]
    assertContains(response, "Row 4")
    assert sorted(Lead.objects.values_list("first_name", flat=True)) == ["Good", "Good"]
    assert Lead.objects.get(last_name="Two").source.key == "yelp"


def test_a_row_without_a_phone_or_with_a_bad_date_is_skipped(admin_client, office):
    upload = csv_file("Full Name,Phone,Created Time\nNo Phone,,\nBad Date,3055550101,someday\n")

    response = post(admin_client, upload, office=office)

    assert response.context["result"].skipped == [
        (2, "No phone number."),
        (3, "Created Time 'someday' is not a date and time."),
    ]
    assert not Lead.objects.exists()


def test_blank_rows_in_a_workbook_are_ignored_but_keep_row_numbers(admin_client, office):
    upload = xlsx([["Full Name", "Phone"], [None, None], ["Dana Cruz", "123"], ["", ""]])

    response = post(admin_client, upload, office=office)

    assertContains(response, "Imported 0 leads. Skipped 1 row:")
    assert response.context["result"].skipped == [(3, "123 is not a valid phone number.")]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("leads.pdf", b"%PDF-1.4"), "Upload an .xlsx or .csv file."),
        (SimpleUploadedFile("leads.xlsx", b"not a zip"), "The .xlsx file could not be read."),
        (SimpleUploadedFile("leads.csv", "Name,Phone\nJosé,1\n".encode("latin-1")), "not UTF-8"),
        (SimpleUploadedFile("leads.csv", b"Name,Phone\n"), "no leads under it"),
        (SimpleUploadedFile("jobs.csv", b"Job,Phone\nx,3055550101\n"), "No name column"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_nothing_imported(
    admin_client, office, upload, message
):
    response = post(admin_client, upload, office=office)

    assert response.status_code == 200
    assertContains(response, message)
    assert response.context["result"] is None
    assert not Lead.objects.exists()


def test_more_than_5000_rows_are_refused_with_nothing_imported(admin_client, office):
    rows = "".join(f"Lead {n},30555{n:05d}\n" for n in range(MAX_ROWS + 1))
    response = post(admin_client, csv_file("Name,Phone\n" + rows), office=office)

    assertContains(response, "more than 5,000 rows")
    assert not Lead.objects.exists()


def test_a_file_over_5_mb_is_refused(admin_client, office):
    upload = csv_file("Name,Phone\n" + "x" * (5 * 1024 * 1024))

    response = post(admin_client, upload, office=office)

    assertContains(response, "over 5 MB")
    assert not Lead.objects.exists()


def test_each_imported_lead_has_a_timeline_line_and_an_audit_row(admin_client, office, admin):
    post(admin_client, csv_file("Name,Phone\nDana Cruz,3055550142\n"), office=office)

    lead = Lead.objects.get()
    entry = TimelineEntry.objects.for_subject(lead).get()
    assert entry.body == "Lead created (import) from Manual"
    assert entry.actor == admin
    audit = AuditEvent.objects.get(kind="lead.created")
    assert audit.metadata == {"lead_id": lead.pk, "source": "manual", "via": "import"}
    assert audit.actor == admin


def test_an_admin_cannot_import_into_an_office_they_do_not_have(admin_client, office):
    garage = OfficeFactory(name="Garage")

    response = post(admin_client, csv_file("Name,Phone\nDana,3055550142\n"), office=garage)
    assert "office" in response.context["form"].errors

    response = post(
        admin_client, csv_file("Name,Phone,Office\nDana,3055550142,Garage\n"), office=office
    )
    assert response.context["result"].skipped == [
        (2, "Unknown office 'Garage' (not one of your offices).")
    ]
    assert not Lead.objects.exists()


def test_an_owner_may_import_into_any_office_by_name(client, owner, office):
    OfficeFactory(name="Garage")
    client.force_login(owner)

    post(client, csv_file("Name,Phone,Office\nDana,3055550142,GARAGE\n"), office=office)

    assert Lead.objects.get().office.name == "Garage"


@pytest.mark.parametrize("role", [Role.FINANCE_ADMIN, Role.OWNER])
def test_finance_admins_and_owners_may_import(client, office, role):
    client.force_login(UserFactory(role=role, offices=[office]))
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER, Role.PARTNER])
def test_agents_viewers_and_partners_are_refused(client, office, role):
    client.force_login(UserFactory(role=role, offices=[office], partner_name="GDQ"))

    assert client.get(URL).status_code == 403
    response = post(client, csv_file("Name,Phone\nDana,3055550142\n"), office=office)
    assert response.status_code == 403
    assert not Lead.objects.exists()


def test_impossible_or_out_of_range_dates_and_odd_values_are_skipped_with_reasons(
    admin_client, office
):
    upload = csv_file(
        "Full Name,Phone,Created Time,Email,Fee\n"
        "Year One,3055550101,0001-01-01T00:00:00-23:59,,\n"
        "Super Two,3055550102,²,,\n"
        "Huge Epoch,3055550103,99999999999999999999,,\n"
        "Ana\x00 Bell,3055550104,2026-05-01 10:00,a@b,9999999.999\n"
    )

    response = post(admin_client, upload, office=office)

    assert response.status_code == 200
    not_a_date = "is not a date and time between 1970 and 2100."
    assert response.context["result"].skipped == [
        (2, f"Created Time '0001-01-01T00:00:00-23:59' {not_a_date}"),
        (3, f"Created Time '²' {not_a_date}"),
        (4, f"Created Time '99999999999999999999' {not_a_date}"),
        (5, "Fee '9999999.999' is not an amount between 0 and 9,999,999."),
    ]
    assert not Lead.objects.exists()
