import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from crm.accounts.models import LoginCode, Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"email": email, "password": password, **extra})


def request_code(client, email, capture):
    with capture(execute=True):
        return client.post(reverse("accounts:request_code"), {"email": email})


def emailed_code() -> str:
    return re.search(r"sign-in code is ([A-Z0-9]{6})", mail.outbox[-1].body).group(1)


def enter_code(client, email, code):
    return client.post(reverse("accounts:verify_code"), {"email": email, "code": code})


def test_root_sends_visitors_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")


def test_root_sends_a_signed_in_user_to_their_home_page(client):
    client.force_login(UserFactory(role=Role.AGENT))
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("leads:dashboard")


def test_sign_in_page_offers_password_and_emailed_code(client):
    response = client.get(reverse("accounts:login"))
    assert b"Password" in response.content
    assert b"Email me a code" in response.content


def test_correct_password_signs_in(client):
    user = UserFactory(email="dana@example.com")
    response = sign_in(client, "Dana@Example.com")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(email="dana@example.com")
    response = sign_in(client, "dana@example.com", "not-it")
    assert response.status_code == 400
    assert "Email or password is wrong." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_sign_in_with_a_password(client):
    UserFactory(email="gone@example.com", is_active=False)
    response = sign_in(client, "gone@example.com")
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_sign_in_follows_a_local_next_but_never_an_external_one(client):
    UserFactory(email="dana@example.com")
    assert sign_in(client, "dana@example.com", next="/timeline").url == "/timeline"
    client.logout()
    assert sign_in(client, "dana@example.com", next="https://evil.example/").url == reverse(
        "leads:dashboard"
    )


def test_sign_out_ends_the_session(client):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts:logout"))
    assert response.url == reverse("accounts:login")
    assert client.get(reverse("accounts:directory")).status_code == 302


def test_requested_code_arrives_by_email_and_signs_in_once(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="dana@example.com", first_name="Dana")
    response = request_code(client, "dana@example.com", django_capture_on_commit_callbacks)
    assert "we just emailed it a 6-character code" in response.content.decode()
    assert mail.outbox[-1].to == ["dana@example.com"]
    code = emailed_code()
    assert code not in response.content.decode()  # the code only ever travels by email

    response = enter_code(client, "dana@example.com", code.lower())
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    client.logout()
    response = enter_code(client, "dana@example.com", code)
    assert response.status_code == 400
    assert "wrong or has expired" in response.content.decode()


def test_a_redelivered_code_task_sends_no_second_email(client, django_capture_on_commit_callbacks):
    from crm.accounts.tasks import send_login_code

    UserFactory(email="dana@example.com")
    request_code(client, "dana@example.com", django_capture_on_commit_callbacks)
    send_login_code.delay(LoginCode.objects.get().pk)  # the broker hands it out again
    assert len(mail.outbox) == 1


def test_code_expires_after_ten_minutes(client, django_capture_on_commit_callbacks):
    UserFactory(email="dana@example.com")
    request_code(client, "dana@example.com", django_capture_on_commit_callbacks)
    code = emailed_code()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10, seconds=1)):
        response = enter_code(client, "dana@example.com", code)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_code_still_works_just_before_ten_minutes(client, django_capture_on_commit_callbacks):
    UserFactory(email="dana@example.com")
    request_code(client, "dana@example.com", django_capture_on_commit_callbacks)
    code = emailed_code()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=9, seconds=50)):
        assert enter_code(client, "dana@example.com", code).status_code == 302


def test_five_wrong_tries_kill_the_code(client, django_capture_on_commit_callbacks):
    UserFactory(email="dana@example.com")
    request_code(client, "dana@example.com", django_capture_on_commit_callbacks)
    code = emailed_code()
    wrong = "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"
    for _ in range(5):
        assert enter_code(client, "dana@example.com", wrong).status_code == 400
    assert LoginCode.objects.get().wrong_tries == 5
    response = enter_code(client, "dana@example.com", code)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_new_code_replaces_the_previous_one(client, django_capture_on_commit_callbacks):
    UserFactory(email="dana@example.com")
    request_code(client, "dana@example.com", django_capture_on_commit_callbacks)
    first = emailed_code()
    request_code(client, "dana@example.com", django_capture_on_commit_callbacks)
    second = emailed_code()
    if first != second:
        assert enter_code(client, "dana@example.com", first).status_code == 400
    assert enter_code(client, "dana@example.com", second).status_code == 302


def test_unknown_or_inactive_email_gets_the_same_answer_and_no_email(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="gone@example.com", is_active=False)
    for email in ("nobody@example.com", "gone@example.com"):
        response = request_code(client, email, django_capture_on_commit_callbacks)
        assert response.status_code == 200
        assert "we just emailed it a 6-character code" in response.content.decode()
    assert mail.outbox == []


def test_inactive_user_cannot_redeem_a_code_issued_before_deactivation(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="dana@example.com")
    request_code(client, "dana@example.com", django_capture_on_commit_callbacks)
    code = emailed_code()
    user.is_active = False
    user.save()
    assert enter_code(client, "dana@example.com", code).status_code == 400


def test_code_requests_are_rate_limited_per_email(client, django_capture_on_commit_callbacks):
    UserFactory(email="dana@example.com")
    for _ in range(5):
        assert (
            request_code(client, "dana@example.com", django_capture_on_commit_callbacks).status_code
            == 200
        )
    response = request_code(client, "dana@example.com", django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert len(mail.outbox) == 5


def test_failed_sign_ins_are_rate_limited_per_ip_and_audited_once(client):
    from crm.timeline.models import AuditEvent

    UserFactory(email="dana@example.com")
    for number in range(30):  # a spray: one guess at each of many addresses
        sign_in(client, f"guess{number}@example.com", "guess")
    for _ in range(3):
        response = sign_in(client, "dana@example.com")  # even the right password waits
        assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(kind="auth.rate_limited").count() == 1
    other_ip = client.post(
        reverse("accounts:login"),
        {"email": "dana@example.com", "password": PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )
    assert other_ip.status_code == 302
