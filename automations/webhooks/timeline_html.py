"""The 📜 Timeline's rows as HTML, built once per row (as the Jobs board, /finance and the
global Timeline do): its 100 rows through the template engine cost ~20 ms a load, most of
the page. Every stored value is escaped here (tests/automations/test_pages.py holds the
typed ones to it); the markup is what templates/automations/_partials/timeline_rows.html
drew."""

from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from automations.webhooks.models import Delivery, DeliveryState, Slot
from automations.webhooks.schedule import MAX_TRIES
from crm.templatetags.clock import business_time
from crm.templatetags.urls_text import breakable_url

SLOT_LABELS = dict(Slot.choices)


def rows_html(
    rows: list[Delivery], *, replay_base: str, csrf_token: str, next_path: str, can_replay: bool
) -> SafeString:
    """`replay_base`: the replay URL of delivery 0 without its id."""
    replay_form = ""
    if can_replay:
        replay_form = (
            '<form method="post" action="{action}" class="inline-form">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
            f'<input type="hidden" name="next" value="{escape(next_path)}">'
            '<button class="btn btn--sm" type="submit" title="Send the same body with the same '
            'webhook-id again">↻ Replay</button></form>'
        )
    return mark_safe("".join(_row(row, replay_base, replay_form) for row in rows))


def _row(row: Delivery, replay_base: str, replay_form: str) -> str:
    fan_out = ""
    if row.endpoint_id and row.endpoint and not row.endpoint.is_main:
        fan_out = f" · fan-out “{escape(row.endpoint.name)}”"
    content_type = escape(row.content_type or "payload")
    form = replay_form.replace("{action}", f"{replay_base}{row.pk}/replay")
    return (
        f'<tr id="webhook-delivery-{row.pk}">'
        f'<td class="nowrap">{business_time(row.created_at)}</td>'
        f"<td><strong>{escape(row.event_name)}</strong><br>"
        f'<span class="small muted">{escape(SLOT_LABELS.get(row.slot, row.slot))}{fan_out}'
        "</span></td>"
        f'<td class="nowrap">{_result(row)}</td>'
        f'<td class="webhook-url">{breakable_url(row.url)}</td>'
        f'<td class="webhook-state">{_state(row)}</td>'
        f'<td class="webhook-payload"><details><summary>{content_type}</summary>'
        f'<pre class="payload">{escape(row.body)}</pre>'
        f'<span class="small muted">webhook-id {escape(row.webhook_id)}</span></details></td>'
        f'<td class="nowrap">{form}</td></tr>'
    )


def _result(row: Delivery) -> str:
    if row.last_status:
        ok = 200 <= row.last_status < 300
        return (
            f'<span class="pill {"pill--on" if ok else "pill--off"}">HTTP {row.last_status}</span>'
        )
    if row.last_error:
        error = escape(row.last_error)
        short = escape(Truncator(row.last_error).chars(28))
        return f'<span class="pill pill--off" title="{error}">{short}</span>'
    return '<span class="muted">—</span>'


def _state(row: Delivery) -> str:
    if row.state == DeliveryState.DELIVERED:
        when = f'<br><span class="small muted">{business_time(row.delivered_at)}</span>'
        return '<span class="pill pill--on">✓ delivered</span>' + (when if row.delivered_at else "")
    if row.state == DeliveryState.DEAD:
        tries = f"{row.attempts} tr{'y' if row.attempts == 1 else 'ies'}"
        if row.dead_at:
            tries += f", {business_time(row.dead_at)}"
        return (
            '<span class="pill pill--off">☠ dead</span><br>'
            f'<span class="small muted">{tries}</span>'
        )
    if row.state == DeliveryState.RETRYING:
        detail = f"attempt {row.run_attempts} of {MAX_TRIES}"
        if row.next_attempt_at:
            detail += f", next {business_time(row.next_attempt_at)}"
        return (
            '<span class="pill pill--note">↻ retrying</span><br>'
            f'<span class="small muted">{detail}</span>'
        )
    due = ""
    if row.next_attempt_at:
        due = f'<br><span class="small muted">due {business_time(row.next_attempt_at)}</span>'
    return f'<span class="pill">pending</span>{due}'
