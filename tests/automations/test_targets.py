"""The SSRF guard (automations/webhooks/targets.py): http(s) only, and no private,
loopback, link-local or reserved target, every resolved address checked, at save and at
send. The suite allows private targets (its receivers are on 127.0.0.1): these tests don't."""

import socket

import pytest

from automations.webhooks import sending, targets
from automations.webhooks.models import Attempt, Delivery
from tests.automations import engine_receiver as receivers


@pytest.fixture
def strict(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False


def _resolving(monkeypatch, names: dict[str, list[str]]):
    """DNS answers for made-up names (this machine resolves nothing outside)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            return [
                (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port) if ":" not in a else (a, port, 0, 0))
                for a in names[host]
            ]  # fmt: skip
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/x", "javascript:alert(1)", "not a url", "http://", "", "https://:80/x",
     "http://user:pw@93.184.216.34/", "http://93.184.216.34:99999/"],
)  # fmt: skip
def test_bad_urls_are_refused(strict, url):
    assert targets.refusal(url)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://10.1.2.3/hook", "private"),
        ("http://192.168.0.10/hook", "private"),
        ("http://172.16.5.5/hook", "private"),
        ("http://127.0.0.1:8000/hook", "loopback"),
        ("http://[::1]/hook", "loopback"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://100.64.0.1/", "reserved"),
        ("http://240.0.0.1/", "reserved"),
    ],
)
def test_private_targets_are_refused(strict, url, kind):
    assert kind in targets.refusal(url)


def test_a_hostname_resolving_to_loopback_is_refused(strict):
    reason = targets.refusal("http://localhost:8000/hook")
    assert "localhost resolves to" in reason and "loopback" in reason


def test_every_resolved_address_is_checked(strict, monkeypatch):
    _resolving(
        monkeypatch,
        {
            "hooks.example.com": ["93.184.216.34"],
            "mixed.example.com": ["93.184.216.34", "10.0.0.7"],
        },
    )
    assert targets.refusal("https://hooks.example.com/catch") == ""
    assert "mixed.example.com resolves to 10.0.0.7" in targets.refusal("https://mixed.example.com/")


def test_a_name_that_does_not_resolve_is_refused(strict, monkeypatch):
    def nowhere(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", nowhere)
    assert "could not be found" in targets.refusal("https://nowhere.example/")


def test_private_targets_are_allowed_when_the_setting_says_so(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    assert targets.refusal("http://127.0.0.1:8000/hook") == ""
    assert targets.refusal("http://no-such-name.invalid/hook") == ""  # nothing resolved
    assert targets.refusal("ftp://127.0.0.1/") != ""


@pytest.mark.django_db
def test_a_private_target_is_refused_again_at_send(settings):
    server = receivers.start()
    try:
        delivery = receivers.delivery(receivers.endpoint(server.url))  # saved while allowed
        settings.WEBHOOK_ALLOW_PRIVATE = False
        sending.send([delivery.pk])
    finally:
        receivers.stop(server)
    assert server.received == []
    delivery = Delivery.objects.get(pk=delivery.pk)
    assert delivery.state == "retrying" and "loopback" in delivery.last_error
    assert "Refused" in Attempt.objects.get(delivery=delivery).error


@pytest.mark.django_db
def test_the_connection_goes_to_the_address_that_was_checked(settings, monkeypatch):
    """A name is resolved once and the request goes to that address, with the name in
    Host: a second DNS answer (rebinding to another address) is never asked for."""
    server = receivers.start()
    answers = iter([["127.0.0.1"], ["10.9.9.9"]])
    asked = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "hooks.example.com":
            asked.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in next(answers)]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    try:
        url = f"http://hooks.example.com:{server.server_port}/hook"
        delivery = receivers.delivery(receivers.endpoint(url))
        sending.send([delivery.pk])
    finally:
        receivers.stop(server)
    assert asked == ["hooks.example.com"]
    ((_path, headers, _body),) = server.received
    assert headers["Host"] == f"hooks.example.com:{server.server_port}"
    assert Delivery.objects.get(pk=delivery.pk).state == "delivered"
