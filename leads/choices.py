"""The lead sources as the dashboard reads them (filter choices, a row's label and colour),
cached: they change a few times a year, in the CP, and every dashboard request needs them.
A saved or deleted source forgets the cached list once its transaction commits (the CP
actions save sources one by one; the reorder bulk-update calls `forget_sources` itself);
the timeout bounds anything else."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from leads.models import LeadSource

KEY = "leads:sources:v1"
TIMEOUT = 300


def sources() -> list[tuple[int, str, str]]:
    """(id, label, colour) of every source, in the CP's order."""
    found = cache.get(KEY)
    if found is None:
        found = list(LeadSource.objects.values_list("id", "label", "color"))
        cache.set(KEY, found, TIMEOUT)
    return found


def source_map(found: list | None = None) -> dict[int, tuple[str, str]]:
    """{id: (label, colour)}, of `found` (`sources()` already read) or read now."""
    return {pk: (label, color) for pk, label, color in (found or sources())}


def forget_sources() -> None:
    cache.delete(KEY)
    transaction.on_commit(lambda: cache.delete(KEY))


@receiver(post_save, sender=LeadSource)
@receiver(post_delete, sender=LeadSource)
def _source_changed(**kwargs) -> None:
    forget_sources()
