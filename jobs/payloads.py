"""A job as outbound payloads show it: the Workiz shape the spec lists under "Outbound
webhooks → Payload includes", built once at emit time and stored in the event.

Events carry this snapshot so a late handler sends what was true when the change was
made, not what the job reads when the handler finally runs. It is built from the job the
action already holds: `SNAPSHOT_RELATED` belong in the action's lock query and
`with_tag_labels` annotates the tags, so building it costs no query.
"""

from django.db.models import Aggregate, CharField, OuterRef, Subquery, Value

from jobs.models import Job, JobTag, Status

# What the snapshot reads through foreign keys (select_related these in the lock query).
SNAPSHOT_RELATED = (
    "office",
    "source",
    "contractor",
    "job_type",
    "service_area",
    "finance_cancelled_by",
)
# Between tag labels in the annotation: a character no label typed in the CP holds.
SEPARATOR = "\x1f"


class _Concat(Aggregate):
    """STRING_AGG on Postgres, GROUP_CONCAT on SQLite (Django 5.2 has no portable one)."""

    function = "STRING_AGG"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def with_tag_labels(jobs):
    """`jobs` annotated with `tag_labels` (the labels joined by SEPARATOR, or None): one
    subquery in the same SELECT instead of a query per job for `job.tags`."""
    labels = (
        JobTag.objects.filter(jobs=OuterRef("pk"))
        .order_by()
        .values("jobs")
        .annotate(labels=_Concat("label", Value(SEPARATOR)))
        .values("labels")
    )
    return jobs.annotate(tag_labels=Subquery(labels, output_field=CharField()))


def tag_labels(job: Job) -> list[str]:
    """The job's tag labels, sorted: from the annotation or prefetched tags when there
    (no query), else one query (a caller that skipped both)."""
    joined = getattr(job, "tag_labels", ...)
    if joined is not ...:
        return sorted(joined.split(SEPARATOR)) if joined else []
    return sorted(tag.label for tag in job.tags.all())


def _local(job: Job, when) -> str:
    return when.astimezone(job.local_zone).isoformat() if when else ""


def _money(amount) -> str:
    return f"{amount:.2f}" if amount is not None else ""


def job_snapshot(job: Job) -> dict:
    """The job in the Workiz shape, as it is now. Times are ISO 8601 on the job's own
    clock; money is a string in dollars ("" when unset). Team is the contractor's name
    only, never their contacts. A finance-cancelled job adds the FinanceCancel* fields."""
    snapshot = {
        "UUID": str(job.uuid),
        "SerialId": job.number,
        "DisplayId": job.display_id,
        "JobDateTime": _local(job, job.starts_at),
        "JobEndDateTime": _local(job, job.ends_at),
        "CreatedDate": _local(job, job.created_at),
        "Status": Status(job.status).label,
        "Phone": job.phone,
        "Email": job.email,
        "FirstName": job.first_name,
        "LastName": job.last_name,
        "Company": job.company,
        "Address": job.street,
        "City": job.city,
        "State": job.state,
        "PostalCode": job.zip_code,
        "Country": "US",
        "Unit": job.unit,
        "Latitude": job.lat,
        "Longitude": job.lng,
        "JobType": job.job_type.label,
        "JobSource": job.source.name,
        "ServiceArea": job.service_area.label if job.service_area_id else "",
        "Tags": tag_labels(job),
        "Team": job.contractor.name if job.contractor_id else "",
        "AreaCode": job.area_code,
        "OfficeAddress": job.office_address,
        "DepositAmount": _money(job.deposit_amount),
        "ExpectedCompletionDate": job.expected_completion.isoformat()
        if job.expected_completion
        else "",
        "Office": job.office.name,
    }
    if job.finance_cancelled_at is not None:
        by = job.finance_cancelled_by
        snapshot |= {
            "FinanceCancelReason": job.finance_cancel_reason,
            "FinanceCancelNote": job.finance_cancel_note,
            "FinanceCancelledAt": job.finance_cancelled_at.isoformat(),
            "FinanceCancelledBy": (by.full_name or by.email) if by else "System",
        }
    return snapshot
