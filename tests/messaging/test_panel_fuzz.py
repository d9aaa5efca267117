"""Property: whatever a signed-in agent sends the 📱 panel (filters, cursors, replies), the
answer is never a 5xx; a reply answered 200 stored one text, any other answer stored
nothing. `make fuzz` runs it long."""

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from crm.accounts.models import Role
from messaging.models import Message
from tests.factories import OfficeFactory, UserFactory
from tests.messaging import panel_data

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

# Every unicode category but lone surrogates (a browser's form cannot send them); NUL is frequent.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["", "\x00", "a\x00b", "²", "(305) 555-0142", "%", "_", "\\", "' OR 1=1 --",
     "2026-13-45T99:99:99_1", "2026-01-01T00:00:00_9999999999999999999999", "x" * 2000]
)  # fmt: skip


@pytest.fixture
def setting(client):
    garage = OfficeFactory(name="Garage")
    client.force_login(UserFactory(role=Role.AGENT, offices=[garage]))
    conversation = panel_data.thread(panel_data.line(garage))
    return client, conversation


@given(q=any_text, office=any_text, unread=any_text, after=any_text)
def test_no_filter_or_cursor_gets_a_server_error(setting, q, office, unread, after):
    client, _ = setting
    query = {"q": q, "office": office, "unread": unread}
    for params in (query, {**query, "after": after}):
        response = client.get("/sms/threads", params)
        event(f"answered {response.status_code}")
        assert response.status_code == 200


@given(thread=any_text | st.just("own"), body=any_text)
def test_no_reply_gets_a_server_error_or_a_false_success(
    setting, django_capture_on_commit_callbacks, thread, body
):
    client, conversation = setting
    before = Message.objects.count()
    data = {"thread": conversation.pk if thread == "own" else thread, "body": body}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/sms/reply", data)
    event(f"answered {response.status_code}")
    assert response.status_code < 500, response.content
    if response.status_code == 200:
        assert Message.objects.count() == before + 1
        assert Message.objects.latest("pk").body == body.strip()
    else:
        assert Message.objects.count() == before
