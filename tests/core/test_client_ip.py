"""The visitor's address behind zero or more trusted proxies: what every limiter counts."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from crm.http import client_ip
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def request_from(remote: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def test_without_a_proxy_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


def test_behind_one_proxy_the_address_it_appended_is_the_visitor(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The visitor wrote "1.2.3.4" themselves; Caddy appended the address it saw.
    request = request_from("172.18.0.5", "1.2.3.4, 198.51.100.20")
    assert client_ip(request) == "198.51.100.20"


def test_behind_two_proxies_the_second_hop_from_the_right_is_the_visitor(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = request_from("10.0.0.2", "1.2.3.4, 198.51.100.20, 10.0.0.1")
    assert client_ip(request) == "198.51.100.20"


def test_a_request_that_skipped_the_proxy_is_counted_by_its_own_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("172.18.0.9")) == "172.18.0.9"
    assert client_ip(request_from("172.18.0.9", " , ")) == "172.18.0.9"


def exhaust_sign_in_attempts(client, **headers):
    UserFactory(email="dana@example.com")
    url = reverse("accounts:login")
    for number in range(30):  # one guess at each of many addresses: only the IP limit trips
        email = f"guess{number}@example.com"
        client.post(url, {"email": email, "password": "guess"}, headers=headers)


def test_a_spoofed_forwarded_header_does_not_escape_the_sign_in_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    exhaust_sign_in_attempts(client, **{"X-Forwarded-For": "1.1.1.1"})
    response = client.post(
        reverse("accounts:login"),
        {"email": "dana@example.com", "password": PASSWORD},
        headers={"X-Forwarded-For": "9.9.9.9"},
    )
    assert response.status_code == 429


def test_behind_the_proxy_one_locked_out_visitor_does_not_lock_out_the_office(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # Everyone arrives from the proxy's address; only the hop it appended differs.
    exhaust_sign_in_attempts(client, **{"X-Forwarded-For": "198.51.100.20"})
    url = reverse("accounts:login")
    form = {"email": "dana@example.com", "password": PASSWORD}
    locked = client.post(url, form, headers={"X-Forwarded-For": "9.9.9.9, 198.51.100.20"})
    assert locked.status_code == 429
    colleague = client.post(url, form, headers={"X-Forwarded-For": "198.51.100.21"})
    assert colleague.status_code == 302
