"""The Timeline's and the Audit log's rows as HTML, built once per row from the values the
page read (as the Jobs board and /finance do): 50 rows through the template engine, or as
model instances through `format_html`, cost several times the page's SQL. Every value is
escaped here (tests/timeline hold each typed field to it)."""

from html import escape

from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from crm.templatetags.clock import business_time
from crm.timeline.models import AuditEvent, TimelineEntry

# What each row shows, read with values(): no model instances, no joined User built.
FEED_FIELDS = (
    "id",
    "created_at",
    "subject_label",
    "kind",
    "body",
    "actor_id",
    "actor__first_name",
    "actor__last_name",
    "office__name",
)
AUDIT_FIELDS = ("id", "created_at", "kind", "text", "actor_label", "office_label")
FEED_KINDS = dict(TimelineEntry.Kind.choices)
AUDIT_KINDS = dict(AuditEvent.Kind.choices)


def _when(at) -> str:
    """The time cell: the business clock shown, the exact local moment as its tooltip."""
    return (
        f'<td class="nowrap" title="{timezone.localtime(at).isoformat()}">{business_time(at)}</td>'
    )


def _who(text: str) -> str:
    text = escape(text)
    return (
        f'<td class="nowrap"><span class="cell-trunc log-table__who" title="{text}">{text}</span>'
        "</td>"
    )


def feed_rows_html(entries) -> SafeString:
    """Rows read with FEED_FIELDS."""
    html = []
    for entry in entries:
        by = "System"
        if entry["actor_id"]:
            by = f"{entry['actor__first_name']} {entry['actor__last_name']}".strip() or by
        subject, kind = escape(entry["subject_label"]), escape(entry["kind"])
        html.append(
            f"<tr>\n  {_when(entry['created_at'])}\n"
            f'  <td><strong class="cell-trunc log-table__subject" title="{subject}">{subject}'
            "</strong></td>\n"
            f'  <td><span class="pill pill--{kind}">'
            f"{escape(FEED_KINDS.get(entry['kind'], entry['kind']))}</span></td>\n"
            f'  <td class="log-table__text">{linebreaksbr(entry["body"], autoescape=True)}</td>\n'
            f"  {_who(by)}\n  {_who(entry['office__name'] or '—')}\n</tr>\n"
        )
    return mark_safe("".join(html))


def audit_rows_html(events) -> SafeString:
    """Rows read with AUDIT_FIELDS."""
    detail_base = reverse("timeline:audit_detail", args=[0])[:-1]
    html = []
    for event in events:
        html.append(
            f'<tr class="is-clickable" hx-get="{detail_base}{event["id"]}" '
            'hx-target="#right-panel-body" data-open-right>\n'
            f"  {_when(event['created_at'])}\n"
            f'  <td><span class="pill">{escape(AUDIT_KINDS.get(event["kind"], event["kind"]))}'
            "</span></td>\n"
            f'  <td class="log-table__text">{escape(event["text"])}</td>\n'
            f"  {_who(event['actor_label'])}\n  {_who(event['office_label'])}\n</tr>\n"
        )
    return mark_safe("".join(html))
