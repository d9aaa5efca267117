"""The one place an SMTP connection to a stored account is built: each office's sender
(CP → ⚙️ Office Settings) and the finance account (CP → Finance settings) both go
through `connection()`, and 📨 Send Test reports how a try went in plain words.

Sign-in codes use the deployment's own mail settings (EMAIL_*), not a stored account.
"""

import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.utils import formataddr

from django.core.mail import EmailMessage, get_connection
from django.db import models

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# Long enough for a slow provider, short enough that a dead host fails a send instead of
# holding a worker.
DEFAULT_TIMEOUT = 20


class Security(models.TextChoices):
    STARTTLS = "starttls", "STARTTLS (port 587)"
    SSL = "ssl", "SSL (port 465)"
    # Only the finance account may still be set up without encryption (a relay on the
    # private network); an office's password never crosses the wire in plain text.
    NONE = "none", "None"


# The two standard submission ports each speak one way; the other way hangs or fails.
STANDARD_PORTS = {587: Security.STARTTLS, 465: Security.SSL}


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str
    password: str
    from_email: str
    from_name: str = ""
    security: str = Security.STARTTLS
    timeout: float = DEFAULT_TIMEOUT

    @property
    def sender(self) -> str:
        """The From header: "Name <address>", or the bare address without a name."""
        return formataddr((self.from_name, self.from_email)) if self.from_name else self.from_email


def connection(config: SmtpConfig):
    """An SMTP connection with `config`'s credentials (opened on first send); failures
    raise rather than pass silently."""
    return get_connection(
        SMTP_BACKEND,
        host=config.host,
        port=config.port,
        username=config.username,
        password=config.password,
        use_tls=config.security == Security.STARTTLS,
        use_ssl=config.security == Security.SSL,
        timeout=config.timeout,
        fail_silently=False,
    )


@dataclass(frozen=True)
class SendTestResult:
    outcome: str  # one of OUTCOMES
    message: str

    @property
    def is_sent(self) -> bool:
        return self.outcome == "sent"

    @property
    def label(self) -> str:
        return OUTCOMES[self.outcome]


OUTCOMES = {
    "sent": "Sent",
    "auth_failed": "Auth failed",
    "refused": "Refused",
    "timeout": "Timeout",
    "recipient_refused": "Recipient refused",
    "tls_failed": "Encryption failed",
    "host_not_found": "Host not found",
    "failed": "Failed",
}


def _reply(error: smtplib.SMTPResponseException) -> str:
    text = error.smtp_error
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{error.smtp_code} {' '.join(text.split())}"


def _timed_out(config: SmtpConfig) -> SendTestResult:
    return SendTestResult(
        "timeout",
        f"{config.host}:{config.port} didn't answer within {config.timeout:g} seconds. "
        "Check the host and the port (587 uses STARTTLS, 465 uses SSL).",
    )


def send_test(config: SmtpConfig, recipient: str) -> SendTestResult:
    """Send one short test email through `config` to `recipient` and say how it went:
    sent, auth failed, refused (nothing listening), timeout, and the rarer failures,
    each in a sentence that tells the owner what to check. Never raises for a failure
    of the server or the network."""
    where = f"{config.host}:{config.port}"
    message = EmailMessage(
        "BookBack CRM: test email",
        f"This is a test from BookBack CRM. The SMTP account {config.from_email} on "
        f"{where} can send email.",
        from_email=config.sender,
        to=[recipient],
        connection=connection(config),
    )
    try:
        message.send()
    except smtplib.SMTPAuthenticationError as error:
        return SendTestResult(
            "auth_failed",
            f"{config.host} refused the login of {config.username} ({_reply(error)}). Check "
            "the From Email and the app password.",
        )
    except smtplib.SMTPRecipientsRefused as error:
        replies = "; ".join(
            f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for code, text in error.recipients.values()
        )
        return SendTestResult(
            "recipient_refused", f"{config.host} won't deliver to {recipient} ({replies})."
        )
    except smtplib.SMTPSenderRefused as error:
        return SendTestResult(
            "failed",
            f"{config.host} won't send as {config.from_email} ({_reply(error)}).",
        )
    except smtplib.SMTPResponseException as error:
        return SendTestResult("failed", f"{config.host} answered {_reply(error)}.")
    except smtplib.SMTPServerDisconnected as error:
        # smtplib turns a read that timed out into "Connection unexpectedly closed".
        if isinstance(error.__context__, TimeoutError):
            return _timed_out(config)
        return SendTestResult("failed", f"{where} closed the connection ({error}).")
    except smtplib.SMTPNotSupportedError as error:
        return SendTestResult("failed", f"{config.host}: {error}")
    except ConnectionRefusedError:
        return SendTestResult(
            "refused",
            f"Nothing accepts connections at {where}. Check the host and the port.",
        )
    except TimeoutError:
        return _timed_out(config)
    except socket.gaierror:
        return SendTestResult("host_not_found", f"No server named {config.host} was found.")
    except ssl.SSLError as error:
        return SendTestResult(
            "tls_failed",
            f"The encrypted connection to {where} failed ({error.__class__.__name__}: "
            f"{getattr(error, 'reason', None) or error}). Port 587 uses STARTTLS, 465 uses SSL.",
        )
    except (smtplib.SMTPException, OSError) as error:
        return SendTestResult("failed", f"Sending through {where} failed: {error}.")
    return SendTestResult("sent", f"A test email went to {recipient}. Check its inbox (and spam).")
