import pytest

from messaging.models import Line, MessagingSettings
from tests.messaging import fakes


class FakeApi:
    """A fake provider server and the answers it gives; tests change `answers`."""

    def __init__(self, answers: dict):
        self.answers = answers
        self.server = fakes.start(self.route)

    def route(self, method, path, query):
        for (want_method, suffix), answer in self.answers.items():
            if method == want_method and path.endswith(suffix):
                return answer(query) if callable(answer) else answer
        return 404, {"error": f"no route {method} {path}"}

    @property
    def requests(self):
        return self.server.requests

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ctm(settings, db):
    """CTM with credentials set, at a local server: sends succeed until told otherwise."""
    api = FakeApi({("POST", "/sms"): (200, fakes.CTM_SENT)})
    settings.SMS_PROVIDER = "ctm"
    settings.CTM_BASE_URL = fakes.url_of(api.server)
    stored = MessagingSettings.load()
    stored.ctm_account_id, stored.ctm_access_key, stored.ctm_secret_key = (
        "12345",
        "access-abc",
        "secret-xyz",
    )
    stored.save()
    yield api
    api.stop()


@pytest.fixture
def twilio(settings, db):
    sent = iter(range(1, 1000))

    def created(query):
        return 201, fakes.twilio_message(f"SM{next(sent):032d}", "+13055550142", "+13055550100", "")

    api = FakeApi({("POST", "/Messages.json"): created})
    settings.SMS_PROVIDER = "twilio"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "ACtest", "twilio-token"
    settings.TWILIO_BASE_URL = fakes.url_of(api.server)
    yield api
    api.stop()


@pytest.fixture
def line(office):
    return Line.objects.create(phone="+13055550100", label="Sliding main", office=office)
