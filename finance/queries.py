"""Reads for the Finance dashboard: the jobs a user may see there, with their payouts."""

from crm import permissions
from finance.money import payout_expression, totals
from jobs.models import FINANCE_STATUSES, Job, JobQuerySet


def finance_jobs(user) -> JobQuerySet:
    """Live Deposit and Done jobs `user` may see on /finance, each annotated `payout`.

    Office scope, Jobs-on offices and not archived (`Job.objects.visible_to`); nothing at
    all without finance.view (admins, agents and partners). The filter matches the
    partial index `job_finance_idx` (status + not archived), so chain office and date
    filters on it. Totals of the filtered set: `finance.money.totals(queryset)`.
    """
    if not permissions.can(user, "finance.view"):
        return Job.objects.none()
    return (
        Job.objects.visible_to(user)
        .filter(status__in=FINANCE_STATUSES)
        .annotate(payout=payout_expression())
    )


__all__ = ["finance_jobs", "totals"]
