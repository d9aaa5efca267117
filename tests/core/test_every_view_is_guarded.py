"""Every URL of the app needs a signed-in user, except the few that are public by design."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from crm.accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PUBLIC = {
    "/",
    "/login",
    "/login/code",
    "/login/code/verify",
    "/logout",
    "/api/last-change",
    "/healthz",
}
# Partner webhooks authenticate with the webhook secret or a source token, not a session.
WEBHOOKS = {
    "/webhook/leads",
    "/webhook/facebook",
    "/webhook/s/<str:token>",
    # SMS providers: CTM by the token in its URL, Twilio by its request signature.
    "/webhook/ctm/sms/<str:token>",
    "/webhook/twilio/sms",
}
# The online booking widget customers use on other websites, and its images.
BOOKING_WIDGET = {"/book/<slug:slug>", "/book/img/<str:digest>"}


def all_paths(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from all_paths(pattern, route)
        elif isinstance(pattern, URLPattern) and not route.startswith("static"):
            yield "/" + re.sub(r"<int:\w+>", "1", route)


PRIVATE = sorted(set(all_paths()) - PUBLIC - WEBHOOKS - BOOKING_WIDGET)


def test_the_walk_finds_the_private_pages():
    assert "/timeline" in PRIVATE
    assert "/cp/users" in PRIVATE


@pytest.mark.parametrize("path", PRIVATE)
def test_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/login?next=")


@pytest.mark.parametrize("path", [path for path in PRIVATE if path.startswith("/cp/")])
@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER]
)
def test_control_panel_pages_are_owner_only(client, path, role):
    client.force_login(UserFactory(role=role, partner_name="GDQ"))
    assert client.get(path).status_code == 403
    assert client.post(path).status_code == 403


def test_last_change_tells_visitors_to_sign_in(client):
    response = client.get("/api/last-change")
    assert response.status_code == 401
    assert response.json() == {"status": "error", "error": "Sign in first."}
