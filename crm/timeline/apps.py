from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "crm.timeline"
    label = "timeline"
    verbose_name = "Timeline and audit"

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_delete, post_save

        from crm.timeline.forms import forget_staff_choices

        # The feed's User filter lists staff from the cache: a saved or deleted login
        # (a rename, a new hire, a role change) redraws it.
        user = settings.AUTH_USER_MODEL
        post_save.connect(forget_staff_choices, sender=user, dispatch_uid="timeline-staff-saved")
        post_delete.connect(forget_staff_choices, sender=user, dispatch_uid="timeline-staff-gone")
