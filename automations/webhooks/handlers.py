"""The webhooks hear domain events (crm.events handlers, registered by AutomationsConfig.
ready()): each routed event's deliveries are made in one transaction with the slot's
"fired" count, and handed to the sender after commit. Redelivered, an event makes no
second delivery and counts nothing twice (routing.make_deliveries)."""

from django.db import transaction

from automations.webhooks import counting, routing, sending
from crm import events

# The handler's stable key on crm's delivery rows: never rename it.
KEY = "webhooks.fan_out"


def deliver(event) -> list[int]:
    """Make the event's deliveries, count each slot it fired once, queue them after
    commit. Returns the delivery ids made."""
    with transaction.atomic():
        made = routing.make_deliveries(event)
        for slot in made:
            counting.fired(slot)
        ids = [pk for slot_ids in made.values() for pk in slot_ids]
        if ids:
            transaction.on_commit(lambda: sending.queue(ids))
    return ids


for _name in routing.ROUTED_EVENTS:
    events.register(_name, deliver, key=KEY)
