"""Property: whatever lands in the rule editor, its preview or the log's filters (typed,
pasted, forged), the owner gets an answer, never a 5xx, and a refused rule saves nothing.
`make fuzz` runs it long."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from automations.rules.models import Rule

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

# Text a browser can send (no lone surrogates: they don't encode), NUL included: Postgres
# refuses it in text, so the forms must.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60) | st.sampled_from(
    ["", "\x00", "a\x00b", "{{", "}}", "{{job.displayId}}", "{{ lead.x }}", "{{{{a}}}}", "1e999",
     "-1", "x" * 300]
)  # fmt: skip
values = {
    "trigger": st.sampled_from(
        ["job_created", "lead_created", "job_status_changed", "before_job_start", "nope", ""]
    ),
    "recipient": st.sampled_from(["contractor", "client", "static", "x", ""]),
    "channel": st.sampled_from(["sms", "email", "fax", ""]),
    "offset_unit": st.sampled_from(["minutes", "hours", "days", "years", ""]),
    "job_target_status": st.sampled_from(["done", "fresh", "", "x"]),
    "lead_target_status": st.sampled_from(["converted", "done", "", "x"]),
}


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@given(
    choices=st.fixed_dictionaries(values),
    typed=st.dictionaries(
        st.sampled_from(["name", "body", "subject", "static_to", "offset_amount", "offices"]),
        any_text,
    ),
)
def test_no_editor_post_gets_a_server_error_or_saves_a_refused_rule(owner_client, choices, typed):
    before = Rule.objects.count()
    response = owner_client.post(reverse("rules:new"), {**choices, **typed})
    assert response.status_code in (200, 302)
    if response.status_code == 200:  # the editor came back with its reason
        assert Rule.objects.count() == before


@given(trigger=values["trigger"], channel=values["channel"], body=any_text, subject=any_text)
def test_the_preview_always_answers(owner_client, trigger, channel, body, subject):
    query = {"trigger": trigger, "channel": channel, "body": body, "subject": subject}
    response = owner_client.get(reverse("rules:preview"), query, headers={"HX-Request": "true"})
    assert response.status_code == 200


@given(q=any_text, status=any_text, channel=any_text, rule=any_text)
def test_the_log_filters_always_answer(owner_client, q, status, channel, rule):
    query = {"q": q, "status": status, "channel": channel, "rule": rule, "partial": "rows"}
    response = owner_client.get(reverse("rules:log"), query, headers={"HX-Request": "true"})
    assert response.status_code == 200
