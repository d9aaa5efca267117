"""Sign-in throttling: only failures count against an IP; failed passwords pause an account."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from crm.accounts.models import Role
from crm.timeline.models import AuditEvent
from tests.accounts.test_sign_in import emailed_code, enter_code, request_code
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

OWNER = "owner@example.com"
OFFICE_IP = "198.51.100.10"
PAUSED = (
    "Too many failed attempts for this account. Password sign-in is paused for 15 minutes; "
    "use “Email me a code” instead."
)


def sign_in_from(client, ip, email, password=PASSWORD):
    return client.post(
        reverse("accounts:login"), {"email": email, "password": password}, REMOTE_ADDR=ip
    )


def guess_from_three_ips(client, email, times):
    """Wrong passwords for `email` from 3 addresses in turn; the last answer."""
    for number in range(times):
        response = sign_in_from(client, f"203.0.113.{number % 3 + 1}", email, "guess")
    return response


def page_text(response) -> str:
    """The page without its CSRF tokens (64 characters), which differ on every render."""
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())


def pauses() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT_PAUSED).order_by("pk"))


def test_a_shift_of_thirty_agents_behind_one_office_ip_all_sign_in(client):
    for number in range(30):
        email = f"agent{number}@example.com"
        UserFactory(role=Role.AGENT, email=email)
        assert sign_in_from(client, OFFICE_IP, email).status_code == 302
        client.logout()
    # The shift's first typo gets the ordinary answer, not a lockout.
    typo = sign_in_from(client, OFFICE_IP, "agent0@example.com", "typo")
    assert typo.status_code == 400
    assert "Email or password is wrong." in typo.content.decode()
    assert sign_in_from(client, OFFICE_IP, "agent0@example.com").status_code == 302


def test_ten_failed_passwords_from_three_ips_pause_the_account_everywhere(client):
    UserFactory(role=Role.OWNER, email=OWNER)
    # However the address is typed, it is one account.
    spellings = [OWNER, "Owner@Example.com", " OWNER@example.com "]
    for number in range(9):
        ip = f"203.0.113.{number % 3 + 1}"
        assert sign_in_from(client, ip, spellings[number % 3], "guess").status_code == 400
    tenth = sign_in_from(client, "203.0.113.1", OWNER, "guess")
    assert tenth.status_code == 429
    assert PAUSED in tenth.content.decode()

    right = sign_in_from(client, "192.0.2.50", OWNER)  # the right password, from a fresh IP
    wrong = sign_in_from(client, "192.0.2.50", OWNER, "another guess")
    assert right.status_code == wrong.status_code == 429
    assert PAUSED in right.content.decode()
    assert page_text(right) == page_text(wrong)  # nothing tells that the password was right
    assert "_auth_user_id" not in client.session


def test_the_emailed_code_still_signs_a_paused_account_in(
    client, django_capture_on_commit_callbacks
):
    owner = UserFactory(role=Role.OWNER, email=OWNER)
    guess_from_three_ips(client, OWNER, 10)
    assert sign_in_from(client, OFFICE_IP, OWNER).status_code == 429

    sent = request_code(client, OWNER, django_capture_on_commit_callbacks)
    assert "we just emailed it a 6-character code" in sent.content.decode()
    response = enter_code(client, OWNER, emailed_code())
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_password_sign_in_comes_back_after_fifteen_minutes(client):
    UserFactory(role=Role.OWNER, email=OWNER)
    guess_from_three_ips(client, OWNER, 10)
    paused_at = timezone.now()
    with time_machine.travel(paused_at + datetime.timedelta(minutes=14, seconds=50)):
        assert sign_in_from(client, OFFICE_IP, OWNER).status_code == 429
    with time_machine.travel(paused_at + datetime.timedelta(minutes=15, seconds=1)):
        # The pause used up the failures behind it: one typo is just a typo again.
        typo = sign_in_from(client, OFFICE_IP, OWNER, "typo")
        assert typo.status_code == 400
        assert "Email or password is wrong." in typo.content.decode()
        assert sign_in_from(client, OFFICE_IP, OWNER).status_code == 302


def test_ten_failures_either_side_of_a_quarter_hour_still_pause_the_account(client):
    UserFactory(role=Role.OWNER, email=OWNER)
    quarter_hour = datetime.datetime(2030, 1, 7, 15, 0, tzinfo=datetime.UTC)
    with time_machine.travel(quarter_hour - datetime.timedelta(minutes=1)):
        assert guess_from_three_ips(client, OWNER, 5).status_code == 400
    with time_machine.travel(quarter_hour + datetime.timedelta(minutes=1)):
        assert guess_from_three_ips(client, OWNER, 4).status_code == 400
        assert sign_in_from(client, OFFICE_IP, OWNER, "guess").status_code == 429
        assert sign_in_from(client, OFFICE_IP, OWNER).status_code == 429


def test_each_pause_is_audited_once_for_the_owner(client):
    UserFactory(role=Role.OWNER, email=OWNER)
    guess_from_three_ips(client, OWNER, 10)
    for _ in range(5):  # refused attempts during the pause add no entries
        sign_in_from(client, OFFICE_IP, OWNER, "guess")
        sign_in_from(client, OFFICE_IP, OWNER)
    [entry] = pauses()
    assert OWNER in entry.text
    assert entry.actor_label == "System"
    assert entry.metadata["email"] == OWNER

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=15, seconds=1)):
        guess_from_three_ips(client, OWNER, 10)
    assert len(pauses()) == 2


def test_an_address_without_an_account_is_paused_the_same_way(client):
    UserFactory(role=Role.OWNER, email=OWNER)
    answers = {}
    for email in (OWNER, "nobody@example.com"):
        responses = [
            sign_in_from(client, f"203.0.113.{number % 3 + 1}", email, "guess")
            for number in range(11)
        ]
        answers[email] = [response.status_code for response in responses]
        assert PAUSED in responses[-1].content.decode()
    assert answers[OWNER] == answers["nobody@example.com"] == [400] * 9 + [429, 429]
    assert [entry.metadata["has_account"] for entry in pauses()] == [True, False]
