from django.db import transaction

from crm import events
from crm.controlpanel.models import AppSettings
from crm.errors import DomainError
from crm.permissions import check
from crm.timeline.services import audit


@transaction.atomic
def update_app_settings(*, actor, escalation_timer_minutes: int) -> AppSettings:
    """Save CP → App Settings; every change is audited."""
    check(actor, "controlpanel.access")
    if not 1 <= escalation_timer_minutes <= 24 * 60:
        raise DomainError("The escalation timer must be between 1 and 1440 minutes.")
    app_settings = AppSettings.objects.select_for_update().get(pk=AppSettings.load().pk)
    old = app_settings.escalation_timer_minutes
    if old == escalation_timer_minutes:
        return app_settings
    app_settings.escalation_timer_minutes = escalation_timer_minutes
    app_settings.save(update_fields=["escalation_timer_minutes"])
    audit(
        "settings.changed",
        f"Escalation timer changed from {old} to {escalation_timer_minutes} minutes",
        actor=actor,
        metadata={"escalation_timer_minutes": [old, escalation_timer_minutes]},
    )
    events.emit(
        "app_settings.saved", actor=actor, escalation_timer_minutes=escalation_timer_minutes
    )
    return app_settings


@transaction.atomic
def set_google_places_key(*, actor, api_key: str) -> AppSettings:
    """Store (encrypted) or clear the Google Places key; the key itself is never audited."""
    check(actor, "controlpanel.access")
    app_settings = AppSettings.objects.select_for_update().get(pk=AppSettings.load().pk)
    stored = app_settings.google_places_api_key
    # A key no encryption key opens reads as "" (crm.fields.UnreadableSecret); removing
    # it is still a change, keeping it (a blank input hands it back) is not.
    if stored == api_key and type(stored) is type(api_key):
        return app_settings
    app_settings.google_places_api_key = api_key
    app_settings.save(update_fields=["google_places_api_key"])
    state = "set" if api_key else "cleared"
    audit(
        "settings.changed",
        f"Google Places API key {state}",
        actor=actor,
        metadata={"google_places_api_key": state},
    )
    events.emit("google_places_key.saved", actor=actor, google_places_api_key=state)
    return app_settings
