"""📥 The Workiz import page: upload, map what didn't match, see created and skipped rows."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from crm.accounts.models import Role
from jobs.import_views import SESSION_KEY
from jobs.models import Job
from tests.factories import (
    ContractorFactory,
    JobPartnerFactory,
    JobTypeFactory,
    OfficeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("jobs:import")
EXPORT = Path(__file__).parent / "fixtures" / "workiz_export.csv"


def export(name: str = "workiz-jobs.csv", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, EXPORT.read_bytes() if content is None else content)


def upload(client, office, file=None, company=""):
    data = {"file": file or export(), "office": office.pk, "company": company}
    return client.post(URL, data)


def selects(response) -> list[str]:
    return re.findall(r'<select name="([a-z_0-9]+)"', response.content.decode())


@pytest.fixture(autouse=True)
def _before_the_fixture_jobs():
    """The export's jobs are booked for early May 2026."""
    with time_machine.travel(datetime.datetime(2026, 5, 1, 15, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def catalogue(repair, gdq, mike):
    """What the CRM already has: Repair + Install, GDQ + Angi, Mike + Joe (not 'Joe S.')."""
    return {
        "install": JobTypeFactory(label="Install"),
        "angi": JobPartnerFactory(name="Angi"),
        "joe": ContractorFactory(name="Joe Smith"),
    }


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.FINANCE_ADMIN])
def test_admins_see_the_upload_form_with_their_jobs_offices_only(client, sliding, role):
    OfficeFactory(name="Garage")  # not theirs (owners see every office)
    OfficeFactory(name="Leads Only", is_jobs_enabled=False)
    user = UserFactory(role=role, offices=[sliding, OfficeFactory(name="Windows")])
    client.force_login(user)

    response = client.get(URL)

    assertContains(response, "Import jobs from Workiz")
    assertContains(response, 'enctype="multipart/form-data"')
    offered = {office.name for office in response.context["form"].fields["office"].queryset}
    expected = {"Sliding", "Windows", "Garage"} if role == Role.OWNER else {"Sliding", "Windows"}
    assert offered == expected


def test_an_export_where_everything_matches_imports_at_once_and_lists_skipped_rows(
    owner_client, sliding, repair, gdq, mike
):
    JobTypeFactory(label="Install")
    JobTypeFactory(label="Gate Opener")
    JobPartnerFactory(name="Angi Leads")
    joe = ContractorFactory(name="Joe S.")
    ContractorFactory(name="Unknown Tech")

    response = upload(owner_client, sliding, company="Sliding Door Pros")

    assertContains(response, "Imported 6 jobs. Skipped 4 rows:")
    skipped = [
        ("Row 6", "No Source (Job Partner)."),
        ("Row 7", "Scheduled &#x27;TBD&#x27; is not a date and time."),
        ("Row 8", "123-123-1234 is not a valid phone number."),
        ("Row 10", "Unknown Workiz status &#x27;On Hold&#x27;."),
    ]
    for number, reason in skipped:
        assertContains(response, f'<td class="nowrap">{number}</td><td>{reason}</td>', html=False)
    assertContains(response, reverse("jobs:dashboard"))
    assertNotContains(response, "Match what wasn")
    assert Job.objects.count() == 6
    diaz = Job.objects.get(first_name="Carmen")
    assert (diaz.contractor, diaz.office, diaz.company) == (joe, sliding, "Sliding Door Pros")
    assert SESSION_KEY not in owner_client.session


