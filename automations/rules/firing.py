"""Rules firing: an event's rules (the crm.events handler) and the time rules' tick.

Both evaluate conditions on the record as it is now (OR within a row, AND across, empty =
any; "Current Status" = the record's status now), then write, in one transaction, a stamp
per (rule, key) and a log row per fire, and hand the `queued` rows to the send task after
commit. The stamp makes a fire happen once: a redelivered event or a second tick finds it
and writes nothing. Paused, a fire is logged `skipped (paused)`; outside quiet hours, an
event rule's fire is logged `skipped: outside quiet hours` and a time rule's row is left
unstamped, so a later tick sends it once the window opens.
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat, Trim
from django.utils import timezone

from automations.rules.models import (
    TIME_TRIGGERS,
    AutomationSettings,
    LogStatus,
    Rule,
    RuleLog,
    RuleStamp,
    Trigger,
)
from automations.rules.quiet_hours import is_quiet, zone_of
from jobs.models import Job
from leads.models import Lead

logger = logging.getLogger(__name__)

EVENT_TRIGGERS = {
    "job.created": Trigger.JOB_CREATED,
    "job.status_changed": Trigger.JOB_STATUS_CHANGED,
    "job.rebooked": Trigger.JOB_REBOOKED,
    "job.contractor_assigned": Trigger.CONTRACTOR_ASSIGNED,
    "lead.created": Trigger.LEAD_CREATED,
    "lead.status_changed": Trigger.LEAD_STATUS_CHANGED,
}
CONDITION_ROWS = ("offices", "job_types", "job_sources", "lead_sources")
PAUSED = "paused"
QUIET = "outside quiet hours"
LATEST = datetime.timedelta(hours=24)  # a time rule never fires later than this
BATCH = 100  # log rows per send task
STALE_AFTER = datetime.timedelta(minutes=10)  # a queued row this old lost its send task
OFFSET_UNITS = {"minutes": 60, "hours": 3600, "days": 86400}


@dataclass
class Fire:
    rule: Rule
    key: str
    status: str = LogStatus.QUEUED
    error: str = ""
    job_id: int | None = None
    lead_id: int | None = None
    label: str = ""
    office_id: int | None = None


def _rules(**filters) -> list[Rule]:
    """Enabled rules with their condition rows (five queries however many rules)."""
    rows = Rule.objects.filter(enabled=True, **filters).prefetch_related(*CONDITION_ROWS)
    return list(rows)


def _ids(rule: Rule, row: str) -> set[int]:
    return {item.pk for item in getattr(rule, row).all()}


def matches(rule: Rule, record) -> bool:
    """The rule's conditions hold for `record` (a Job or a Lead) as it is now."""
    wanted = {
        "offices": record.office_id,
        "job_types": getattr(record, "job_type_id", None),
        "job_sources": getattr(record, "source_id", None) if isinstance(record, Job) else None,
        "lead_sources": record.source_id if isinstance(record, Lead) else None,
    }
    for row, value in wanted.items():
        ids = _ids(rule, row)
        if ids and value not in ids:
            return False
    return not rule.statuses or record.status in rule.statuses


# --- Event rules ---------------------------------------------------------------------


def on_event(event) -> list[int]:
    """The crm.events handler: fire the event's rules. Returns the log ids written."""
    trigger = EVENT_TRIGGERS[event.name]
    payload = event.payload
    filters = {"trigger": trigger}
    if trigger in (Trigger.JOB_STATUS_CHANGED, Trigger.LEAD_STATUS_CHANGED):
        filters["target_status"] = payload.get("new") or ""
    if trigger == Trigger.CONTRACTOR_ASSIGNED and not payload.get("new"):
        return []  # a contractor taken off: nobody was assigned
    rules = _rules(**filters)
    if not rules:
        return []
    record = _record(trigger, payload)
    if record is None:
        return []  # deleted since: nothing to tell anyone about
    paused = AutomationSettings.load().paused
    quiet = is_quiet(zone_of(job=record) if isinstance(record, Job) else zone_of(lead=record))
    fires = []
    for rule in rules:
        fire = _fire_for(rule, f"event:{event.pk}", record)
        try:
            if not matches(rule, record):
                continue
        except Exception as exc:  # a broken rule logs failed; the others still fire
            logger.exception("Automation rule %s could not be evaluated", rule.pk)
            fire.status, fire.error = LogStatus.FAILED, f"Could not evaluate the rule: {exc}"
        else:
            if paused:
                fire.status, fire.error = LogStatus.SKIPPED, PAUSED
            elif rule.respect_quiet_hours and quiet:
                fire.status, fire.error = LogStatus.SKIPPED, QUIET
        fires.append(fire)
    return write(fires)


