"""What cached jobs data depends on besides its own rows: the settings on their ticked
offices and each office's Jobs feature switch, the board's dropdowns on their lists."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from contractors.models import Contractor, JobPartner, JobType
from crm.accounts.models import Office
from jobs.forms import forget_filter_choices
from jobs.models import JobsSettings


@receiver(m2m_changed, sender=JobsSettings.auto_advance_offices.through)
def _ticked_offices_changed(**kwargs) -> None:
    JobsSettings.forget()


@receiver(post_save, sender=Office)
def _office_saved(**kwargs) -> None:
    JobsSettings.forget()


# The board's dropdowns (`jobs.forms.filter_choices`): a renamed, added or removed
# contractor, job type or partner shows on the next load.
for model in (Contractor, JobPartner, JobType):
    post_save.connect(forget_filter_choices, sender=model, dispatch_uid=f"filters-{model.__name__}")
    post_delete.connect(
        forget_filter_choices, sender=model, dispatch_uid=f"filters-gone-{model.__name__}"
    )
