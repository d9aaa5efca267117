"""The app's settings with the benchmark URLs (a bare view beside the real ones).

The suite runs with DEBUG=true (development secrets); the served process keeps those but
turns debugging off, as production runs: no template debug info, no SQL kept per query.
"""

from crm.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
DEBUG = False
