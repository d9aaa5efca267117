"""gunicorn's settings, read from the working directory: the Docker image and `make smoke`
serve the app with exactly these."""

import os

bind = f"{os.environ.get('BIND_HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# A request that takes this long is stuck: its worker is replaced, the others carry on.
timeout = 30
graceful_timeout = 20
accesslog = "-"
# Django's own log lines carry the request id; this one adds status and duration.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
