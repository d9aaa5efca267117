"""Every saved or deleted embed drops its cached copy (see widget_cache), whoever saved it."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from booking import widget_cache
from booking.models import Embed


@receiver(post_save, sender=Embed)
@receiver(post_delete, sender=Embed)
def _embed_changed(instance: Embed, **kwargs) -> None:
    widget_cache.forget(instance.slug)
