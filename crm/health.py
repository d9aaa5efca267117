"""GET /healthz: is this deployment able to do its work right now?

One JSON answer for load balancers, compose and uptime monitors: 200 when the database,
cache, broker and worker are all fine, 503 naming the parts that are not. Each check is a
small function that returns its "ok ..." line or raises; whatever it raises becomes that
part's line, so the endpoint never answers 500. Public and cheap: no session, no user,
one `SELECT 1`, and every network probe gives up within a second or two.

django-health-check (4.8) was weighed and left out: it answers 500, not 503, in its own
JSON shape, and has neither a broker check for kombu's SQLAlchemy transport nor a
heartbeat check; only its `SELECT 1` would have been left to reuse.
"""

import datetime
import logging
from collections.abc import Callable

import kombu
import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from crm import celery_app

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "health:worker-heartbeat"
# Beat asks a worker to stamp every minute; five missed minutes means tasks are not running.
HEARTBEAT_MAX_AGE = datetime.timedelta(minutes=5)
# Long past the limit above, so "stale" and "never stamped" stay distinguishable for an hour.
HEARTBEAT_KEY_TIMEOUT = 60 * 60
# A Redis that stops answering would otherwise hold the request until the kernel gives up.
PROBE_TIMEOUT_SECONDS = 1


class Unhealthy(Exception):
    """A check's verdict on its part, as the line the endpoint shows for it."""


def stamp_heartbeat() -> None:
    """Record that a worker is alive and running tasks now (see crm.tasks)."""
    caches["default"].set(HEARTBEAT_KEY, timezone.now(), timeout=HEARTBEAT_KEY_TIMEOUT)


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        # Django's Redis client has no socket timeouts: ping with a client of our own that has.
        location = settings.CACHES["default"]["LOCATION"]
        url = location[0] if isinstance(location, list | tuple) else location.split(",")[0]
        with redis.Redis.from_url(
            url,
            socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
            socket_timeout=PROBE_TIMEOUT_SECONDS,
        ) as client:
            client.ping()
    else:
        cache.get(HEARTBEAT_KEY)  # a file cache: reading proves its folder is there
    return "ok"


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    # The SQLAlchemy transport hands every transport option to create_engine, which knows
    # neither of these, and shares its engine with the app's own publishing: Redis only.
    options = {}
    if url.startswith(("redis://", "rediss://")):
        options = {
            "socket_connect_timeout": PROBE_TIMEOUT_SECONDS,
            "socket_timeout": PROBE_TIMEOUT_SECONDS,
        }
    with kombu.Connection(url, transport_options=options) as broker:
        # One attempt: kombu's default retries forever, and the healthcheck asks again anyway.
        broker.ensure_connection(max_retries=0)
        # Opening the connection does no I/O on the SQLAlchemy transport; declaring the
        # queue does on both (Celery declares it on every publish anyway).
        queue = celery_app.conf.task_default_queue
        _, waiting, _ = broker.default_channel.queue_declare(queue=queue)
    return f"ok ({waiting} tasks waiting)"


def check_worker() -> str:
    stamped_at = caches["default"].get(HEARTBEAT_KEY)
    if stamped_at is None:
        raise Unhealthy("no heartbeat recorded")
    # Clocks of the web and worker hosts may differ by a little; never show a negative age.
    age = max(timezone.now() - stamped_at, datetime.timedelta(0))
    if age > HEARTBEAT_MAX_AGE:
        raise Unhealthy(f"no heartbeat for {age // datetime.timedelta(minutes=1)} minutes")
    return f"ok (last heartbeat {age // datetime.timedelta(seconds=1)} s ago)"


def _run(name: str, check: Callable[[], str]) -> tuple[bool, str]:
    try:
        return True, check()
    except Unhealthy as problem:
        return False, str(problem)
    except Exception as error:
        # The class name tells an operator enough; the message may carry a host or URL.
        logger.warning("Health check %s failed: %r", name, error)
        return False, f"down ({type(error).__name__})"


def run_checks() -> tuple[bool, dict[str, str]]:
    """Every part's line, and whether all of them are fine."""
    results = {
        "database": _run("database", check_database),
        "cache": _run("cache", check_cache),
        "broker": _run("broker", check_broker),
    }
    if results["cache"][0]:
        results["worker"] = _run("worker", check_worker)
    else:
        # The heartbeat lives in the cache: unreadable, so the worker's state is unknown.
        results["worker"] = (False, "unknown (the cache is down)")
    healthy = all(is_ok for is_ok, _ in results.values())
    return healthy, {name: line for name, (_, line) in results.items()}


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    request.skip_live_scope = True  # LiveScopeMiddleware would otherwise read the user
    healthy, checks = run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )
