"""gunicorn's settings, read from the working directory: the Docker image and `make smoke`
serve the app with exactly these."""

import os

bind = f"{os.environ.get('BIND_HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Threads, so a long answer (the AI Assistant's event stream) holds one thread, not a whole
# worker; gthread's timeout watches the worker's heartbeat, so a stream may outlive it.
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
# A worker whose main loop is silent this long is stuck: it is replaced, the others carry on.
timeout = 30
graceful_timeout = 20
accesslog = "-"
# Django's own log lines carry the request id; this one adds status and duration.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
