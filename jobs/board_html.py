"""The board's days and rows as HTML. The board reloads all day for every dispatcher and
shows dozens of rows: through the template engine a row cost ~0.25 ms (30 variable
lookups), as one escaped f-string ~0.01 ms. The markup is here, whole, so it reads like
the template it replaces (templates/jobs/_partials/board.html prints it)."""

from html import escape

from django.utils.safestring import SafeString, mark_safe

from jobs.board import Day, Row

FIND = "🔍 FIND CONTRACTOR"


def _contractor(row: Row, url: str, can_edit: bool) -> str:
    if row.contractor:
        return _truncated(row.contractor)
    if not row.is_active:  # Done / Cancelled: history, nothing to find
        return '<em class="muted">Unassigned</em>'
    if can_edit:
        return (
            f'<button type="button" class="pill pill--attention is-pulsing" '
            f'hx-get="{url}/find-contractor" hx-target="#modal-body" data-open-modal>'
            f"{FIND}</button>"
        )
    return f'<span class="pill pill--attention is-pulsing">{FIND}</span>'


def _truncated(text: str, css: str = "cell-trunc") -> str:
    """Cut to the column's width with an ellipsis; the whole text is the tooltip."""
    text = escape(text)
    return f'<span class="{css}" title="{text}">{text}</span>'


def _status(row: Row) -> str:
    code = (
        f'<span class="status-code status-code--{row.status}" title="{escape(row.status_label)}">'
        f"{row.status_code}</span>"
    )
    badge = f"pill pill--attention is-pulsing attention--{row.attention}"
    if row.attention_copy:
        return (
            f'{code}<br><button type="button" class="{badge}" '
            f'data-copy="{escape(row.attention_copy)}"'
            f' title="Copy “What\'s the update please?” for the contractor">'
            f"{escape(row.attention_label)}</button>"
        )
    if row.attention_badge:
        return f'{code}<br><span class="{badge}">{escape(row.attention_label)}</span>'
    return code


def _k(row: Row, url: str, can_edit: bool) -> str:
    state = " is-confirmed" if row.k_confirmed else ""
    text = "✓ K" if row.k_confirmed else "K"
    if not can_edit:
        return f'<span class="k-btn{state}">{text}</span>'
    return (
        f'<button type="button" class="k-btn{state}" hx-get="{url}/k" hx-target="#modal-body" '
        f'data-open-modal title="K: did the contractor accept?">{text}</button>'
    )


def row_html(row: Row, *, can_edit: bool) -> SafeString:
    """A <tr> that opens the job's panel on click (buttons inside act on their own)."""
    url = escape(row.url)
    attention = " has-attention" if row.attention else ""
    address = escape(row.address)
    rebooked = "🔁" if row.rebooked else '<span class="muted">—</span>'
    return mark_safe(
        f'<tr class="is-clickable job-row{attention}" hx-get="{url}" '
        f'hx-target="#right-panel-body" '
        f"data-open-right>"
        f'<td class="nowrap"><strong>{row.display_id}</strong></td>'
        f'<td class="nowrap">{escape(row.office)}</td>'
        f'<td class="jobs-table__when">{escape(row.window)}</td>'
        f"<td>{_truncated(row.client)}</td>"
        f'<td class="nowrap">{escape(row.phone)}</td>'
        f'<td><span class="job-address" title="{address}">{address}</span></td>'
        f"<td>{_truncated(row.job_type, 'pill pill--status cell-trunc')}</td>"
        f"<td>{_truncated(row.company)}</td>"
        f'<td class="jobs-table__contractor">{_contractor(row, url, can_edit)}</td>'
        f'<td class="nowrap">{_status(row)}</td>'
        f'<td class="center">{rebooked}</td>'
        f'<td class="center">{_k(row, url, can_edit)}</td>'
        f'<td class="jobs-table__created muted small">{escape(row.created)}</td>'
        "</tr>"
    )


def day_html(day: Day, *, can_edit: bool, reminders_url: str, attention_only: bool) -> SafeString:
    """A day's <tbody>: its divider (fold toggle, label, 🚨 pill for a folded day, the
    reminder buttons) and its rows. Past days fold in the browser unless 🚨 is on."""
    iso = day.date.isoformat()
    today = " is-today" if day.is_today else ""
    past = " data-past" if day.is_past and not attention_only else ""
    alert = (
        '<span class="pill pill--attention job-day__alert">🚨 NEEDS ATTENTION</span>'
        if day.has_attention
        else ""
    )
    tools = ""
    if can_edit:
        link = f"{escape(reminders_url)}?day={iso}&amp;kind="
        button = '<button type="button" class="btn btn--sm btn--blue" hx-get="{}{}" '
        button += 'hx-target="#modal-body" data-open-modal>{}</button>'
        tools = (
            '<span class="job-day__tools">'
            + button.format(link, "eod", "📋 EOD Reminders")
            + button.format(link, "morning", "🌅 Morning Reminders")
            + "</span>"
        )
    rows = "".join(row_html(row, can_edit=can_edit) for row in day.rows)
    return mark_safe(
        f'<tbody class="job-day{today}" data-day="{iso}"{past}>'
        f'<tr class="job-day__head"><td colspan="13">'
        f'<button type="button" class="job-day__fold" data-fold aria-expanded="true">▼</button> '
        f"<strong>{escape(day.label)}</strong> {alert}{tools}</td></tr>{rows}</tbody>"
    )
