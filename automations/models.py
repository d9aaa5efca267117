"""The app's models live beside the code that uses them (automations/webhooks/models.py,
automations/rules/models.py)."""

from automations.rules.models import AutomationSettings, Rule, RuleLog, RuleStamp
from automations.webhooks.models import Attempt, DailyCount, Delivery, Endpoint, Slot

__all__ = [
    "Attempt",
    "AutomationSettings",
    "DailyCount",
    "Delivery",
    "Endpoint",
    "Rule",
    "RuleLog",
    "RuleStamp",
    "Slot",
]
