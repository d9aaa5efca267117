import datetime

from celery import shared_task

from finance import mailing, reports


@shared_task
def send_weekly_reports(week_start: str = "") -> dict[str, int]:
    """Beat, Sunday 11 PM business time: email the week's payment reports (idempotent per
    week). `week_start` (an ISO Monday) re-runs an older week; by default the week that
    has just closed."""
    week = datetime.date.fromisoformat(week_start) if week_start else reports.last_closed_week()
    return mailing.send_weekly_reports(week_start=week)
