"""One clock rule: every moment a person reads is on the business clock, with its zone.

The server and the database run on UTC, so a raw `{{ when|date:"g:i A" }}` prints UTC as if it
were local ("Dec 6, 4:34 AM" for a claim made at 11:34 PM Eastern). Templates print moments
through `business_time` (crm/templatetags/clock.py), or through the lead's or job's own clock
where the spec shows that (`lead_local`), each labelled with its zone.
"""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from crm.templatetags.clock import business_time
from tests.factories import AuditEventFactory, OfficeFactory, TimelineEntryFactory

# 11:34 PM Eastern on Saturday, Dec 5, 2026 — already Sunday in UTC.
CLAIMED = datetime.datetime(2026, 12, 6, 4, 34, 56, tzinfo=datetime.UTC)
SUMMER = datetime.datetime(2026, 7, 4, 16, 5, tzinfo=datetime.UTC)  # 12:05 PM EDT

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Django date-format characters that print a clock or a zone (escaped ones, \a, are literal).
TIME_CHARACTERS = set("aAfgGhHisuPeIOTZcrU")
# Whole-moment machine formats: fine for tooltips and attributes, never as the visible text.
MACHINE_FORMATS = {"c", "U", "r"}
VARIABLE = re.compile(r"\{\{(?P<body>.*?)\}\}", re.S)
DATE_FILTER = re.compile(
    r"\|\s*date\b(?:\s*:\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<var>\w+)))?"
)
OTHER_CLOCKS = re.compile(r"\|\s*(?:time|localtime|utc|timezone)\b")
NOW_TAG = re.compile(r"\{%\s*now\s+(?:\"([^\"]*)\"|'([^']*)')")
TIMEZONE_TAG = re.compile(r"\{%\s*(?:timezone|localtime)\b")
IN_ATTRIBUTE = re.compile(r"[\w:.-]+\s*=\s*[\"'][^\"'<>]*$")


def _prints_a_clock(date_format: str) -> bool:
    characters, escaped = set(), False
    for character in date_format:
        if not escaped and character != "\\":
            characters.add(character)
        escaped = not escaped and character == "\\"
    return bool(characters & TIME_CHARACTERS)


def raw_times(source: str) -> list[str]:
    """Every place in a template's source that prints a moment without the shared filter."""
    problems = []
    for variable in VARIABLE.finditer(source):
        body = variable.group("body")
        in_attribute = bool(IN_ATTRIBUTE.search(source[: variable.start()].rsplit("\n", 1)[-1]))
        for match in DATE_FILTER.finditer(body):
            date_format = match.group("dq") or match.group("sq")
            if match.group("var"):
                problems.append(f"{{{{{body}}}}} (a format from a variable)")
            elif date_format in MACHINE_FORMATS:
                if not in_attribute:  # title="{{ when|date:'c' }}", datetime="..." are fine
                    problems.append(f"{{{{{body}}}}} (a machine format as visible text)")
            elif date_format is None or not _prints_a_clock(date_format):
                continue  # the default DATE_FORMAT, or a date-only format
            else:
                problems.append(f"{{{{{body}}}}}")
        if OTHER_CLOCKS.search(body):
            problems.append(f"{{{{{body}}}}}")
    for match in NOW_TAG.finditer(source):
        if _prints_a_clock(match.group(1) or match.group(2)):
            problems.append(match.group(0))
    problems += [match.group(0) for match in TIMEZONE_TAG.finditer(source)]
    return problems


