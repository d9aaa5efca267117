"""The app's settings with the benchmark URLs (a bare view beside the real ones)."""

from crm.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
