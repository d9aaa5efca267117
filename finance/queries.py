"""Reads for the Finance dashboard: the jobs a user may see there, with their payouts."""

import hashlib
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet

from crm import livesync, permissions
from finance.money import payout_expression, totals
from jobs.models import FINANCE_STATUSES, Job, JobQuerySet


def finance_jobs(user) -> JobQuerySet:
    """Live Deposit and Done jobs `user` may see on /finance, each annotated `payout`.

    Office scope, Jobs-on offices and not archived (`Job.objects.visible_to`); nothing at
    all without finance.view (admins, agents and partners). The filter matches the
    partial index `job_finance_idx` (status + not archived), so chain office and date
    filters on it. Totals of the filtered set: `finance.money.totals(queryset)`.
    """
    return finance_scope(user).annotate(payout=payout_expression())


def finance_scope(user) -> JobQuerySet:
    """`finance_jobs` without the `payout` annotation, for the dashboard's list: building
    and compiling that expression cost ~4 ms a load, and its rows work the payout out in
    Python (`finance.rows`), equal to the cent."""
    if not permissions.can(user, "finance.view"):
        return Job.objects.none()
    return Job.objects.visible_to(user).filter(status__in=FINANCE_STATUSES)


# A safety net only: a write in scope moves the key long before this.
LIST_TOTALS_TIMEOUT = 60 * 60


def list_totals(user, jobs) -> tuple[int, dict[str, Decimal]]:
    """The count and the money totals of `jobs` (the filtered list, before paging), from
    the cache while nothing in `user`'s scope has changed.

    Summing every Deposit/Done job reads them all: ~100 ms at 500,000 jobs on each load.
    Every job write emits a domain event, and each event bumps its office's live-sync stamp
    after commit (`crm.livesync`), so the stamp of the user's scope keys the cache with the
    query itself: a write in scope moves the stamp and the next load sums afresh. The stamp
    is read before summing, so a sum that missed a write committing meanwhile is stored
    under the old stamp, which that write's bump retires.
    """
    jobs = jobs.order_by()
    try:
        sql, params = jobs.values("pk").query.sql_with_params()
    except EmptyResultSet:  # a set that can match nothing (an invalid filter): no key, no sum
        return 0, totals(jobs)
    digest = hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()[:32]
    stamp = livesync.last_change(livesync.scope_keys(user))
    key = f"finance:list-totals:{digest}:{stamp}"
    cached = cache.get(key)
    if cached is None:
        cached = (jobs.count(), totals(jobs))
        cache.set(key, cached, timeout=LIST_TOTALS_TIMEOUT)
    return cached


__all__ = ["finance_jobs", "finance_scope", "list_totals", "totals"]
