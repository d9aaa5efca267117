"""Stored secrets that no encryption key opens (a flipped bit, a lost key).

They read as "not set" (`crm.fields.UnreadableSecret`), so every page still works; the
owner reads a notice beside the setting, and the audit log gets one entry per unreadable
value, however many pages read it.
"""

from django.db import models, transaction

from crm.fields import EncryptedTextField, UnreadableSecret
from crm.timeline.models import AuditEvent
from crm.timeline.services import audit


def notice(value: str, label: str) -> str:
    """The owner's notice for a secret setting; "" while it is readable or not set."""
    if isinstance(value, UnreadableSecret):
        return f"The stored {label} can't be decrypted: enter it again."
    return ""


def report_unreadable(instance: models.Model) -> None:
    """Audit each secret of `instance` that no key opens, once per stored value.

    Runs on every read of a settings row: while all is well it costs no query.
    """
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(field, EncryptedTextField) and isinstance(value, UnreadableSecret):
            _audit_once(instance, field, value)


def _audit_once(instance: models.Model, field: EncryptedTextField, value: UnreadableSecret):
    if _is_reported(value):
        return
    with transaction.atomic():
        # Two processes can read the row at once; locking it (SQLite: taking the write
        # lock) before asking the log again lets only the first one write the entry.
        rows = type(instance)._default_manager.select_for_update().filter(pk=instance.pk)
        list(rows.values_list("pk", flat=True))
        if _is_reported(value):
            return
        name = f"{instance._meta.label}.{field.name}"
        audit(
            AuditEvent.Kind.SECRET_UNREADABLE,
            f"Stored {field.verbose_name} can't be decrypted ({name}); it reads as not set "
            "until it is entered again.",
            metadata={"field": name, "digest": value.digest},
        )


def _is_reported(value: UnreadableSecret) -> bool:
    # The digest names one stored ciphertext: a new value that breaks again is a new entry.
    return AuditEvent.objects.filter(
        kind=AuditEvent.Kind.SECRET_UNREADABLE, metadata__digest=value.digest
    ).exists()
