"""Who an office's automations send as (CP → ⚙️ Office Settings): its one CTM number
for texts, and its SMTP account for email (`crm.mail` builds the connection).

Automations ask `office_senders(office)` at send time; the two refusals are the ones the
automation log shows ("No CTM number configured for office X", "SMTP not fully
configured for office X").
"""

from dataclasses import dataclass

from django.db import transaction

from crm import events, mail, permissions
from crm.accounts.models import Office, User
from crm.errors import DomainError
from crm.phones import pretty
from crm.timeline.services import audit
from messaging.models import Line, OfficeSmsSender


@dataclass(frozen=True)
class OfficeSenders:
    """None where the office has no such sender and the caller didn't need one."""

    sms_line: Line | None
    smtp: mail.SmtpConfig | None


def office_senders(office: Office, *, channel: str | None = None) -> OfficeSenders:
    """The office's SMS line and SMTP account. `channel` ("sms" or "email") names the one
    a send needs; without it both are needed (an email rule must not fail for want of a
    CTM number, nor a text for want of SMTP).

    Raises DomainError "No CTM number configured for office X" or "SMTP not fully
    configured for office X" (X: the office's name) when a needed one is missing.
    """
    sender = OfficeSmsSender.objects.select_related("line").filter(office=office).first()
    line = sender.line if sender else None
    smtp = office.smtp_config if office.is_smtp_configured else None
    if line is None and channel in (None, "sms"):
        raise DomainError(f"No CTM number configured for office {office.name}")
    if smtp is None and channel in (None, "email"):
        raise DomainError(f"SMTP not fully configured for office {office.name}")
    return OfficeSenders(sms_line=line, smtp=smtp)


def why_unusable(line: Line) -> str:
    """Why `line` can't send an office's texts ("" when it can): send_sms refuses both."""
    if line.is_toll_free:
        return "toll-free: can't text"
    if line.no_reply:
        return "no-reply number"
    return ""


def line_choices() -> list[tuple[int, str, str]]:
    """Every line as (id, "(305) 555-0100 · Main line · Garage", why it can't send or ""),
    for the CTM number picker (filtered by phone, label or office as the owner types)."""
    lines = Line.objects.select_related("office").order_by("office__name", "label", "phone")
    return [
        (
            line.pk,
            " · ".join(
                part for part in (pretty(line.phone), line.label, str(line.office or "")) if part
            ),
            why_unusable(line),
        )
        for line in lines
    ]


def office_lines() -> dict[int, Line]:
    """Each office's CTM number: {office id: line}."""
    senders = OfficeSmsSender.objects.select_related("line")
    return {sender.office_id: sender.line for sender in senders}


@transaction.atomic
def set_office_sms_line(*, actor: User, office: Office, line_id: int | None) -> Line | None:
    """Make line `line_id` the sender of the office's SMS automations (None: no number).
    Takes an id: the CP page (in crm, which imports no domain) posts one.

    Raises DomainError for a line that is gone, toll-free or no-reply (no text could go
    out from it). Audited; emits `office.senders_changed`.
    """
    permissions.check(actor, "controlpanel.access", obj=office)
    line = None
    if line_id is not None:
        line = Line.objects.filter(pk=line_id).first()
        if line is None:
            raise DomainError("That number is no longer in the CTM list: reload the page.")
    if line is not None and why_unusable(line):
        kind = "toll-free" if line.is_toll_free else "no-reply"
        raise DomainError(
            f"{pretty(line.phone)} is a {kind} number: texts can't be sent from it. "
            "Pick another number."
        )
    # Locks the office so two saves of its number land one after the other.
    office = Office.objects.select_for_update().get(pk=office.pk)
    current = OfficeSmsSender.objects.filter(office=office).first()
    if (current.line_id if current else None) == (line.pk if line else None):
        return line
    if line is None:
        current.delete()
        text = f"CTM number of {office.name} removed (was {current.line})"
    else:
        OfficeSmsSender.objects.update_or_create(office=office, defaults={"line": line})
        text = f"CTM number of {office.name} set to {line}"
    audit(
        "office.settings_changed",
        text,
        actor=actor,
        office=office,
        metadata={"changed": ["sms_line"], "line_id": line.pk if line else None},
    )
    events.emit("office.senders_changed", actor=actor, office=office, changed=["sms_line"])
    return line
