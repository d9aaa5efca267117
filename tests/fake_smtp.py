"""A real SMTP server on localhost (aiosmtpd, in its own thread) standing in for the
finance mailbox and the offices' mail accounts: messages it accepts land in
`inbox.messages`; addresses put in `inbox.refused` are refused at RCPT, as a real server
refuses a dead mailbox.

`start(security=..., login=...)` speaks STARTTLS or SSL with a self-signed certificate
for 127.0.0.1 and asks for that login; clients trust it through `trusted_certificate`
(SSL_CERT_FILE). `silent_port()` accepts connections and never answers; `closed_port()`
has nobody listening.
"""

import contextlib
import datetime
import email
import email.policy
import ipaddress
import socket
import ssl
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


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


def start(
    *, security: str = "none", login: tuple[str, str] | None = None
) -> tuple[Controller, Inbox]:
    """A server on a free port. `security`: "none", "starttls" or "ssl". `login`: the
    (username, password) it accepts; others fail with 535."""
    inbox = Inbox()
    options = {}
    if security == "starttls":
        options.update(tls_context=_server_context(), require_starttls=True)
    elif security == "ssl":
        options.update(ssl_context=_server_context())
    if login is not None:
        options.update(
            authenticator=_authenticator(*login),
            # aiosmtpd counts a session as encrypted only after STARTTLS: on an SSL port
            # (or a plain one) it would hide AUTH, so there it checks a login when one is
            # offered without insisting on one (the clients here always log in).
            auth_required=security == "starttls",
            auth_require_tls=security == "starttls",
        )
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), **options)
    controller.start()
    return controller, inbox


def _authenticator(username: str, password: str):
    expected = LoginPassword(username.encode(), password.encode())

    def authenticate(server, session, envelope, mechanism, auth_data):
        # handled=False: the server answers 535 itself (True would leave the client waiting).
        return AuthResult(success=auth_data == expected, handled=False)

    return authenticate


@cache
def _certificate() -> tuple[Path, Path]:
    """A self-signed certificate (and its key) for 127.0.0.1, written once per run."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="fake-smtp-"))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _server_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*_certificate())
    return context


def trusted_certificate() -> str:
    """The path to set as SSL_CERT_FILE so clients verify the fake server."""
    return str(_certificate()[0])


@contextlib.contextmanager
def silent_port():
    """A port whose connections are accepted (by the kernel's backlog) and never
    answered: an SMTP client waits for the greeting until it times out."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def closed_port() -> int:
    """A port nobody listens on: connecting is refused at once."""
    return _free_port()
