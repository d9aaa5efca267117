"""The endpoint actions (automations.webhooks.endpoints): owner only, audited, URLs and
variables checked at save, a new secret for each new endpoint, rotation keeps the old key."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from automations.webhooks import endpoints
from automations.webhooks.models import Endpoint, PayloadType, Slot
from crm.accounts.models import Role
from crm.errors import DomainError
from crm.timeline.models import AuditEvent
from tests.factories import JobPartnerFactory, UserFactory

PUBLIC = "https://93.184.216.34/hook"  # an address literal: nothing is looked up
OTHER_ROLES = [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER]


@pytest.fixture
def strict(settings):
    """The SSRF rules on (the suite lifts them for its local receivers)."""
    settings.WEBHOOK_ALLOW_PRIVATE = False


def fan_out(owner, **overrides):
    values = {"slot": Slot.NEW_LEAD, "name": "Garage", "url": PUBLIC}
    return endpoints.add_fan_out(actor=owner, **{**values, **overrides})


def test_the_owner_sets_changes_and_clears_a_main_url(owner, strict):
    endpoint = endpoints.save_main_url(actor=owner, slot=Slot.DONE, url=f" {PUBLIC} ")
    assert (endpoint.slot, endpoint.is_main, endpoint.url) == (Slot.DONE, True, PUBLIC)
    assert endpoint.secret.startswith("whsec_")
    secret = endpoint.secret
    changed = endpoints.save_main_url(actor=owner, slot=Slot.DONE, url=PUBLIC + "/v2")
    assert changed.pk == endpoint.pk and changed.url == PUBLIC + "/v2"
    assert changed.secret == secret  # a new URL keeps the endpoint's key
    assert endpoints.save_main_url(actor=owner, slot=Slot.DONE, url="") is None
    assert not Endpoint.objects.exists()
    kinds = list(AuditEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["webhook.added", "webhook.changed", "webhook.removed"]
    assert all(secret not in text for text in AuditEvent.objects.values_list("text", flat=True))


def test_expected_completion_has_no_main_url(owner):
    with pytest.raises(DomainError, match="fan-out"):
        endpoints.save_main_url(actor=owner, slot=Slot.EXPECTED_COMPLETION, url=PUBLIC)


def test_bookback_jobs_url_is_the_main_url_of_its_slot(owner):
    endpoint = endpoints.set_bookback_jobs_url(actor=owner, url=PUBLIC)
    assert (endpoint.slot, endpoint.is_main) == (Slot.BOOKBACK_JOBS, True)
    with pytest.raises(DomainError):
        fan_out(owner, slot=Slot.BOOKBACK_JOBS)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://93.184.216.34/x", "Only http:// and https:// URLs"),
        ("not a url", "Only http:// and https:// URLs"),
        ("https://93.184.216.34:99999/", "not valid"),
        ("https://exa mple.com/", "could not be found"),
        ("http://10.0.0.5/hook", "10.0.0.5 is a private address"),
        ("http://127.0.0.1:8000/hook", "127.0.0.1 is a loopback address"),
        ("http://169.254.169.254/latest", "link-local"),
        ("http://localhost:8000/hook", "localhost resolves to"),
    ],
)
def test_bad_urls_and_private_targets_are_refused_with_the_reason(owner, strict, url, reason):
    with pytest.raises(DomainError, match=re.escape(reason)):
        endpoints.save_main_url(actor=owner, slot=Slot.NEW_LEAD, url=url)
    with pytest.raises(DomainError, match=re.escape(reason)):
        fan_out(owner, url=url)
    assert not Endpoint.objects.exists()


def test_a_fan_out_keeps_its_builder_filters_and_basic_auth(owner, office):
    partner = JobPartnerFactory(name="GDQ")
    endpoint = fan_out(
        owner,
        payload_type=PayloadType.FORM,
        data=[["name", "{{FirstName}} {{LastName}}"], ["", ""], ["static", "yes"]],
        headers=[["X-Office", "{{Office}}"]],
        basic_auth="zap:hunter2",
        offices=[office],
        partners=[partner],
    )
    endpoint.refresh_from_db()
    assert endpoint.data == [["name", "{{FirstName}} {{LastName}}"], ["static", "yes"]]
    assert endpoint.headers == [["X-Office", "{{Office}}"]]
    assert endpoint.basic_auth == "zap:hunter2"
    assert list(endpoint.offices.all()) == [office]
    assert list(endpoint.partners.all()) == [partner]
    assert endpoint.secret.startswith("whsec_")
    assert "hunter2" not in " ".join(AuditEvent.objects.values_list("text", flat=True))
    # Stored encrypted: the column never holds the password in clear.
    with connection.cursor() as cursor:
        table = Endpoint._meta.db_table
        cursor.execute(f"SELECT basic_auth FROM {table} WHERE id = %s", [endpoint.pk])
        stored = cursor.fetchone()[0]
    assert stored and "hunter2" not in stored


def test_an_edit_keeps_clears_or_replaces_basic_auth(owner):
    endpoint = fan_out(owner, basic_auth="zap:one")
    common = {"actor": owner, "endpoint": endpoint, "name": "Garage", "url": PUBLIC}
    endpoints.update_fan_out(**common, basic_auth=None)
    assert Endpoint.objects.get().basic_auth == "zap:one"
    endpoints.update_fan_out(**common, basic_auth="zap:two")
    assert Endpoint.objects.get().basic_auth == "zap:two"
    endpoints.update_fan_out(**common, basic_auth="")
    assert Endpoint.objects.get().basic_auth == ""
    with pytest.raises(DomainError, match="username:password"):
        endpoints.update_fan_out(**common, basic_auth="no-colon")


def test_unknown_variables_are_refused_by_name(owner):
    with pytest.raises(DomainError, match=r"Unknown variables: \{\{Nmae\}\}, \{\{Zip\}\}"):
        fan_out(owner, data=[["name", "{{Nmae}}"]], headers=[["X-Zip", "{{Zip}}"]])
    with pytest.raises(DomainError, match=r"\{\{Bogus\}\}"):
        fan_out(owner, payload_type=PayloadType.RAW, raw_body='{"a": "{{Bogus}}"}')
    assert not Endpoint.objects.exists()
    endpoint = fan_out(owner, payload_type=PayloadType.RAW, raw_body='{"p": "{{Phone}}"}')
    assert endpoint.raw_body == '{"p": "{{Phone}}"}'


def test_toggle_delete_and_rotate(owner):
    endpoint = fan_out(owner)
    endpoints.set_enabled(actor=owner, endpoint=endpoint, enabled=False)
    assert not Endpoint.objects.get().enabled
    old = endpoint.secret
    new = endpoints.rotate_secret(actor=owner, endpoint=endpoint)
    endpoint.refresh_from_db()
    assert new != old and endpoint.secret == new and endpoint.previous_secret == old
    assert endpoint.rotated_at is not None
    endpoints.delete_fan_out(actor=owner, endpoint=endpoint)
    assert not Endpoint.objects.exists()
    assert AuditEvent.objects.filter(kind="webhook.secret_rotated").count() == 1


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_other_role_is_refused_and_nothing_changes(owner, role):
    endpoint = fan_out(owner)
    main = endpoints.save_main_url(actor=owner, slot=Slot.JOBS, url=PUBLIC)
    before = AuditEvent.objects.count()
    other = UserFactory(role=role, partner_name="GDQ")
    actions = [
        lambda: endpoints.save_main_url(actor=other, slot=Slot.JOBS, url=PUBLIC + "/x"),
        lambda: endpoints.set_bookback_jobs_url(actor=other, url=PUBLIC),
        lambda: fan_out(other),
        lambda: endpoints.update_fan_out(
            actor=other, endpoint=endpoint, name="Hijacked", url=PUBLIC
        ),
        lambda: endpoints.set_enabled(actor=other, endpoint=endpoint, enabled=False),
        lambda: endpoints.delete_fan_out(actor=other, endpoint=endpoint),
        lambda: endpoints.rotate_secret(actor=other, endpoint=main),
    ]
    for action in actions:
        with pytest.raises(PermissionDenied):
            action()
    assert Endpoint.objects.count() == 2
    endpoint.refresh_from_db()
    main.refresh_from_db()
    assert (endpoint.name, endpoint.enabled, main.url) == ("Garage", True, PUBLIC)
    assert AuditEvent.objects.count() == before
