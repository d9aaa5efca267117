"""The Timeline's and the Audit log's rows as HTML, built once per row (as the Jobs board
and /finance do): 50 rows through the template engine cost several times the page's SQL.
`format_html` escapes every value."""

from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from crm.templatetags.clock import business_time
from crm.timeline.models import AuditEvent, TimelineEntry

FEED_ROW = (
    '<tr>\n  <td class="nowrap" title="{}">{}</td>\n'
    '  <td><strong class="cell-trunc log-table__subject" title="{}">{}</strong></td>\n'
    '  <td><span class="pill pill--{}">{}</span></td>\n'
    '  <td class="log-table__text">{}</td>\n'
    '  <td class="nowrap"><span class="cell-trunc log-table__who" title="{}">{}</span></td>\n'
    '  <td class="nowrap"><span class="cell-trunc log-table__who" title="{}">{}</span></td>\n'
    "</tr>\n"
)
AUDIT_ROW = (
    '<tr class="is-clickable" hx-get="{}" hx-target="#right-panel-body" data-open-right>\n'
    '  <td class="nowrap" title="{}">{}</td>\n'
    '  <td><span class="pill">{}</span></td>\n'
    '  <td class="log-table__text">{}</td>\n'
    '  <td class="nowrap"><span class="cell-trunc log-table__who" title="{}">{}</span></td>\n'
    '  <td class="nowrap"><span class="cell-trunc log-table__who" title="{}">{}</span></td>\n'
    "</tr>\n"
)
FEED_KINDS = dict(TimelineEntry.Kind.choices)
AUDIT_KINDS = dict(AuditEvent.Kind.choices)


def _when(at) -> tuple[str, str]:
    return timezone.localtime(at).isoformat(), business_time(at)


def feed_rows_html(entries) -> SafeString:
    """Entries with `actor` and `office` selected."""
    html = []
    for entry in entries:
        by = (entry.actor.full_name if entry.actor else "") or "System"
        office = (entry.office.name if entry.office else "") or "—"
        html.append(
            format_html(
                FEED_ROW,
                *_when(entry.created_at),
                entry.subject_label,
                entry.subject_label,
                entry.kind,
                FEED_KINDS.get(entry.kind, entry.kind),
                linebreaksbr(entry.body),
                by,
                by,
                office,
                office,
            )
        )
    return mark_safe("".join(html))


def audit_rows_html(events) -> SafeString:
    detail_base = reverse("timeline:audit_detail", args=[0])[:-1]
    html = []
    for event in events:
        html.append(
            format_html(
                AUDIT_ROW,
                f"{detail_base}{event.pk}",
                *_when(event.created_at),
                AUDIT_KINDS.get(event.kind, event.kind),
                event.text,
                event.actor_label,
                event.actor_label,
                event.office_label,
                event.office_label,
            )
        )
    return mark_safe("".join(html))
