"""What the cached jobs settings depend on besides their own row: their ticked offices,
and each office's Jobs feature switch."""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from crm.accounts.models import Office
from jobs.models import JobsSettings


@receiver(m2m_changed, sender=JobsSettings.auto_advance_offices.through)
def _ticked_offices_changed(**kwargs) -> None:
    JobsSettings.forget()


@receiver(post_save, sender=Office)
def _office_saved(**kwargs) -> None:
    JobsSettings.forget()
