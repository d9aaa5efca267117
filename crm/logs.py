"""One log line per event: time, level, logger, message, request id (user id when known).

Every logger goes through the standard library (Django's, Celery's and ours) and is
rendered by one structlog `ProcessorFormatter`: plain text in development, one JSON
object per line with LOG_FORMAT=json. Named `logs`, not `logging`, so that `import
logging` inside the package still means the standard library.
"""

import re
import uuid
from contextvars import ContextVar
from typing import TYPE_CHECKING

import structlog

if TYPE_CHECKING:  # settings import this module: no Django imports at run time
    from django.http import HttpRequest, HttpResponse

FORMATS = ("plain", "json")
REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's or client's id is kept only if it can't smuggle anything into a log line.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# The request being served on this thread, so `add_user_id` can look at it at log time.
_current_request: "ContextVar[HttpRequest | None]" = ContextVar("current_request", default=None)


def add_user_id(logger, method_name: str, event_dict: dict) -> dict:
    """Add the signed-in user's id, if something in this request already looked them up.

    Reading `request.user` here would cost a session and a user query on every logged
    request, /api/last-change included, which must stay query-free. Django caches the
    user on `request._cached_user` the first time anything reads `request.user`
    (login_required, permissions, LiveScopeMiddleware), so that is all we check.
    """
    user = getattr(_current_request.get(), "_cached_user", None)
    if user is not None and user.is_authenticated:
        event_dict.setdefault("user_id", user.pk)
    return event_dict


# Run on every line, whether it came from a stdlib logger or a structlog one.
SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    add_user_id,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def formatter(log_format: str = "plain") -> structlog.stdlib.ProcessorFormatter:
    """The formatter of every handler; LOGGING builds it through dictConfig's "()"."""
    if log_format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}.")
    if log_format == "json":
        # The traceback becomes one escaped string: still one line per event.
        renderers = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    else:
        renderers = [
            structlog.dev.ConsoleRenderer(
                colors=False, exception_formatter=structlog.dev.plain_traceback
            )
        ]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=SHARED_PROCESSORS,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderers],
    )


def build_logging(*, level: str = "INFO", log_format: str = "plain") -> dict:
    """The LOGGING setting: one console handler on the root logger, everything propagates."""
    formatter(log_format)  # fail at start-up on an unknown LOG_FORMAT, not at the first line
    # Django's defaults give "django" and "django.server" handlers of their own, which
    # would print their lines a second time, unformatted: listing them here removes
    # those handlers, and NOTSET lets LOG_LEVEL on the root decide for them too.
    inherit = {"handlers": [], "level": "NOTSET", "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": {"()": "crm.logs.formatter", "log_format": log_format}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": inherit,
            "django.server": inherit,
            "django.db.backends": {"level": "WARNING"},
        },
    }


class RequestIdMiddleware:
    """Give every request an id, put it on each line logged while serving it, and send it
    back as X-Request-ID, so a user's report or a proxy's log leads to our lines."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: "HttpRequest") -> "HttpResponse":
        # Threads are reused between requests: start from nothing, not the last request.
        structlog.contextvars.clear_contextvars()
        request_id = request.headers.get(REQUEST_ID_HEADER, "")
        if not SANE_REQUEST_ID.fullmatch(request_id):
            request_id = uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(request_id=request_id)
        # Left set after the response on purpose: runserver's access line is logged
        # after we return, and should carry the same ids.
        _current_request.set(request)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _configure_structlog() -> None:
    # For code that logs through structlog.get_logger(): it hands its events to the
    # standard library, so they meet the same handler and formatter as everything else.
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


# Settings import this module, so every process (web, worker, beat, manage.py) runs it once.
_configure_structlog()
