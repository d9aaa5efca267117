"""The request body an endpoint is sent for an event (spec: "Custom request builder").

A main URL, and a fan-out whose builder is left empty, send the standard payload (the
event's Workiz-shape snapshot) as JSON. A fan-out with Data rows sends them as JSON, Form
(url-encoded) or XML, each value rendered with `{{Variable}}`s; Raw sends its typed body,
rendered. Header rows are rendered too. Built once when the delivery is made and stored:
every retry and replay sends these very bytes. (No Wrap-in-Array, Unflatten or file
upload: the spec dropped them.)
"""

import json
import re
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from django.core.serializers.json import DjangoJSONEncoder

from automations.webhooks.models import PayloadType
from automations.webhooks.templating import render

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
XML_TYPE = "application/xml"
RAW_TYPE = "text/plain"
# The XML body's root element: <payload><Key>value</Key>…</payload>.
XML_ROOT = "payload"

# Characters XML 1.0 does not allow at all (most control characters).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NAME_INVALID = re.compile(r"[^A-Za-z0-9_.\-]")
_LINE_BREAKS = re.compile(r"[\r\n]+")


def standard_body(payload: dict) -> str:
    return json.dumps(payload, cls=DjangoJSONEncoder)


def xml_name(key: str) -> str:
    """`key` as an XML element name: characters a name may not hold become "_", and a
    name starting with a digit, "-", "." or "xml" gets a leading "_"."""
    name = _NAME_INVALID.sub("_", key.strip()) or "_"
    if not re.match(r"[A-Za-z_]", name) or name.lower().startswith("xml"):
        name = f"_{name}"
    return name


def xml_body(rows: list[tuple[str, str]]) -> str:
    elements = "".join(
        f"<{xml_name(key)}>{escape(_XML_INVALID.sub('', value))}</{xml_name(key)}>"
        for key, value in rows
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><{XML_ROOT}>{elements}</{XML_ROOT}>'


def _rows(pairs, payload: dict) -> list[tuple[str, str]]:
    """[[key, value], ...] with each value rendered; rows without a key are skipped."""
    rows = []
    for pair in pairs or []:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        key, value = str(pair[0] or "").strip(), str(pair[1] or "")
        if key:
            rows.append((key, render(value, payload)))
    return rows


def rendered_headers(endpoint, payload: dict) -> list[list[str]]:
    """The fan-out's header rows, values rendered (line breaks removed: a value can't
    start another header)."""
    return [
        [_LINE_BREAKS.sub(" ", name), _LINE_BREAKS.sub(" ", value).strip()]
        for name, value in _rows(endpoint.headers, payload)
    ]


def build(endpoint, payload: dict) -> tuple[str, str, list]:
    """(body, content type, rendered headers [[name, value], ...]) for `endpoint`.

    A Content-Type header row, when a fan-out has one, names the body's content type
    (Raw defaults to text/plain) and is not repeated among the headers.
    """
    if endpoint.is_main:
        return standard_body(payload), JSON_TYPE, []
    headers = rendered_headers(endpoint, payload)
    content_type = next((v for n, v in headers if n.lower() == "content-type" and v), "")
    headers = [[n, v] for n, v in headers if n.lower() != "content-type"]
    kind = endpoint.payload_type
    rows = _rows(endpoint.data, payload)
    if kind == PayloadType.RAW and endpoint.raw_body.strip():
        return render(endpoint.raw_body, payload), content_type or RAW_TYPE, headers
    if kind == PayloadType.RAW or not rows:  # builder left empty: the standard payload
        return standard_body(payload), content_type or JSON_TYPE, headers
    if kind == PayloadType.FORM:
        return urlencode(rows), content_type or FORM_TYPE, headers
    if kind == PayloadType.XML:
        return xml_body(rows), content_type or XML_TYPE, headers
    return json.dumps(dict(rows), ensure_ascii=False), content_type or JSON_TYPE, headers