def test_no_template_prints_a_raw_time():
    found = {
        str(path.relative_to(TEMPLATES)): problems
        for path in sorted(TEMPLATES.rglob("*"))
        if path.suffix in {".html", ".txt", ".xml"}
        and (problems := raw_times(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "print moments with {% load clock %}{{ when|business_time }}"


@pytest.mark.parametrize(
    "source",
    [
        '{{ entry.created_at|date:"M j, g:i A" }}',  # the timeline feed, before
        '{{ event.created_at|date:"l, M j, Y · g:i:s A e" }}',  # the audit detail, before
        '{{ row.received_at|date:"M j, g:i A T" }}',  # CP inbox failures, before
        "{{ at|date:'M j, Y g:i A' }}",  # the finance paid tooltip, before
        '{% timezone "America/New_York" %}{{ lead.received_at|date:"M j" }}{% endtimezone %}',
        "{{ when|time }}",
        '{{ when|time:"H:i" }}',
        "{{ when|localtime }}",
        "{{ when|date:some_format }}",
        "<td>{{ when|date:'c' }}</td>",  # a machine format as the visible text
        '{% now "jS F Y H:i" %}',
    ],
)
def test_the_walker_catches_raw_times(source):
    assert raw_times(source)


@pytest.mark.parametrize(
    "source",
    [
        "{{ when|business_time }}",
        '{{ when|business_time:"long" }}',
        "{{ when|lead_local:lead }}",
        '{{ job.archived_at|date:"M j, Y" }}',
        "{{ day|date:'l, F j' }}",
        "{{ week|date:'Y-m-d' }}",
        "{{ when|date }}",
        "<td title=\"{{ entry.created_at|date:'c' }}\">",
        '<time datetime="{{ when|date:"c" }}">',
        '{{ when|date:"\\a\\t M j" }}',  # escaped letters are literal
        '{% now "Y" %}',
        "{{ lead.claimed_at|timesince }}",
    ],
)
def test_the_walker_allows_dates_and_machine_formats(source):
    assert raw_times(source) == []


def test_business_time_is_the_business_clock_with_its_zone():
    assert settings.BUSINESS_TIME_ZONE == "America/New_York"
    assert business_time(CLAIMED) == "Dec 5, 11:34 PM EST"
    assert business_time(SUMMER) == "Jul 4, 12:05 PM EDT"
    assert business_time(CLAIMED, "year") == "Dec 5, 2026, 11:34 PM EST"
    assert business_time(CLAIMED, "long") == "Saturday, Dec 5, 2026 · 11:34:56 PM EST"
    assert business_time(CLAIMED, "date") == "Dec 5, 2026"  # the business day, not UTC's
    assert business_time(CLAIMED.replace(tzinfo=None)) == "Dec 5, 11:34 PM EST"  # naive = UTC
    assert business_time(datetime.date(2026, 12, 5)) == "Dec 5, 2026"
    assert business_time(None) == business_time("") == ""


def test_finance_reaches_the_same_filter():
    from finance.templatetags.finance_tags import register

    assert register.filters["business_time"] is business_time


@pytest.mark.django_db
@time_machine.travel(CLAIMED + datetime.timedelta(hours=1), tick=False)
def test_a_late_claim_reads_in_eastern_time_on_the_timeline(client, owner):
    office = OfficeFactory(name="Sliding")
    owner.offices.add(office)
    TimelineEntryFactory(
        office=office, subject_label="Maria Lopez", body="Lead claimed by Dana", created_at=CLAIMED
    )
    client.force_login(owner)
    page = client.get(reverse("timeline:feed")).content.decode()
    assert "Lead claimed by Dana" in page
    assert "Dec 5, 11:34 PM EST" in page
    assert "Dec 6, 4:34 AM" not in page
    assert 'title="2026-12-06T04:34:56+00:00"' in page  # the exact moment stays in the tooltip


@pytest.mark.django_db
@time_machine.travel(CLAIMED + datetime.timedelta(hours=1), tick=False)
def test_a_late_event_reads_in_eastern_time_on_the_audit_log(client, owner):
    event = AuditEventFactory(text="Lead claimed by Dana", created_at=CLAIMED)
    client.force_login(owner)
    rows = client.get(reverse("timeline:audit")).content.decode()
    assert "Lead claimed by Dana" in rows
    assert "Dec 5, 11:34 PM EST" in rows
    assert "Dec 6, 4:34 AM" not in rows
    detail = client.get(reverse("timeline:audit_detail", args=[event.pk])).content.decode()
    assert "Saturday, Dec 5, 2026 · 11:34:56 PM EST" in detail
    assert "Sunday" not in detail


def test_a_subject_timeline_reads_in_eastern_time():
    entry = TimelineEntryFactory.build(body="Lead claimed by Dana", created_at=CLAIMED)
    html = render_to_string("timeline/_partials/subject_timeline.html", {"timeline": [entry]})
    assert "Dec 5, 11:34 PM EST" in html
