import os
from pathlib import Path

from django.apps import AppConfig


def record_delivery(event) -> None:
    with Path(os.environ["EVENT_PROBE_FILE"]).open("a") as file:
        file.write(f"{event.pk} {event.name} {event.payload}\n")


class EventProbeConfig(AppConfig):
    name = "tests.core.event_probe"
    label = "event_probe"

    def ready(self) -> None:
        from crm import events

        events.register("office.settings_changed", record_delivery, key="tests.worker_probe")