def _record(trigger: str, payload: dict):
    if trigger in (Trigger.LEAD_CREATED, Trigger.LEAD_STATUS_CHANGED):
        return Lead.objects.filter(pk=payload.get("lead")).first()
    return Job.objects.filter(pk=payload.get("job")).first()


def _fire_for(rule: Rule, key: str, record) -> Fire:
    if isinstance(record, Job):
        return Fire(
            rule, key, job_id=record.pk, label=record.display_id, office_id=record.office_id
        )
    return Fire(rule, key, lead_id=record.pk, label=record.full_name, office_id=record.office_id)


def write(fires: list[Fire], *, unstamped: bool = False) -> list[int]:
    """Stamp and log `fires` in one transaction (those already stamped are dropped: the
    tick's SELECT read only unstamped rows, `unstamped`); queue the `queued` rows for
    sending after commit. Returns the log ids written."""
    if not fires:
        return []
    with transaction.atomic():
        if not unstamped:
            stamped = set(
                RuleStamp.objects.filter(
                    rule__in=[fire.rule for fire in fires], key__in={fire.key for fire in fires}
                ).values_list("rule_id", "key")
            )
            fires = [fire for fire in fires if (fire.rule.pk, fire.key) not in stamped]
        fires = _stamp(fires)
        logs = RuleLog.objects.bulk_create(
            [
                RuleLog(
                    rule=fire.rule,
                    rule_name=fire.rule.name,
                    trigger=fire.rule.trigger,
                    channel=fire.rule.channel,
                    status=fire.status,
                    error=fire.error,
                    job_id=fire.job_id,
                    lead_id=fire.lead_id,
                    record_label=fire.label[:160],
                    office_id=fire.office_id,
                )
                for fire in fires
            ]
        )
        queued = [log.pk for log in logs if log.status == LogStatus.QUEUED]
        if queued:
            transaction.on_commit(lambda: queue(queued))
    return [log.pk for log in logs]


def _stamp(fires: list[Fire]) -> list[Fire]:
    """Insert the stamps; a concurrent twin that stamped first wins (its fires are dropped)."""
    try:
        with transaction.atomic():
            RuleStamp.objects.bulk_create([RuleStamp(rule=f.rule, key=f.key) for f in fires])
        return fires
    except IntegrityError:
        kept = []
        for fire in fires:
            try:
                with transaction.atomic():
                    RuleStamp.objects.create(rule=fire.rule, key=fire.key)
            except IntegrityError:
                continue
            kept.append(fire)
        return kept


def queue(log_ids: list[int]) -> None:
    """Hand queued log rows to the send task, BATCH at a time."""
    from automations.rules.tasks import send_automations

    for start in range(0, len(log_ids), BATCH):
        try:
            send_automations.delay(log_ids[start : start + BATCH])
        except Exception:  # broker down: the tick hands stale queued rows out again
            logger.exception("Could not queue automation sends; the tick will retry them")


# --- Time rules ----------------------------------------------------------------------


def tick(now: datetime.datetime | None = None) -> int:
    """Beat, every 5 minutes: each time rule's due, unstamped records. Returns fires written."""
    now = now or timezone.now()
    paused = AutomationSettings.load().paused
    written = 0
    for rule in _rules(trigger__in=TIME_TRIGGERS):
        written += len(_tick_rule(rule, now, paused=paused))
    requeue_stale(now)
    return written


def requeue_stale(now: datetime.datetime) -> int:
    """Queued rows whose send task never ran (the broker lost it, or was down) go out again;
    a row already sent is never sent twice (the send step takes only `queued` rows)."""
    stale = RuleLog.objects.filter(
        status=LogStatus.QUEUED,
        created_at__lt=now - STALE_AFTER,
        created_at__gte=now - LATEST,
    )
    ids = list(stale.values_list("pk", flat=True))
    if ids:
        queue(ids)
    return len(ids)


def offset(rule: Rule) -> datetime.timedelta:
    return datetime.timedelta(seconds=rule.offset_amount * OFFSET_UNITS[rule.offset_unit])


