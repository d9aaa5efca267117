"""Automation rules hear job and lead events (registered by AutomationsConfig.ready()).
`job.imported` is not heard: a Workiz import fires nothing."""

from automations.rules import firing
from crm import events

# The handler's stable key on crm's delivery rows: never rename it.
KEY = "automations.rules"

for _name in firing.EVENT_TRIGGERS:
    events.register(_name, firing.on_event, key=KEY)
