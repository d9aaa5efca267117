"""The widget's state between steps, read from the query string (GET) or the form (POST).

Without JavaScript the widget is a plain multi-step form: each step's form carries the
state in hidden fields (mode flags, UTMs, referrer, the picked service and window), so
nothing lives on the server or in a cookie between steps.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from django.http import QueryDict

from booking import slots
from booking.models import Embed
from booking.services import UTM_KEYS
from crm.untrusted import clean_text

CARRIED = ("inline", "test", "preview", *UTM_KEYS, "ref")
MAX_LENGTHS = {"ref": 500, "preview": 200}
# What the visitor sees on the step that lets them fix a parameter the widget cannot use.
SERVICE_PROBLEM = "That service is not offered. Please pick one below."
NO_SERVICES_PROBLEM = "That service is not offered. Please pick a time below."
MISSING_SERVICE_PROBLEM = "Please pick a service first."
DAY_PROBLEM = "That day is not open for booking. Please pick another."
SLOT_PROBLEM = "That time is no longer available. Please pick another."


def widget_params(request) -> QueryDict:
    """The step's parameters (the query string; the form on a submit) without NUL
    characters and lone surrogates. A request may carry both (a `charset` such as
    unicode_escape in its Content-Type decodes to them); they mean nothing in a name or a
    note, the database refuses NUL and no page holding a lone surrogate can be sent."""
    raw = request.POST if request.method == "POST" else request.GET
    params = QueryDict(mutable=True)
    for key, values in raw.lists():
        params.setlist(clean_text(key), [clean_text(value) for value in values])
    return params


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
    # {"service" | "day": message}: a parameter sent that names no service or no date.
    problems: dict[str, str] = field(default_factory=dict)

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


def read_flow(request, params: QueryDict, embed: Embed) -> Flow:
    """The state in `params` (see `widget_params`); what cannot be used is in `problems`."""
    carried = {}
    for key in CARRIED:
        value = params.get(key, "").strip()
        if value:
            carried[key] = value[: MAX_LENGTHS.get(key, 200)]
    if "ref" not in carried and (referrer := clean_text(_external_referrer(request))):
        carried["ref"] = referrer[:500]
    # UTMs on the host page's URL reach us inside its referrer when the iframe's src has none.
    if carried.get("ref") and not any(key in carried for key in UTM_KEYS):
        for key, value in parse_qsl(_query(carried["ref"])):
            if key in UTM_KEYS and value:
                carried[key] = value[:200]
    flow = Flow(embed=embed, carried=carried, slot=params.get("slot", "").strip()[:13])
    number = params.get("service", "")
    # Exactly "1", "2"...: int() would also take "²", " 1" or 5,000 digits (a ValueError).
    numbers = [str(position) for position in range(1, len(embed.services) + 1)]
    if number in numbers:
        flow.service_number = int(number)
    elif number:
        flow.problems["service"] = SERVICE_PROBLEM if numbers else NO_SERVICES_PROBLEM
    flow.week = slots.parse_date(params.get("week", ""))
    flow.day = slots.parse_date(params.get("day", ""))
    if (params.get("week") and flow.week is None) or (params.get("day") and flow.day is None):
        flow.problems["day"] = DAY_PROBLEM
    return flow


def _query(url: str) -> str:
    try:
        return urlsplit(url).query
    except ValueError:  # a malformed host: "http://[x"
        return ""
