"""CP → CTM Numbers: the CTM account, syncing our numbers from it, and each line's settings."""

from django.db import transaction
from django.utils import timezone

from crm.errors import DomainError
from crm.permissions import check
from crm.phones import normalize_phone
from crm.timeline.models import AuditEvent
from crm.timeline.services import audit
from messaging.models import Line, MessagingSettings
from messaging.providers import SendFailed
from messaging.providers.ctm import CtmProvider

LINE_FIELDS = ("office", "no_reply", "tracking_source")


def save_ctm_settings(*, actor, account_id: str, access_key: str = "", secret_key: str = ""):
    """The account id, and each key when one is typed (blank keeps the stored one)."""
    check(actor, "sms.manage")
    stored = MessagingSettings.load()
    stored.ctm_account_id = account_id.strip()
    changed = ["account id"]
    if access_key:
        stored.ctm_access_key, changed = access_key.strip(), [*changed, "access key"]
    if secret_key:
        stored.ctm_secret_key, changed = secret_key.strip(), [*changed, "secret key"]
    with transaction.atomic():
        stored.save()
        # Names only: a key's value never reaches the audit log.
        audit(
            AuditEvent.Kind.SMS_SETTINGS,
            f"CTM settings saved ({', '.join(changed)})",
            actor=actor,
            metadata={"changed": changed},
        )
    return stored


def sync(*, actor) -> int:
    """Add new numbers from CTM and refresh the labels of known ones; returns how many
    numbers CTM listed. Raises DomainError without credentials or when CTM refuses."""
    check(actor, "sms.manage")
    stored = MessagingSettings.load()
    if not stored.has_ctm_credentials:
        if actor is None:
            return 0  # the nightly run on an install without CTM
        raise DomainError("Enter the CTM account ID and both keys first.")
    try:
        listed = CtmProvider.from_settings(stored).numbers()
    except SendFailed as exc:
        raise DomainError(f"CTM refused the numbers list: {exc}") from exc
    now = timezone.now()
    with transaction.atomic():
        for number in listed:
            try:
                phone = normalize_phone(number.phone)
            except ValueError:
                continue  # a CTM row without a dialable number
            line, created = Line.objects.get_or_create(
                phone=phone,
                defaults={"label": number.label, "provider_ref": number.provider_ref},
            )
            line.label, line.provider_ref, line.synced_at = (
                number.label or line.label,
                number.provider_ref,
                now,
            )
            line.save(update_fields=["label", "provider_ref", "synced_at"])
        MessagingSettings.objects.filter(pk=stored.pk).update(last_numbers_sync_at=now)
    return len(listed)


def update_line(*, actor, line: Line, **values) -> Line:
    """Office, no-reply and Tracking Source of one number, audited with what changed."""
    check(actor, "sms.manage")
    unknown = set(values) - set(LINE_FIELDS)
    if unknown:
        raise DomainError(f"Unknown line fields: {', '.join(sorted(unknown))}")
    if "tracking_source" in values:
        values["tracking_source"] = values["tracking_source"].strip()
    changes = {}
    for name, value in values.items():
        old = getattr(line, name)
        if old != value:
            changes[name] = (str(old or ""), str(value or ""))
            setattr(line, name, value)
    if not changes:
        return line
    with transaction.atomic():
        line.save(update_fields=list(values))
        # Threads are scoped by their line's office: they follow it.
        if "office" in changes:
            line.threads.update(office=line.office)
        audit(
            AuditEvent.Kind.SMS_LINE,
            f"CTM number {line} changed: {', '.join(changes)}",
            actor=actor,
            office=line.office,
            metadata={"line": line.pk, "changes": changes},
        )
    return line


def office_for_tracking_source(label: str):
    """(office, the number) of the line whose Tracking Source is `label` (exact,
    case-insensitive; one with an office), or None."""
    label = (label or "").strip()
    if not label:
        return None
    line = (
        Line.objects.filter(tracking_source__iexact=label, office__isnull=False)
        .select_related("office")
        .order_by("pk")
        .first()
    )
    return (line.office, str(line)) if line else None