def test_unmatched_values_are_asked_once_each_and_the_picks_are_applied(
    owner_client, sliding, catalogue, gdq
):
    response = upload(owner_client, sliding)

    assertContains(response, "Match what wasn")
    assert selects(response) == ["tech_0", "tech_1", "source_0", "type_0"]
    for value in ("Joe S.", "Unknown Tech", "Angi Leads", "Gate Opener"):
        assertContains(response, f">{value}</label>")
    assertContains(response, "— Leave unassigned —")
    assertContains(response, "Rows whose type you leave unmapped are skipped.")
    assertContains(response, "1 row · skipped if left unmapped.")
    assert not Job.objects.exists()  # nothing is written before the picks

    batch = owner_client.session[SESSION_KEY]
    response = owner_client.post(
        URL,
        {
            "step": "map",
            "batch": batch["token"],
            "tech_0": catalogue["joe"].pk,
            "tech_1": "",  # leave Unknown Tech's job unassigned
            "source_0": catalogue["angi"].pk,
            "type_0": "",  # Gate Opener stays unmapped: its row is skipped
        },
    )

    assertContains(response, "Imported 5 jobs. Skipped 5 rows:")
    assertContains(response, "Type &#x27;Gate Opener&#x27; isn&#x27;t mapped to a job type.")
    jobs = {job.first_name: job for job in Job.objects.all()}
    assert jobs["Carmen"].contractor == catalogue["joe"]
    assert jobs["Sarah"].source == catalogue["angi"]
    assert jobs["Grace"].contractor is None
    assert SESSION_KEY not in owner_client.session

    again = owner_client.post(URL, {"step": "map", "batch": batch["token"]})

    assertContains(again, "Upload the file again.")
    assert Job.objects.count() == 5  # a second click imports nothing twice


def test_a_choice_that_no_longer_exists_keeps_step_two_with_an_error(
    owner_client, sliding, catalogue
):
    upload(owner_client, sliding)
    token = owner_client.session[SESSION_KEY]["token"]

    response = owner_client.post(URL, {"step": "map", "batch": token, "source_0": 999_999})

    assertContains(response, "Select a valid choice.")
    assert selects(response) == ["tech_0", "tech_1", "source_0", "type_0"]
    assert not Job.objects.exists()
    assert SESSION_KEY in owner_client.session


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("notes.txt", b"hello", "Upload an .xlsx or .csv file."),
        ("jobs.xlsx", b"not really a workbook", "The .xlsx file could not be read."),
        (
            "jobs.csv",
            b"Job #,Client,Tech\n1,Ana Lima,Mike\n",
            "This doesn&#x27;t look like a Workiz export: no Scheduled, Phone column.",
        ),
    ],
)
def test_an_unreadable_file_shows_why_and_changes_nothing(
    owner_client, sliding, catalogue, name, content, error
):
    response = upload(owner_client, sliding, file=export(name, content))

    assertContains(response, error)
    assertContains(response, 'enctype="multipart/form-data"')  # still step 1
    assert not Job.objects.exists()
    assert SESSION_KEY not in owner_client.session


def test_step_two_without_an_upload_waiting_asks_for_the_file_again(
    owner_client, sliding, catalogue
):
    response = owner_client.post(URL, {"step": "map", "batch": "nothing", "tech_0": ""})

    assertContains(response, "Upload the file again.")
    assertContains(response, 'enctype="multipart/form-data"')
    assert not Job.objects.exists()


def test_step_two_from_an_older_upload_does_not_apply_to_a_newer_one(
    owner_client, sliding, catalogue
):
    upload(owner_client, sliding)
    old_token = owner_client.session[SESSION_KEY]["token"]
    upload(owner_client, sliding)  # the same person uploads again in another tab

    response = owner_client.post(URL, {"step": "map", "batch": old_token})

    assertContains(response, "Upload the file again.")
    assert not Job.objects.exists()
    assert SESSION_KEY in owner_client.session  # the newer upload still waits


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER, Role.PARTNER])
def test_other_roles_cannot_open_or_post_the_import(client, sliding, catalogue, role):
    user = UserFactory(role=role, offices=[sliding], partner_name="gdq")
    client.force_login(user)

    assert client.get(URL).status_code == 403
    assert upload(client, sliding).status_code == 403
    assert client.post(URL, {"step": "map", "batch": "x"}).status_code == 403
    assert not Job.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, sliding):
    response = client.get(URL)

    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_an_admin_whose_offices_all_have_jobs_off_is_sent_home(client):
    office = OfficeFactory(name="Leads Only", is_jobs_enabled=False)
    client.force_login(UserFactory(role=Role.ADMIN, offices=[office]))

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] != URL
