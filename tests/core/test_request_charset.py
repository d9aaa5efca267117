"""A Content-Type naming a charset that is not a text encoding is a 400, never a 500.

Django fails on it while building the request, so the check wraps the WSGI application
gunicorn and runserver serve (crm.wsgi); these tests call that application itself.
"""

import io
import json
from wsgiref.util import setup_testing_defaults

import pytest

from crm.wsgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def call(path: str, content_type: str, query: str = "", method: str = "GET"):
    environ = {"PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": method,
               "CONTENT_TYPE": content_type, "wsgi.input": io.BytesIO(b"")}  # fmt: skip
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    body = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], body


@pytest.mark.parametrize("charset", ["rot13", "hex", "base64"])
def test_a_page_with_a_non_text_charset_is_a_clear_400(charset):
    status, _, body = call("/book/sliding", f"text/plain; charset={charset}", "service=1")

    assert status == 400
    assert b"is not a text encoding" in body


def test_a_webhook_with_a_non_text_charset_is_a_json_400():
    status, headers, body = call(
        "/webhook/leads", "application/x-www-form-urlencoded; charset=rot13", "source=google",
        method="POST",
    )  # fmt: skip

    assert status == 400 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["status"] == "error"


@pytest.mark.parametrize("charset", ["klingon", "utf-8", "latin-1"])
def test_unknown_and_text_charsets_reach_the_app(charset):
    status, _, _ = call("/login", f"text/plain; charset={charset}", "next=/leads")

    assert status == 200
