"""CP → Job Partners → 👤 Partner logins: the owner makes, deactivates and re-sends the
sign-in link of a partner's logins; a partner login signs in with an emailed code."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from contractors.models import JobPartner
from crm.accounts.models import LoginCode, Role, User
from crm.timeline.models import AuditEvent
from tests.factories import JobPartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gdq(db):
    return JobPartnerFactory(name="GDQ Leads")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def logins_url(partner) -> str:
    return reverse("contractors:cp_partner_logins", args=[partner.pk])


def add_login(client, partner, capture, **overrides):
    data = {"first_name": "Gus", "last_name": "Quinn", "email": "Gus@GDQ-Leads.com"}
    with capture(execute=True):
        return client.post(logins_url(partner), {**data, **overrides})


def emailed_link() -> str:
    return re.search(r"Sign in here: (\S+)", mail.outbox[-1].body).group(1)


def test_the_job_partners_list_leads_to_each_partners_logins(owner_client, gdq):
    UserFactory(role=Role.PARTNER, partner_name="GDQ Leads")
    page = owner_client.get(reverse("contractors:cp_job_partners")).content.decode()
    assert f'href="{logins_url(gdq)}"' in page
    assert "👤 Partner logins (1)" in page


def test_owner_adds_a_login_that_is_emailed_its_link_and_signs_in_with_a_code(
    owner_client, gdq, client, django_capture_on_commit_callbacks
):
    response = add_login(owner_client, gdq, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    gus = User.objects.get(email="gus@gdq-leads.com")
    assert (gus.role, gus.partner, gus.offices.count()) == (Role.PARTNER, gdq, 0)
    assert not gus.has_usable_password()
    assert mail.outbox[-1].to == ["gus@gdq-leads.com"]
    assert "GDQ Leads" in mail.outbox[-1].body
    link = emailed_link()
    assert link == "http://testserver/login?mode=code&email=gus%40gdq-leads.com"
    assert AuditEvent.objects.filter(kind="user.sign_in_link_sent").count() == 1
    page = owner_client.get(logins_url(gdq)).content.decode()
    assert "Gus Quinn" in page and "gus@gdq-leads.com" in page and "never" in page

    # The link opens the code form with the email filled in; the code signs them in.
    owner_client.logout()
    sign_in_page = client.get(link).content.decode()
    assert 'value="gus@gdq-leads.com"' in sign_in_page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:request_code"), {"email": "gus@gdq-leads.com"})
    code = re.search(r"sign-in code is ([A-Z0-9]{6})", mail.outbox[-1].body).group(1)
    response = client.post(
        reverse("accounts:verify_code"), {"email": "gus@gdq-leads.com", "code": code}
    )
    assert response.status_code == 302
    assert client.get(reverse("leads:dashboard")).status_code == 200


def test_a_taken_email_is_refused_on_the_form_and_nothing_is_made(
    owner_client, gdq, django_capture_on_commit_callbacks
):
    UserFactory(email="gus@gdq-leads.com")
    response = add_login(owner_client, gdq, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert not gdq.logins.exists()
    assert mail.outbox == []


def test_a_blank_name_and_a_bad_email_show_both_errors(
    owner_client, gdq, django_capture_on_commit_callbacks
):
    response = add_login(
        owner_client, gdq, django_capture_on_commit_callbacks, first_name="", email="not-an-email"
    )
    page = response.content.decode()
    assert "This field is required." in page and "Enter a valid email address." in page
    assert not User.objects.filter(role=Role.PARTNER).exists()


def test_deactivating_blocks_sign_in_and_reactivating_restores_it(owner_client, gdq, client):
    gus = UserFactory(role=Role.PARTNER, partner_name="GDQ Leads", email="gus@gdq-leads.com")
    url = reverse("contractors:cp_partner_login_active", args=[gdq.pk, gus.pk])

    owner_client.post(url, {"active": "0"})
    gus.refresh_from_db()
    assert not gus.is_active
    response = client.post(
        reverse("accounts:login"),
        {"email": "gus@gdq-leads.com", "password": "correct-horse-battery"},
    )
    assert response.status_code == 400
    page = owner_client.get(logins_url(gdq)).content.decode()
    assert "deactivated" in page and "Reactivate" in page and "Send sign-in link" not in page

    owner_client.post(url, {"active": "1"})
    gus.refresh_from_db()
    assert gus.is_active
    assert AuditEvent.objects.filter(kind="user.updated").count() == 2


def test_send_sign_in_link_emails_it_again(owner_client, gdq, django_capture_on_commit_callbacks):
    gus = UserFactory(role=Role.PARTNER, partner_name="GDQ Leads", email="gus@gdq-leads.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("contractors:cp_partner_login_link", args=[gdq.pk, gus.pk]), follow=True
        )
    assert "Sign-in link sent to gus@gdq-leads.com." in response.content.decode()
    assert mail.outbox[-1].to == ["gus@gdq-leads.com"]
    assert not LoginCode.objects.exists()  # the link carries no secret


def test_a_redelivered_sign_in_link_task_sends_no_second_email(gdq):
    from crm.accounts.tasks import send_sign_in_link

    gus = UserFactory(role=Role.PARTNER, partner_name="GDQ Leads")
    for _ in range(2):  # the broker hands the same task out again
        send_sign_in_link.apply(args=[gus.pk, "http://testserver/login"], task_id="t-1")
    assert len(mail.outbox) == 1


def test_staff_users_are_not_managed_from_a_partners_page(owner_client, gdq):
    agent = UserFactory(role=Role.AGENT)
    url = reverse("contractors:cp_partner_login_active", args=[gdq.pk, agent.pk])
    assert owner_client.post(url, {"active": "0"}).status_code == 404
    agent.refresh_from_db()
    assert agent.is_active


def test_a_login_of_another_partner_is_not_reachable_through_this_one(owner_client, gdq):
    raful = UserFactory(role=Role.PARTNER, partner_name="Raful")
    url = reverse("contractors:cp_partner_login_link", args=[gdq.pk, raful.pk])
    assert owner_client.post(url).status_code == 404


@pytest.mark.parametrize("role", [r for r in Role if r != Role.OWNER])
def test_only_the_owner_manages_partner_logins(client, gdq, role):
    gus = UserFactory(role=Role.PARTNER, partner_name="GDQ Leads")
    client.force_login(UserFactory(role=role, partner_name="Raful"))
    assert client.get(logins_url(gdq)).status_code == 403
    assert client.post(logins_url(gdq), {"first_name": "X", "email": "x@x.com"}).status_code == 403
    active = reverse("contractors:cp_partner_login_active", args=[gdq.pk, gus.pk])
    assert client.post(active, {"active": "0"}).status_code == 403
    link = reverse("contractors:cp_partner_login_link", args=[gdq.pk, gus.pk])
    assert client.post(link).status_code == 403
    gus.refresh_from_db()
    assert gus.is_active and gdq.logins.count() == 1 and mail.outbox == []


@pytest.mark.parametrize("role", [r for r in Role if r != Role.OWNER])
def test_the_actions_refuse_anyone_but_the_owner(gdq, role):
    from django.core.exceptions import PermissionDenied

    from crm.accounts import services

    actor = UserFactory(role=role, partner_name="Raful")
    gus = UserFactory(role=Role.PARTNER, partner_name="GDQ Leads")
    with pytest.raises(PermissionDenied):
        services.set_partner_login_active(actor=actor, user=gus, active=False)
    with pytest.raises(PermissionDenied):
        services.send_sign_in_link(actor=actor, user=gus, sign_in_url="http://x/login")
    with pytest.raises(PermissionDenied):
        services.create_partner_login(
            actor=actor, partner=gdq, email="a@b.com", first_name="A", sign_in_url="http://x"
        )


def test_a_partner_with_logins_is_not_deleted_from_under_them(owner_client, gdq):
    UserFactory(role=Role.PARTNER, partner_name="GDQ Leads")
    response = owner_client.post(
        reverse("contractors:cp_job_partner_delete", args=[gdq.pk]), follow=True
    )
    assert "has 1 partner login" in response.content.decode()
    assert JobPartner.objects.filter(pk=gdq.pk).exists()
