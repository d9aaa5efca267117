"""Settings of the worker in tests/core/test_event_worker.py: the project's, plus an app
registering a handler the test process does not have."""

from crm.settings import *  # noqa: F403
from crm.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.core.event_probe.apps.EventProbeConfig"]
