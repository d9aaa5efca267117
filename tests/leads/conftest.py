"""Posting to the inbound webhooks as a partner does."""

import json

import pytest

SECRET = {"HTTP_X_WEBHOOK_SECRET": "demo-secret"}
URL = "/webhook/leads"


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST like a partner; the inbox task runs right after commit, as in production."""

    def send(url=URL, data=None, *, raw=None, content_type="application/json", **extra):
        body = (
            raw
            if raw is not None
            else (json.dumps(data) if content_type == "application/json" else data)
        )
        with django_capture_on_commit_callbacks(execute=True):
            if content_type == "application/json":
                return client.post(url, body, content_type=content_type, **extra)
            return client.post(url, body, **extra)

    return send


@pytest.fixture
def post_json(post):
    def send(body, url=URL, **extra):
        return post(url, body, **{**SECRET, **extra})

    return send
