"""The app's models live beside the code that uses them (automations/webhooks/models.py)."""

from automations.webhooks.models import Attempt, DailyCount, Delivery, Endpoint, Slot

__all__ = ["Attempt", "DailyCount", "Delivery", "Endpoint", "Slot"]
