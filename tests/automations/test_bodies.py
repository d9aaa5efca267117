"""The request builder's bodies: the standard payload as JSON for main URLs and empty
builders, Data rows as JSON / Form / XML, Raw, and header rows, each with variables."""

import json
from urllib.parse import parse_qsl
from xml.etree import ElementTree

import pytest

from automations.webhooks.bodies import build, xml_name
from automations.webhooks.models import Endpoint, PayloadType, Slot

pytestmark = pytest.mark.django_db
PAYLOAD = {
    "UUID": "7d1c…",
    "FirstName": "Emily",
    "LastName": "O'Brien & Sons <LLC>",
    "Phone": "+13055550142",
    "Tags": ["VIP"],
    "SerialId": 1042,
}
ROWS = [["name", "{{FirstName}} {{LastName}}"], ["job", "#{{ SerialId }}"], ["static", "yes"]]


def fanout(**fields) -> Endpoint:
    return Endpoint.objects.create(slot=Slot.NEW_LEAD, url="http://127.0.0.1:9/hook", **fields)


def test_a_main_url_sends_the_standard_payload_as_json_whatever_its_builder_says():
    main = fanout(is_main=True, payload_type=PayloadType.XML, data=ROWS, headers=[["X", "1"]])
    body, content_type, headers = build(main, PAYLOAD)
    assert (json.loads(body), content_type, headers) == (PAYLOAD, "application/json", [])


@pytest.mark.parametrize("payload_type", [PayloadType.JSON, PayloadType.FORM, PayloadType.XML])
def test_a_fanout_with_empty_data_sends_the_standard_payload_as_json(payload_type):
    body, content_type, _ = build(fanout(payload_type=payload_type), PAYLOAD)
    assert (json.loads(body), content_type) == (PAYLOAD, "application/json")


def test_json_data_rows_become_one_object_of_rendered_values():
    body, content_type, _ = build(fanout(payload_type=PayloadType.JSON, data=ROWS), PAYLOAD)
    assert content_type == "application/json"
    assert json.loads(body) == {
        "name": "Emily O'Brien & Sons <LLC>",
        "job": "#1042",
        "static": "yes",
    }


def test_form_data_rows_are_url_encoded():
    body, content_type, _ = build(fanout(payload_type=PayloadType.FORM, data=ROWS), PAYLOAD)
    assert content_type == "application/x-www-form-urlencoded"
    assert "&" in body and " " not in body
    assert parse_qsl(body) == [
        ("name", "Emily O'Brien & Sons <LLC>"),
        ("job", "#1042"),
        ("static", "yes"),
    ]


def test_xml_data_rows_are_elements_of_a_payload_root_with_safe_names_and_escaped_values():
    rows = [*ROWS, ["first name", "{{FirstName}}"], ["1st", "x"], ["xmlish", "y"]]
    body, content_type, _ = build(fanout(payload_type=PayloadType.XML, data=rows), PAYLOAD)
    assert content_type == "application/xml"
    root = ElementTree.fromstring(body)
    assert root.tag == "payload"
    assert [(child.tag, child.text) for child in root] == [
        ("name", "Emily O'Brien & Sons <LLC>"),
        ("job", "#1042"),
        ("static", "yes"),
        ("first_name", "Emily"),
        ("_1st", "x"),
        ("_xmlish", "y"),
    ]
    assert "&amp; Sons &lt;LLC&gt;" in body


def test_xml_names_are_always_valid_element_names():
    assert [xml_name(key) for key in ["a b", "", "-x", "ok.name", "é"]] == [
        "a_b",
        "_",
        "_-x",
        "ok.name",
        "_",
    ]


def test_raw_sends_its_typed_body_rendered_as_text_plain_by_default():
    raw = "Lead {{FirstName}} ({{Phone}}) {{Unknown}}!"
    body, content_type, _ = build(fanout(payload_type=PayloadType.RAW, raw_body=raw), PAYLOAD)
    assert (body, content_type) == ("Lead Emily (+13055550142) !", "text/plain")


def test_a_content_type_header_row_names_the_raw_body_type_and_is_not_repeated():
    endpoint = fanout(
        payload_type=PayloadType.RAW,
        raw_body="<lead>{{FirstName}}</lead>",
        headers=[["Content-Type", "text/xml; charset=utf-8"], ["X-Tag", "t"]],
    )
    body, content_type, headers = build(endpoint, PAYLOAD)
    assert (body, content_type) == ("<lead>Emily</lead>", "text/xml; charset=utf-8")
    assert headers == [["X-Tag", "t"]]


def test_header_rows_are_rendered_with_variables_and_cannot_break_lines():
    endpoint = fanout(
        data=ROWS,
        headers=[
            ["X-Lead", "{{ FirstName }}-{{SerialId}}"],
            ["X-Static", "static"],
            ["X-Evil", "a\r\nInjected: 1"],
            ["", "no name"],
        ],
    )
    _, _, headers = build(endpoint, PAYLOAD)
    assert headers == [
        ["X-Lead", "Emily-1042"],
        ["X-Static", "static"],
        ["X-Evil", "a Injected: 1"],
    ]
