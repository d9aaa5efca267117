"""Re-encrypt every stored secret with the newest key (README → Configuration).

Run it once the new key stands first in FIELD_ENCRYPTION_KEYS and is deployed; after it,
the old key can leave the list. A value already sealed with the newest key is left alone,
so a second run changes nothing. A value no key opens is reported and left as it is: a
key put back in the list may still open it.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models.functions import Cast

from crm.fields import EncryptedTextField, reencrypt
from crm.timeline.models import AuditEvent
from crm.timeline.services import audit


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the newest key of FIELD_ENCRYPTION_KEYS."

    @transaction.atomic
    def handle(self, *args, **options):
        rotated, current, unreadable = 0, 0, []
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, EncryptedTextField):
                    continue
                name = f"{model._meta.label}.{field.name}"
                counts = _rotate(model, field)
                rotated += counts["rotated"]
                current += counts["current"]
                unreadable += [f"{name} (id {pk})" for pk in counts["unreadable"]]
                self.stdout.write(
                    f"{name}: {counts['rotated']} re-encrypted, {counts['current']} already "
                    f"current, {len(counts['unreadable'])} unreadable"
                )
        for value in unreadable:
            self.stdout.write(f"No key opens {value}: left unchanged; enter it again.")
        self.stdout.write(
            f"Done: {rotated} re-encrypted, {current} already current, "
            f"{len(unreadable)} unreadable."
        )
        if rotated:
            audit(
                AuditEvent.Kind.SECRETS_ROTATED,
                f"{rotated} stored secrets re-encrypted with the newest key"
                + (f"; {len(unreadable)} can't be decrypted" if unreadable else ""),
                metadata={
                    "re_encrypted": rotated,
                    "already_current": current,
                    "unreadable": unreadable,
                },
            )


def _rotate(model: type[models.Model], field: EncryptedTextField) -> dict:
    """Re-seal one column's values; locked so a save in between can't be overwritten."""
    # The raw column: reading the field itself would decrypt it and hide which key did.
    rows = (
        model._base_manager.select_for_update()
        .exclude(**{field.name: ""})
        .annotate(sealed=Cast(field.name, models.TextField()))
        .values_list("pk", "sealed")
    )
    counts = {"rotated": 0, "current": 0, "unreadable": []}
    for pk, sealed in list(rows):
        try:
            resealed = reencrypt(sealed)
        except ValueError:
            counts["unreadable"].append(pk)
            continue
        if resealed is None:
            counts["current"] += 1
            continue
        # A plain-text Value: the field would encrypt what is already sealed.
        value = models.Value(resealed, output_field=models.TextField())
        model._base_manager.filter(pk=pk).update(**{field.name: value})
        counts["rotated"] += 1
    return counts
