"""Each office's email sender (CP → ⚙️ Office Settings): the SMTP account its email
automations go out through, and 📨 Send Test. The connection itself is built in
`crm.mail`, the one place for that."""

from dataclasses import replace

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from crm import events, mail, permissions
from crm.accounts.models import Office, User
from crm.errors import DomainError
from crm.timeline.services import audit

OFFICE_SECURITY = (mail.Security.STARTTLS, mail.Security.SSL)
# The owner waits on the page for Send Test: a dead host fails in seconds, not minutes.
SEND_TEST_TIMEOUT = 10
WRONG_WAY = {
    587: "Port 587 uses STARTTLS: pick STARTTLS, or port 465 for SSL.",
    465: "Port 465 uses SSL: pick SSL, or port 587 for STARTTLS.",
}
REQUIRED = ("smtp_from_email", "smtp_host", "smtp_port", "smtp_password")


def _label(name: str) -> str:
    return str(Office._meta.get_field(name).verbose_name)


def missing_smtp_fields(office: Office) -> list[str]:
    """The labels of what a send still needs, in the card's order ([] when complete)."""
    return [_label(name) for name in REQUIRED if not getattr(office, name)]


def _clean_port(port, security: str) -> int:
    try:
        port = int(port)
    except (TypeError, ValueError) as exc:
        raise DomainError("The port is a number: 587 (STARTTLS) or 465 (SSL).") from exc
    if not 1 <= port <= 65535:
        raise DomainError("The port is a number: 587 (STARTTLS) or 465 (SSL).")
    if security not in OFFICE_SECURITY:
        raise DomainError("Pick STARTTLS (port 587) or SSL (port 465).")
    if port in WRONG_WAY and mail.STANDARD_PORTS[port] != security:
        # The other way on a standard port hangs until the timeout or fails the handshake.
        raise DomainError(WRONG_WAY[port])
    return port


@transaction.atomic
def save_office_email_sender(
    *,
    actor: User,
    office: Office,
    smtp_from_email: str = "",
    smtp_from_name: str = "",
    smtp_host: str = "",
    smtp_port: int = 587,
    smtp_security: str = mail.Security.STARTTLS,
    smtp_password: str | None = None,
) -> Office:
    """Save an office's SMTP sender (owner). A blank password keeps the stored one.

    Raises DomainError for a bad email, host or port, or a port spoken the wrong way
    (465 is SSL, 587 STARTTLS). Audited with the names of the fields that changed, never
    a value of the password; emits `office.senders_changed`.
    """
    permissions.check(actor, "controlpanel.access", obj=office)
    smtp_from_email = (smtp_from_email or "").strip().lower()
    if smtp_from_email:
        try:
            validate_email(smtp_from_email)
        except ValidationError as exc:
            raise DomainError(f"{smtp_from_email} is not an email address.") from exc
    smtp_host = (smtp_host or "").strip()
    if any(char.isspace() for char in smtp_host):
        raise DomainError("The SMTP host is a name like smtp.gmail.com, without spaces.")
    values = {
        "smtp_from_email": smtp_from_email,
        "smtp_from_name": " ".join((smtp_from_name or "").split()),
        "smtp_host": smtp_host,
        "smtp_port": _clean_port(smtp_port, smtp_security),
        "smtp_security": smtp_security,
    }
    if smtp_password:
        values["smtp_password"] = smtp_password

    office = Office.objects.select_for_update().get(pk=office.pk)
    changed = [name for name, value in values.items() if getattr(office, name) != value]
    if not changed:
        return office
    for name in changed:
        setattr(office, name, values[name])
    office.save(update_fields=changed)
    audit(
        "office.settings_changed",
        f"Email sender of {office.name} changed: " + ", ".join(map(_label, changed)),
        actor=actor,
        office=office,
        metadata={"changed": changed},
    )
    events.emit("office.senders_changed", actor=actor, office=office, changed=changed)
    return office


def send_office_test_email(*, actor: User, office: Office, recipient: str) -> mail.SendTestResult:
    """📨 Send Test: one test email through the office's saved SMTP account.

    Raises DomainError while the account is incomplete or the recipient is no email;
    otherwise returns how it went (sent, auth failed, refused, timeout...), never
    raising for the server's or the network's failures.
    """
    permissions.check(actor, "controlpanel.access", obj=office)
    recipient = (recipient or "").strip()
    try:
        validate_email(recipient)
    except ValidationError as exc:
        raise DomainError("Enter the email address the test goes to.") from exc
    missing = missing_smtp_fields(office)
    if missing:
        raise DomainError(
            f"SMTP not fully configured for office {office.name}: fill in {', '.join(missing)}."
        )
    return mail.send_test(replace(office.smtp_config, timeout=SEND_TEST_TIMEOUT), recipient)
