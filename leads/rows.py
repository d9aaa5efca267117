"""What one dashboard row shows, worked out in Python once per row, and its <tr>.

The dashboard re-renders 25 rows on every filter, page and live poll. A row comes from the
values the page read (leads.listing.ROW_FIELDS), not a model instance, and its markup is
one escaped f-string (as jobs/board_html.py): through the template engine a row cost ~25
variable lookups. templates/leads/_partials/rows.html prints `row.html`.
"""

from functools import lru_cache
from html import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from crm import phones
from leads.models import CALLBACK_STATUSES, Status, Urgency
from leads.templatetags.leads_tags import ago

STATUS_LABELS = dict(Status.choices)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.BUSINESS_TIME_ZONE)
    except (KeyError, ValueError):
        return ZoneInfo(settings.BUSINESS_TIME_ZONE)


def _local(when, zone, with_zone: bool = False) -> str:
    if not when:
        return ""
    local = when.astimezone(zone)
    text = f"{local:%b %-d, %-I:%M %p}"
    return f"{text} {local.tzname()}" if with_zone else text


def urgency_of(status: str, next_contact_at, now) -> str:
    """Live urgency (spec: Urgency rules), as `Lead.urgency_at`."""
    if status == Status.FRESH:
        return Urgency.HIGH
    if status in CALLBACK_STATUSES:
        due = next_contact_at is not None and next_contact_at <= now
        return Urgency.HIGH if due else Urgency.MEDIUM
    return Urgency.LOW


def _phone_visible(row: dict, user) -> bool:
    """As `Lead.phone_visible_to`: a Fresh lead's phone is its claimer's (partners sent it)."""
    if not row["phone"]:
        return False
    if row["status"] == Status.FRESH and user.role != "partner":
        return row["claimed_by_id"] is not None and row["claimed_by_id"] == user.pk
    return True


def dashboard_row(row: dict, *, user, now, detail_base: str, sources: dict, offices: dict) -> dict:
    """The flat values of one row (tests and the template read these) plus its `html`."""
    zone = _zone(row["timezone"])
    phone_visible = _phone_visible(row, user)
    source, color = sources.get(row["source_id"], ("", "#64748b"))
    shown = {
        "id": row["id"],
        "url": detail_base + str(row["id"]),
        "name": f"{row['first_name']} {row['last_name']}".strip(),
        "office": offices.get(row["office_id"], ""),
        "received": ago(row["received_at"]),
        "received_iso": row["received_at"].isoformat(),
        "phone": row["phone"] if phone_visible else "",
        "phone_text": phones.pretty(row["phone"]) if phone_visible else phones.masked(row["phone"]),
        "claimed_by": (row["claimed_by__first_name"] or "") if row["claimed_by_id"] else "",
        "tz": now.astimezone(zone).tzname() if row["timezone"] else "",
        "metro": row["metro"],
        "source": source,
        "source_color": color,
        "fee": row["fee"],
        "status": row["status"],
        "status_label": STATUS_LABELS.get(row["status"], row["status"]),
        "urgency": urgency_of(row["status"], row["next_contact_at"], now),
        "is_bookback": row["is_bookback"],
        "is_transferred": row["is_transferred"],
        "next_contact": _local(row["next_contact_at"], zone),
        "next_contact_full": _local(row["next_contact_at"], zone, with_zone=True),
    }
    shown["html"] = row_html(shown)
    return shown


def _phone_cell(row: dict) -> str:
    cell = ""
    if row["phone"]:
        cell = f'<a href="tel:{escape(row["phone"])}" data-dial>{escape(row["phone_text"])}</a>'
    elif row["phone_text"]:
        cell = (
            '<span class="phone-masked" aria-label="Hidden until you claim">'
            f"{escape(row['phone_text'])}</span>"
        )
    if row["claimed_by"]:
        cell += (
            f' <span class="pill pill--claim" title="Claimed">📞 {escape(row["claimed_by"])}</span>'
        )
    return cell


def row_html(row: dict) -> SafeString:
    """A <tr> that opens the lead's panel on click (its phone link dials instead)."""
    url, name, color = escape(row["url"]), escape(row["name"]), escape(row["source_color"])
    fee = (
        f' <span class="pill pill--fee" title="Lead fee">💵 ${row["fee"]}</span>'
        if row["fee"]
        else ""
    )
    flags = ('<span class="pill pill--bookback">⚡</span>' if row["is_bookback"] else "") + (
        '<span class="pill pill--transferred" title="Transferred">🔀</span>'
        if row["is_transferred"]
        else ""
    )
    status = escape(row["status"])
    return mark_safe(
        f'<tr class="is-clickable lead-row lead-row--{row["urgency"]}" data-lead-id="{row["id"]}"'
        f' data-lead-name="{name}" hx-get="{url}" hx-target="#right-panel-body" data-open-right>'
        f'<td class="nowrap">{escape(row["office"])}</td>'
        f'<td class="nowrap" title="{row["received_iso"]}">{escape(row["received"])}</td>'
        f'<td><span class="lead-name" title="{name}">{name}</span></td>'
        f'<td class="nowrap">{_phone_cell(row)}</td>'
        f"<td>{escape(row['tz'])}</td>"
        f'<td class="nowrap">{escape(row["metro"])}</td>'
        f'<td class="nowrap"><span class="pill" style="background:{color}1a;color:{color}">'
        f"{escape(row['source'])}</span>{fee}</td>"
        f'<td class="nowrap"><span class="status status--{status}">'
        f"{escape(row['status_label'])}</span>"
        f' <span class="urgency urgency--{row["urgency"]}">{row["urgency"]}</span></td>'
        f'<td class="center">{flags}</td>'
        f'<td class="nowrap" title="{escape(row["next_contact_full"])}">'
        f"{escape(row['next_contact'])}</td>"
        f'<td class="nowrap"><a class="btn btn--sm" href="{url}" data-open-lead>Open</a></td>'
        "</tr>"
    )