def due(rule: Rule, now: datetime.datetime):
    """The records whose moment (appointment − offset, end + offset, received + offset) has
    come: not before the rule was enabled, not over 24 h ago, a "before" reminder only
    while the appointment is still ahead; conditions applied; not stamped yet."""
    delta, floor = offset(rule), max(rule.enabled_at, now - LATEST)
    if rule.trigger == Trigger.BEFORE_JOB_START:
        rows = Job.objects.filter(
            starts_at__gt=now, starts_at__lte=now + delta, starts_at__gte=floor + delta
        )
    elif rule.trigger == Trigger.AFTER_JOB_END:
        rows = Job.objects.filter(ends_at__lte=now - delta, ends_at__gte=floor - delta)
    else:
        rows = Lead.objects.filter(received_at__lte=now - delta, received_at__gte=floor - delta)
    rows = rows.filter(is_archived=False)
    conditions = {
        "office_id__in": _ids(rule, "offices"),
        "status__in": set(rule.statuses),
    }
    if rows.model is Job:
        conditions |= {
            "job_type_id__in": _ids(rule, "job_types"),
            "source_id__in": _ids(rule, "job_sources"),
        }
    else:
        conditions["source_id__in"] = _ids(rule, "lead_sources")
    rows = rows.filter(**{name: values for name, values in conditions.items() if values})
    stamp = RuleStamp.objects.filter(
        rule=rule, key=Concat(Value(_prefix(rows)), Cast(OuterRef("pk"), CharField()))
    )
    return rows.filter(~Exists(stamp))


def _tick_rule(rule: Rule, now: datetime.datetime, *, paused: bool) -> list[int]:
    """Stamp and log one time rule's due records: on Postgres in one INSERT … SELECT under
    the rule's row lock (FOR UPDATE SKIP LOCKED), elsewhere in bulk through `write`. Rows
    in a zone that is in quiet hours now are left out, unstamped. Returns the log ids."""
    rows = due(rule, now)
    if rule.respect_quiet_hours and not paused:
        zones = set(rows.values_list("timezone", flat=True).distinct())
        quiet = [name for name in zones if is_quiet(zone_of(zone_name=name), now)]
        if quiet:
            rows = rows.exclude(timezone__in=quiet)
    if connection.vendor == "postgresql":
        return _insert_due(rule, rows, now, paused=paused)
    is_job = rows.model is Job
    fires = []
    for pk, office_id, label in _labelled(rows).values_list("pk", "office_id", "label"):
        fire = Fire(rule, f"{_prefix(rows)}{pk}", office_id=office_id, label=label)
        fire.job_id, fire.lead_id = (pk, None) if is_job else (None, pk)
        if paused:
            fire.status, fire.error = LogStatus.SKIPPED, PAUSED
        fires.append(fire)
    return write(fires, unstamped=True)


def _prefix(rows) -> str:
    return "job:" if rows.model is Job else "lead:"


def _labelled(rows):
    """The log's record label in SQL: the job's display id ("JOB-3542", as
    Job.display_id) or the lead's full name."""
    if rows.model is Job:
        return rows.annotate(label=Concat(Value("JOB-"), Cast("number", CharField())))
    return rows.annotate(label=Trim(Concat("first_name", Value(" "), "last_name")))


def _insert_due(rule: Rule, rows, now: datetime.datetime, *, paused: bool) -> list[int]:
    """The rule's row is taken FOR UPDATE SKIP LOCKED: a concurrent tick on the same rule
    skips it (its rows are being written), and the due jobs or leads are never locked
    (locking 5,000 of them would dirty 5,000 tuples and hold up people editing them)."""
    column = "job_id" if rows.model is Job else "lead_id"
    status, error = (LogStatus.SKIPPED, PAUSED) if paused else (LogStatus.QUEUED, "")
    sql = f"""
        WITH due (id, office_id, label) AS ({{due_sql}}),
        stamped AS (
            INSERT INTO {RuleStamp._meta.db_table} (rule_id, key, created_at)
            SELECT %s, %s || due.id, %s FROM due
            ON CONFLICT (rule_id, key) DO NOTHING
            RETURNING key
        )
        INSERT INTO {RuleLog._meta.db_table} (
            created_at, rule_id, rule_name, trigger, channel, status, error, recipient,
            preview, {column}, record_label, office_id
        )
        SELECT %s, %s, %s, %s, %s, %s, %s, '', '', due.id, left(due.label, 160), due.office_id
        FROM due JOIN stamped ON stamped.key = %s || due.id
        RETURNING id
    """
    prefix = _prefix(rows)
    params = [
        rule.pk,
        prefix,
        now,
        now,
        rule.pk,
        rule.name,
        rule.trigger,
        rule.channel,
        status,
        error,
        prefix,
    ]
    due_sql, due_params = _labelled(rows).values("pk", "office_id", "label").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if not Rule.objects.select_for_update(skip_locked=True).filter(pk=rule.pk).exists():
            return []  # another tick holds this rule now
        cursor.execute(sql.format(due_sql=due_sql), [*due_params, *params])
        ids = [row[0] for row in cursor.fetchall()]
        if ids and not paused:
            transaction.on_commit(lambda: queue(ids))
    return ids
