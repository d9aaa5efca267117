"""Loaded by pytest before Django (`-p tests.bootstrap`): the environment of the suite."""

import os
import re
import tempfile

# Development defaults (dev secrets, console email) and inline Celery for the suite.
os.environ.setdefault("DEBUG", "true")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
os.environ["FAST_PASSWORD_HASHER"] = "true"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright e2e
# Webhook receivers in tests listen on 127.0.0.1; tests of the SSRF guard set it back.
os.environ["WEBHOOK_ALLOW_PRIVATE"] = "true"

# Each xdist worker gets its own cache: its own Redis database, or its own cache folder.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_worker_number = int(re.sub(r"\D", "", _worker) or 0)
if os.environ.get("REDIS_URL"):
    # TEST_REDIS_DB_BASE: another suite run at once on the same Redis takes other databases.
    _first_db = int(os.environ.get("TEST_REDIS_DB_BASE", "1"))
    os.environ["REDIS_URL"] = (
        re.sub(r"/\d*$", "", os.environ["REDIS_URL"]) + f"/{_worker_number + _first_db}"
    )
else:
    os.environ["CACHE_DIR"] = tempfile.mkdtemp(prefix=f"bookback-cache-{_worker}-")
# A SQLite test database of this run's own: two runs at once must not share one file
# (a bench that keeps its rows names one with SQLITE_TEST_NAME and --reuse-db).
os.environ.setdefault(
    "SQLITE_TEST_NAME",
    os.path.join(tempfile.mkdtemp(prefix=f"bookback-db-{_worker}-"), "test.sqlite3"),
)
