"""📜 View Log (spec: Log & troubleshooting): the last 200 fires matching the filters,
newest first, in one query with the linked job and lead (their display id / name open them).
Queued rows are fires on their way; the page shows them beside sent / failed / skipped."""

from django.db.models import Q

from automations.rules.models import Channel, LogStatus, RuleLog

LIMIT = 200


def log_rows(
    *, q: str = "", status: str = "", channel: str = "", rule_id=None, limit: int = LIMIT
) -> list[RuleLog]:
    """Rows matching a search over recipient / preview / error and the dropdowns; a
    filter value that isn't one of the choices is ignored, not an error."""
    rows = RuleLog.objects.order_by("-created_at", "-id")
    q = (q or "").strip()
    if q:
        rows = rows.filter(
            Q(recipient__icontains=q) | Q(preview__icontains=q) | Q(error__icontains=q)
        )
    if status in LogStatus.values:
        rows = rows.filter(status=status)
    if channel in Channel.values:
        rows = rows.filter(channel=channel)
    try:
        rule_id = int(rule_id) if rule_id not in (None, "") else None
    except (TypeError, ValueError):
        rule_id = None
    if rule_id is not None:
        rows = rows.filter(rule_id=rule_id)
    return list(rows[: max(1, min(int(limit), LIMIT))])
