"""Throwaway settings for `collectstatic` when an image is built (Dockerfile, make smoke).

Production's static storage (hashed names, compressed copies, a manifest) needs
production settings, and those refuse to load without secrets. The secrets below are
made up for this one command and never written anywhere, so none is baked into an image;
nothing here connects to a database, a cache or a mail server.
"""

import base64
import os
import secrets

os.environ.update(
    DEBUG="false",
    SECRET_KEY=secrets.token_urlsafe(50),
    FIELD_ENCRYPTION_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
    WEBHOOK_SECRET=secrets.token_urlsafe(32),
    DATABASE_URL="postgres://build@build.invalid:5432/build",
    REDIS_URL="redis://build.invalid:6379/0",
    ALLOWED_HOSTS="build.invalid",
    EMAIL_HOST="build.invalid",
)

from crm.settings import *  # noqa: E402, F403
