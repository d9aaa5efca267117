"""Development and no-credential installs: a send is logged and counts as sent."""

import logging
import uuid

from messaging.providers.base import Provider

logger = logging.getLogger(__name__)


class ConsoleProvider(Provider):
    name = "console"

    def send(self, *, from_phone: str, to: str, body: str, files=()) -> str:
        message_id = f"console-{uuid.uuid4().hex}"
        logger.info(
            "sms.console_send",
            extra={"from": from_phone, "to": to, "body": body, "files": len(files)},
        )
        return message_id
