"""A real SMTP server on localhost (aiosmtpd, in its own thread) standing in for the
finance mailbox: messages it accepts land in `inbox.messages`; addresses put in
`inbox.refused` are refused at RCPT, as a real server refuses a dead mailbox."""

import email
import email.policy
import socket
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages if address in message["To"]]

    @property
    def subjects(self) -> list[str]:
        """Each message's subject as a reader sees it (unfolded, encoded words decoded)."""
        return [" ".join(str(message["Subject"]).split()) for message in self.messages]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start() -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    return controller, inbox
