"""The panel's list rows and a thread's messages as HTML, built once per row (as the webhooks'
📜 Timeline and the Jobs board do): a hundred messages through the template engine cost
~35 ms a load, five times the page's SQL, and fifty list rows about twice theirs. Every
stored value is escaped here (tests/messaging/test_panel_list.py holds hostile values to
it); the markup is what the panel's templates drew."""

from html import escape

from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from crm.templatetags.clock import business_time
from leads.templatetags.leads_tags import ago
from messaging.models import Message

# Shown inline by the browser; any other kind (SVG, PDF, audio, video) is downloaded, so a
# file a customer sent can never run as a page of ours.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
PURPOSES = dict(Message.Purpose.choices)
STATUSES = dict(Message.Status.choices)


def rows_html(rows: list[dict]) -> SafeString:
    """`rows`: panel_queries.thread_rows's."""
    thread_url = reverse("sms:thread", args=[0])[:-1]
    return mark_safe("".join(_row(row, f"{thread_url}{row['id']}") for row in rows))


def _row(row: dict, url: str) -> str:
    if row["lead_name"]:
        who = f'<span class="sms-row__lead">{escape(row["lead_name"])}</span>'
    else:
        who = f'<span class="sms-row__phone">{escape(row["phone"])}</span>'
    line = escape(f"{row['line']} {row['line__label']}".strip())
    office = escape(row["office__name"] or "no office")
    inbound = row["last_direction"] == "in"
    direction = (
        f'<span class="sms-dir" title="{"Inbound" if inbound else "Outbound"}">'
        f"{'←' if inbound else '→'}</span>"
    )
    if row["unresolved_count"]:
        count = row["unresolved_count"]
        mark = f'<span class="count-badge" title="{count} unresolved inbound">{count}</span>'
    elif row["marked_unread"]:
        mark = '<span class="sms-dot" title="Marked unread">●</span>'
    else:
        mark = ""
    moment = row["last_message_at"]
    return (
        f'<li class="sms-row{" is-unread" if row["needs_attention"] else ""}" '
        f'data-thread-id="{row["id"]}">'
        f'<a class="sms-row__link" href="{url}" hx-get="{url}" hx-target="#sms-thread" '
        f'data-sms-open="{row["id"]}">'
        f'<span class="sms-row__top">{who}<span class="sms-row__time" '
        f'title="{business_time(moment, "year")}">{ago(moment)}</span></span>'
        f'<span class="sms-row__line">{line} · {office}</span>'
        f'<span class="sms-row__bottom"><span class="sms-row__snippet">{direction} '
        f"{escape(row['last_snippet'])}</span>{mark}</span></a></li>"
    )


def messages_html(messages: list[dict], files: dict[int, list[dict]]) -> SafeString:
    """`messages`: values rows (panel_queries.MESSAGE_FIELDS), oldest first; `files`: their
    attachments' values rows by message id."""
    attachment_url = reverse("sms:attachment", args=[0])[:-1]
    return mark_safe(
        "".join(_message(row, files.get(row["id"], ()), attachment_url) for row in messages)
    )


def _message(row: dict, files, attachment_url: str) -> str:
    failed = row["status"] == Message.Status.FAILED
    body = escape(row["body"]).replace("\r\n", "\n").replace("\n", "<br>")
    attached = "".join(_file(file, attachment_url) for file in files)
    return (
        f'<li class="sms-msg sms-msg--{escape(row["direction"])}'
        f'{" sms-msg--failed" if failed else ""}">'
        f'<div class="sms-msg__bubble">{body}{attached}</div>'
        f'<div class="sms-msg__meta small">{_meta(row, failed)}</div></li>'
    )


def _meta(row: dict, failed: bool) -> str:
    inbound = row["direction"] == "in"
    meta = f"{'←' if inbound else '→'} {business_time(row['created_at'])}"
    if inbound:
        return meta
    who = row["sent_by__first_name"] or PURPOSES.get(row["purpose"]) or "System"
    status = escape(STATUSES.get(row["status"], row["status"]).lower())
    meta += f' · {escape(who)} · <span class="sms-status sms-status--{escape(row["status"])}">'
    meta += f"{status}</span>"
    if failed and row["error"]:
        meta += f": {escape(row['error'])}"
    return meta


def _file(file: dict, attachment_url: str) -> str:
    url = f"{attachment_url}{file['id']}"
    name = escape(file["name"])
    if file["content_type"] in INLINE_TYPES:
        return (
            f'<a href="{url}" target="_blank" rel="noopener">'
            f'<img class="sms-msg__image" src="{url}" alt="{name}"></a>'
        )
    size = escape(str(filesizeformat(file["size"])))
    return (
        f'<a class="sms-msg__file" href="{url}">📎 {name} <span class="small">({size})</span></a>'
    )
