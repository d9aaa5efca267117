import pytest
from django.urls import reverse
from django.utils.html import escape

from contractors.models import JobPartner, JobType
from crm.accounts.models import Role
from crm.timeline.models import AuditEvent
from tests.factories import (
    ContractorFactory,
    JobFactory,
    JobPartnerFactory,
    JobTypeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.mark.parametrize("url_name", ["contractors:cp_job_types", "contractors:cp_job_partners"])
@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER]
)
def test_job_settings_are_owner_only(client, url_name, role):
    client.force_login(UserFactory(role=role, partner_name="GDQ"))
    assert client.get(reverse(url_name)).status_code == 403
    assert (
        client.post(
            reverse(url_name), {"label": "X", "name": "X", "sort_order": 1, "keep_rate": 1}
        ).status_code
        == 403
    )


def test_owner_adds_renames_and_orders_job_types(owner_client):
    owner_client.post(
        reverse("contractors:cp_job_types"), {"label": "Sliding Door", "sort_order": 2}
    )
    owner_client.post(
        reverse("contractors:cp_job_types"), {"label": "Garage Door", "sort_order": 1}
    )
    sliding = JobType.objects.get(label="Sliding Door")
    owner_client.post(
        reverse("contractors:cp_job_type_edit", args=[sliding.pk]),
        {"label": "Patio Door", "sort_order": 3},
    )
    assert list(JobType.objects.values_list("label", flat=True)) == ["Garage Door", "Patio Door"]
    assert AuditEvent.objects.filter(
        kind="settings.changed", text="Job type Patio Door saved (was Sliding Door)"
    ).exists()
    page = owner_client.get(
        reverse("contractors:cp_job_type_edit", args=[sliding.pk])
    ).content.decode()
    assert 'value="Patio Door"' in page


def test_a_duplicate_job_type_is_refused(owner_client):
    JobTypeFactory(label="Garage Door")
    page = owner_client.post(
        reverse("contractors:cp_job_types"), {"label": "garage door", "sort_order": 0}
    )
    assert "A job type named garage door already exists." in page.content.decode()
    assert JobType.objects.count() == 1


def test_a_job_type_in_use_cannot_be_deleted(owner_client):
    garage = JobTypeFactory(label="Garage Door")
    ContractorFactory(job_types=[garage])
    page = owner_client.post(
        reverse("contractors:cp_job_type_delete", args=[garage.pk]), follow=True
    )
    assert "Garage Door is used by 1 contractor" in page.content.decode()
    assert JobType.objects.filter(pk=garage.pk).exists()


def test_a_job_type_that_jobs_use_cannot_be_deleted(owner_client):
    garage = JobTypeFactory(label="Garage Door")
    JobFactory.create_batch(3, job_type=garage)
    page = owner_client.post(
        reverse("contractors:cp_job_type_delete", args=[garage.pk]), follow=True
    )
    assert page.status_code == 200
    assert escape("Garage Door is used by 3 jobs: it can't be deleted.") in page.content.decode()
    assert JobType.objects.filter(pk=garage.pk).exists()
    assert not AuditEvent.objects.filter(kind="settings.changed").exists()


def test_a_job_partner_that_jobs_use_cannot_be_deleted(owner_client):
    gdq = JobPartnerFactory(name="GDQ")
    JobFactory(source=gdq)
    page = owner_client.post(
        reverse("contractors:cp_job_partner_delete", args=[gdq.pk]), follow=True
    )
    assert page.status_code == 200
    assert escape("GDQ is used by 1 job: it can't be deleted.") in page.content.decode()
    assert JobPartner.objects.filter(pk=gdq.pk).exists()
    assert not AuditEvent.objects.filter(kind="settings.changed").exists()


def test_owner_manages_job_partners_and_keep_rates(owner_client):
    owner_client.post(reverse("contractors:cp_job_partners"), {"name": "GDQ", "keep_rate": "35.50"})
    gdq = JobPartner.objects.get()
    assert str(gdq.keep_rate) == "35.50"
    page = owner_client.post(
        reverse("contractors:cp_job_partners"), {"name": "Raful", "keep_rate": "101"}
    )
    assert "Ensure this value is less than or equal to 100." in page.content.decode()
    page = owner_client.post(
        reverse("contractors:cp_job_partners"), {"name": "gdq", "keep_rate": "10"}
    )
    assert "A job partner named gdq already exists." in page.content.decode()
    owner_client.post(reverse("contractors:cp_job_partner_delete", args=[gdq.pk]))
    assert not JobPartner.objects.exists()


def test_the_cp_landing_now_offers_both_tiles(owner_client):
    page = owner_client.get(reverse("controlpanel:index")).content.decode()
    assert "Job Types" in page and "Job Partners" in page
