"""The widget's state between steps, read from the query string (GET) or the form (POST).

Without JavaScript the widget is a plain multi-step form: each step's form carries the
state in hidden fields (mode flags, UTMs, referrer, the picked service and window), so
nothing lives on the server or in a cookie between steps.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from booking import slots
from booking.models import Embed
from booking.services import UTM_KEYS

CARRIED = ("inline", "test", "preview", *UTM_KEYS, "ref")
MAX_LENGTHS = {"ref": 500, "preview": 200}


def _external_referrer(request) -> str:
    """The Referer header when it names another site: the host page on the first load."""
    referer = request.headers.get("Referer", "")
    try:
        host = urlsplit(referer).netloc
    except ValueError:
        return ""
    return referer if host and host != request.get_host() else ""


@dataclass
class Flow:
    embed: Embed
    carried: dict[str, str] = field(default_factory=dict)
    service_number: int | None = None  # 1-based, into embed.services
    week: datetime.date | None = None
    day: datetime.date | None = None
    slot: str = ""

    @property
    def is_inline(self) -> bool:
        return self.carried.get("inline") == "1"

    @property
    def is_test(self) -> bool:
        return self.carried.get("test") == "1"

    @property
    def service(self) -> dict | None:
        if self.service_number is None:
            return None
        return self.embed.services[self.service_number - 1]

    @property
    def utm(self) -> dict[str, str]:
        return {key: self.carried[key] for key in UTM_KEYS if self.carried.get(key)}

    @property
    def referrer(self) -> str:
        return self.carried.get("ref", "")

    def hidden(self, *, service: bool = True, **extra) -> list[tuple[str, str]]:
        """(name, value) pairs for a step's hidden inputs: the carried state, the service
        (unless the form is the one choosing it) and `extra`."""
        pairs = [(key, value) for key, value in self.carried.items() if value]
        if service and self.service_number is not None:
            pairs.append(("service", str(self.service_number)))
        pairs.extend((key, value) for key, value in extra.items() if value)
        return pairs

    def window(self, now=None) -> slots.Window | None:
        embed = self.embed
        return slots.find_window(
            self.slot,
            open_hour=embed.open_hour,
            close_hour=embed.close_hour,
            zone=embed.zone,
            now=now,
        )


def read_flow(request, embed: Embed) -> Flow:
    params = request.POST if request.method == "POST" else request.GET
    carried = {}
    for key in CARRIED:
        value = params.get(key, "").strip()
        if value:
            carried[key] = value[: MAX_LENGTHS.get(key, 200)]
    if "ref" not in carried and (referrer := _external_referrer(request)):
        carried["ref"] = referrer[:500]
    # UTMs on the host page's URL reach us inside its referrer when the iframe's src has none.
    if carried.get("ref") and not any(key in carried for key in UTM_KEYS):
        for key, value in parse_qsl(urlsplit(carried["ref"]).query):
            if key in UTM_KEYS and value:
                carried[key] = value[:200]
    flow = Flow(embed=embed, carried=carried, slot=params.get("slot", "").strip()[:13])
    number = params.get("service", "")
    if number.isdigit() and 1 <= int(number) <= len(embed.services):
        flow.service_number = int(number)
    flow.week = slots.parse_date(params.get("week", ""))
    flow.day = slots.parse_date(params.get("day", ""))
    return flow
