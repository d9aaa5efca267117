import pytest

from tests.assistant.fake_anthropic import FakeAnthropic

FAKE_KEY = "sk-ant-test-fake-key"


@pytest.fixture
def fake_anthropic(settings):
    """The real SDK pointed at a local fake Messages API with an environment key.

    Script replies with `fake_anthropic.script(text(...), tool_use(...))`; read what the
    SDK sent in `fake_anthropic.requests`. Works for live_server e2e tests too (same process).
    """
    fake = FakeAnthropic().start()
    settings.ANTHROPIC_BASE_URL = fake.base_url
    settings.ANTHROPIC_API_KEY = FAKE_KEY
    yield fake
    fake.stop()
