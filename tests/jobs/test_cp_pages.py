"""CP → Cancel Reasons, Job Tags and Jobs Settings (Jobs Attentions + Auto Status Change),
driven through the pages the owner uses."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.accounts.models import Role
from crm.timeline.models import AuditEvent
from jobs.models import CancelReason, JobsSettings, JobTag, Status
from tests.factories import (
    CancelReasonFactory,
    JobFactory,
    JobTagFactory,
    OfficeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NON_OWNERS = [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER]


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_owner_adds_edits_and_deletes_a_cancel_reason(owner_client):
    owner_client.post(
        reverse("jobs:cp_cancel_reasons"), {"label": "Client no-show", "sort_order": 2}
    )
    owner_client.post(reverse("jobs:cp_cancel_reasons"), {"label": "Too pricey", "sort_order": 1})
    assert list(CancelReason.objects.values_list("label", flat=True)) == [
        "Too pricey",
        "Client no-show",
    ]
    no_show = CancelReason.objects.get(label="Client no-show")

    page = owner_client.get(reverse("jobs:cp_cancel_reason_edit", args=[no_show.pk]))
    assert 'value="Client no-show"' in page.content.decode()
    owner_client.post(
        reverse("jobs:cp_cancel_reason_edit", args=[no_show.pk]),
        {"label": "Customer no-show", "sort_order": 0},
    )
    no_show.refresh_from_db()
    assert (no_show.label, no_show.sort_order) == ("Customer no-show", 0)
    assert AuditEvent.objects.filter(text="Cancel reason Customer no-show saved").exists()

    page = owner_client.post(
        reverse("jobs:cp_cancel_reason_delete", args=[no_show.pk]), follow=True
    )
    assert "Cancel reason Customer no-show deleted." in page.content.decode()
    assert list(CancelReason.objects.values_list("label", flat=True)) == ["Too pricey"]
    assert reverse("jobs:cp_cancel_reason_edit", args=[no_show.pk]) not in page.content.decode()


def test_a_duplicate_cancel_reason_is_refused_whatever_its_case(owner_client):
    CancelReasonFactory(label="Client no-show")
    page = owner_client.post(
        reverse("jobs:cp_cancel_reasons"), {"label": "CLIENT NO-SHOW", "sort_order": 0}
    )
    assert page.status_code == 200
    assert "A cancel reason named CLIENT NO-SHOW already exists." in page.content.decode()
    assert CancelReason.objects.count() == 1


def test_renaming_a_cancel_reason_onto_another_is_refused(owner_client):
    CancelReasonFactory(label="Client no-show")
    pricey = CancelReasonFactory(label="Too pricey")
    page = owner_client.post(
        reverse("jobs:cp_cancel_reason_edit", args=[pricey.pk]),
        {"label": "client no-show", "sort_order": 0},
    )
    assert "A cancel reason named client no-show already exists." in page.content.decode()
    pricey.refresh_from_db()
    assert pricey.label == "Too pricey"


def test_a_cancel_reason_a_cancelled_job_gives_is_kept(owner_client):
    reason = CancelReasonFactory(label="Client no-show")
    JobFactory(status=Status.CANCELLED, cancel_reason=reason)
    page = owner_client.post(reverse("jobs:cp_cancel_reason_delete", args=[reason.pk]), follow=True)
    assert "Cancelled jobs give Client no-show as their reason: keep it." in (page.content.decode())
    assert CancelReason.objects.filter(pk=reason.pk).exists()


def test_a_delete_posted_by_htmx_redirects_the_page_back_to_the_list(owner_client):
    reason = CancelReasonFactory(label="Client no-show")
    response = owner_client.post(
        reverse("jobs:cp_cancel_reason_delete", args=[reason.pk]),
        headers={"HX-Request": "true"},
    )
    assert response["HX-Redirect"] == reverse("jobs:cp_cancel_reasons")
    assert not CancelReason.objects.exists()


def test_the_delete_buttons_ask_first(owner_client):
    CancelReasonFactory(label="Client no-show")
    JobTagFactory(label="VIP")
    reasons = owner_client.get(reverse("jobs:cp_cancel_reasons")).content.decode()
    tags = owner_client.get(reverse("jobs:cp_job_tags")).content.decode()
    assert 'hx-confirm="Delete the cancel reason Client no-show?"' in reasons
    assert 'hx-confirm="Delete the job tag VIP?"' in tags


def test_owner_adds_edits_and_deletes_a_job_tag(owner_client):
    owner_client.post(reverse("jobs:cp_job_tags"), {"label": "VIP", "color": "#FF0000"})
    vip = JobTag.objects.get()
    assert vip.color == "#ff0000"
    page = owner_client.get(reverse("jobs:cp_job_tags")).content.decode()
    assert '<span class="pill" style="background:#ff0000;color:#fff">VIP</span>' in page

    page = owner_client.get(reverse("jobs:cp_job_tag_edit", args=[vip.pk])).content.decode()
    assert 'type="color"' in page and 'value="#ff0000"' in page
    owner_client.post(
        reverse("jobs:cp_job_tag_edit", args=[vip.pk]), {"label": "Gold VIP", "color": "#eab308"}
    )
    vip.refresh_from_db()
    assert (vip.label, vip.color) == ("Gold VIP", "#eab308")

    job = JobFactory()
    job.tags.add(vip)
    page = owner_client.post(reverse("jobs:cp_job_tag_delete", args=[vip.pk]), follow=True)
    assert "Job tag Gold VIP deleted." in page.content.decode()
    assert not JobTag.objects.exists()
    assert not job.tags.exists()


def test_a_duplicate_job_tag_is_refused_whatever_its_case(owner_client):
    JobTagFactory(label="VIP", color="#ff0000")
    page = owner_client.post(reverse("jobs:cp_job_tags"), {"label": "vip", "color": "#00ff00"})
    assert "A tag named vip already exists." in page.content.decode()
    assert list(JobTag.objects.values_list("label", "color")) == [("VIP", "#ff0000")]


def test_a_job_tag_colour_that_is_not_hex_is_refused(owner_client):
    page = owner_client.post(reverse("jobs:cp_job_tags"), {"label": "VIP", "color": "red"})
    assert "Pick the tag&#x27;s colour as #rrggbb." in page.content.decode()
    assert not JobTag.objects.exists()


def test_owner_saves_attention_hours_and_the_auto_status_offices(owner_client):
    garage, sliding = OfficeFactory(name="Garage"), OfficeFactory(name="Sliding")
    OfficeFactory(name="Windows")
    page = owner_client.get(reverse("jobs:cp_jobs_settings")).content.decode()
    assert "Jobs Attentions" in page and "Auto Status Change" in page
    assert "Submitted → In Progress" in page
    assert 'min="1" max="168"' in page

    response = owner_client.post(
        reverse("jobs:cp_jobs_settings"),
        {
            "ask_for_update_hours": "6",
            "auto_advance_enabled": "on",
            "auto_advance_offices": [garage.pk, sliding.pk],
        },
        follow=True,
    )
    jobs_settings = JobsSettings.load()
    assert jobs_settings.ask_for_update_hours == 6
    assert jobs_settings.auto_advance_enabled
    assert set(jobs_settings.auto_advance_offices.all()) == {garage, sliding}
    assert AuditEvent.objects.get(kind="settings.changed").text == (
        "Jobs settings: ask for update after 6 h; auto status change on (Garage, Sliding)"
    )
    page = response.content.decode()
    assert 'value="6"' in page
    ticked = re.findall(
        r'<input type="checkbox" name="(\w+)" (?:value="(\d+)" )?[^>]*checked', page
    )
    assert ticked == [
        ("auto_advance_enabled", ""),
        ("auto_advance_offices", str(garage.pk)),
        ("auto_advance_offices", str(sliding.pk)),
    ]

    # Unticking everything turns the rule off and clears its offices.
    owner_client.post(reverse("jobs:cp_jobs_settings"), {"ask_for_update_hours": "6"})
    jobs_settings = JobsSettings.load()
    assert not jobs_settings.auto_advance_enabled
    assert not jobs_settings.auto_advance_offices.exists()


@pytest.mark.parametrize("hours", ["0", "169", "-1", "abc", ""])
def test_bad_attention_hours_are_refused_and_change_nothing(owner_client, hours):
    office = OfficeFactory(name="Sliding")
    page = owner_client.post(
        reverse("jobs:cp_jobs_settings"),
        {
            "ask_for_update_hours": hours,
            "auto_advance_enabled": "on",
            "auto_advance_offices": [office.pk],
        },
    )
    assert page.status_code == 200
    assert 'class="errorlist' in page.content.decode()
    jobs_settings = JobsSettings.load()
    assert jobs_settings.ask_for_update_hours == 4
    assert not jobs_settings.auto_advance_enabled
    assert not jobs_settings.auto_advance_offices.exists()
    assert not AuditEvent.objects.filter(kind="settings.changed").exists()


@pytest.mark.parametrize("role", NON_OWNERS)
def test_the_job_settings_pages_are_owner_only(client, role):
    client.force_login(UserFactory(role=role, partner_name="GDQ"))
    office = OfficeFactory(name="Sliding")
    reason = CancelReasonFactory(label="Client no-show")
    tag = JobTagFactory(label="VIP", color="#ff0000")
    posts = [
        (reverse("jobs:cp_cancel_reasons"), {"label": "Too pricey", "sort_order": 0}),
        (reverse("jobs:cp_cancel_reason_edit", args=[reason.pk]), {"label": "X", "sort_order": 0}),
        (reverse("jobs:cp_cancel_reason_delete", args=[reason.pk]), {}),
        (reverse("jobs:cp_job_tags"), {"label": "Gold", "color": "#eab308"}),
        (reverse("jobs:cp_job_tag_edit", args=[tag.pk]), {"label": "X", "color": "#000000"}),
        (reverse("jobs:cp_job_tag_delete", args=[tag.pk]), {}),
        (
            reverse("jobs:cp_jobs_settings"),
            {
                "ask_for_update_hours": "9",
                "auto_advance_enabled": "on",
                "auto_advance_offices": [office.pk],
            },
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    for url_name in ("jobs:cp_cancel_reasons", "jobs:cp_job_tags", "jobs:cp_jobs_settings"):
        assert client.get(reverse(url_name)).status_code == 403

    assert list(CancelReason.objects.values_list("label", flat=True)) == ["Client no-show"]
    assert list(JobTag.objects.values_list("label", "color")) == [("VIP", "#ff0000")]
    jobs_settings = JobsSettings.load()
    assert jobs_settings.ask_for_update_hours == 4 and not jobs_settings.auto_advance_enabled
    assert not jobs_settings.auto_advance_offices.exists()
    assert not AuditEvent.objects.filter(kind="settings.changed").exists()


@pytest.mark.parametrize(
    ("url_name", "make_row"),
    [
        ("jobs:cp_cancel_reasons", lambda: CancelReasonFactory()),
        ("jobs:cp_job_tags", lambda: JobTagFactory()),
    ],
)
def test_the_list_pages_cost_the_same_queries_however_many_rows(owner_client, url_name, make_row):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert owner_client.get(reverse(url_name)).status_code == 200
        return len(context)

    make_row()
    one_row = queries()
    for _ in range(3):
        make_row()
    assert queries() == one_row


def test_the_cp_landing_offers_the_three_job_settings_tiles(owner_client):
    page = owner_client.get(reverse("controlpanel:index")).content.decode()
    for title, url_name in (
        ("Cancel Reasons", "jobs:cp_cancel_reasons"),
        ("Job Tags", "jobs:cp_job_tags"),
        ("Jobs Settings", "jobs:cp_jobs_settings"),
    ):
        assert title in page
        assert f'href="{reverse(url_name)}"' in page
