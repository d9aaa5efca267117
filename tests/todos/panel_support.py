"""What the 📋 panel's view tests share: a fixed clock (midday in New York) and a client
signed in as someone, talking HTMX."""

import datetime

import pytest
import time_machine

HTMX = {"HX-Request": "true"}
NOON = datetime.datetime(2026, 5, 1, 16, 0, tzinfo=datetime.UTC)  # 12:00 PM EDT, a Friday


@pytest.fixture
def noon_in_new_york():
    """Due labels and the badge's "today" read the clock: a fixed one, midday in New York."""
    with time_machine.travel(NOON, tick=False):
        yield


def signed_in(client, user):
    client.force_login(user)
    return client
