"""What every provider offers the services."""

from dataclasses import dataclass


class SendFailed(Exception):
    """The provider refused the text; the message is the carrier's or provider's words."""


@dataclass(frozen=True)
class OutboundFile:
    name: str
    content_type: str
    content: bytes


class Provider:
    name = ""
    # Twilio answers STOP itself (Advanced Opt-Out): a confirmation from us would be a
    # second text.
    sends_own_opt_out_reply = False

    def send(self, *, from_phone: str, to: str, body: str, files=()) -> str:
        """Send one text (MMS with `files`); returns the provider's message id."""
        raise NotImplementedError
