"""`{{Variable}}` templates of the request builder: which names exist, which are unknown,
how a template renders (spec: "Outbound webhooks → Custom request builder")."""

from automations.webhooks.templating import VARIABLES, render, unknown_variables
from tests.workiz import WORKIZ_FIELDS

PAYLOAD = {"FirstName": "Emily", "LastName": "Harrison", "Tags": ["VIP", "Gate"], "Unit": ""}


def test_the_variables_are_the_standard_payload_fields_in_the_spec_order_with_the_extras():
    assert VARIABLES[:5] == ["UUID", "SerialId", "JobDateTime", "JobEndDateTime", "CreatedDate"]
    assert VARIABLES.index("DisplayId") == 27  # the spec's list ends with it
    assert set(VARIABLES) >= WORKIZ_FIELDS | {"ExpectedCompletionDate"}
    lead_extras = ["LeadId", "Office", "Urgency", "Campaign", "FbLeadId", "IrrelevantReason"]
    finance_extras = [
        "FinanceCancelReason",
        "FinanceCancelNote",
        "FinanceCancelledAt",
        "FinanceCancelledBy",
    ]
    assert VARIABLES[-10:] == lead_extras + finance_extras
    assert len(VARIABLES) == len(set(VARIABLES))


def test_variables_render_with_or_without_spaces_inside_the_braces():
    text = "Hi {{FirstName}} {{ LastName }}, tags: {{  Tags }}!"
    assert render(text, PAYLOAD) == "Hi Emily Harrison, tags: VIP, Gate!"


def test_unknown_empty_and_missing_variables_render_empty():
    assert render("[{{Nope}}][{{Unit}}][{{Email}}][{{first name}}]", PAYLOAD) == "[][][][]"
    assert render("", PAYLOAD) == ""
    assert render("no variables {here}", PAYLOAD) == "no variables {here}"


def test_numbers_and_none_render_as_text():
    assert render("{{SerialId}}/{{Latitude}}", {"SerialId": 1042, "Latitude": None}) == "1042/"


def test_unknown_variables_are_listed_once_in_order():
    text = "{{FirstName}} {{Nope}} {{ first name }} {{Nope}} {{Office}} {{}}"
    assert unknown_variables(text) == ["Nope", "first name", ""]
    assert unknown_variables("{{ FirstName }} plain text") == []
    assert unknown_variables("") == []
