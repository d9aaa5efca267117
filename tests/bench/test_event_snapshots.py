"""What an event's snapshot costs an action: each action run three ways, alternating —
with no event at all, with the event as it was (keys only, the old lock query), and with
the event and its snapshot (today). Emitting with the snapshot must add at most one
query (the event's INSERT) to the action, and the snapshot itself none."""

import datetime
import statistics
import time
from contextlib import ExitStack, contextmanager
from decimal import Decimal
from itertools import cycle

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm import events
from crm.accounts.models import Role
from jobs.models import Status
from jobs.services import common as job_common
from jobs.services import editing as job_editing
from leads.services import creating as lead_creating
from tests.bench.test_leads import RUNS
from tests.factories import (
    ContractorFactory,
    JobFactory,
    JobPartnerFactory,
    JobTagFactory,
    JobTypeFactory,
    LeadFactory,
    OfficeFactory,
    ServiceAreaFactory,
    UserFactory,
)

pytestmark = [pytest.mark.bench]
ROUNDS = max(RUNS, 30)


@contextmanager
def variant(name: str, monkeypatch):
    """`none`: emit() does nothing; `keys`: the event without a snapshot and the lock
    query as it was before snapshots; `snapshot`: as the code runs."""
    with ExitStack() as stack:
        patch = stack.enter_context(monkeypatch.context())
        if name == "none":
            patch.setattr(events, "emit", lambda *args, **kwargs: None)
        if name == "keys":
            patch.setattr(job_common, "job_snapshot", lambda job: {})
            patch.setattr(job_common, "with_tag_labels", lambda jobs: jobs)
            patch.setattr(
                job_common, "SNAPSHOT_RELATED", ("office", "source", "contractor", "job_type")
            )
            patch.setattr(job_editing, "SEPARATOR", "\x1f")
            patch.setattr(lead_creating, "lead_snapshot", lambda lead: {})
        yield


@pytest.fixture
def cast(db):
    office = OfficeFactory(name="Sliding")
    agent = UserFactory(role=Role.AGENT, first_name="Dana", offices=[office])
    admin = UserFactory(role=Role.ADMIN, first_name="Ada", offices=[office])
    repair = JobTypeFactory(label="Repair")
    area = ServiceAreaFactory(label="Miami", zip_code="33101", area_code="305")
    mike = ContractorFactory(name="Mike Hernandez", job_types=[repair], service_areas=[area])
    job = JobFactory(
        office=office,
        source=JobPartnerFactory(name="GDQ"),
        job_type=repair,
        service_area=area,
        contractor=mike,
    )
    tags = [JobTagFactory(label="VIP"), JobTagFactory(label="Glass")]
    job.tags.set(tags)
    lead = LeadFactory(office=office)
    agent.office_ids, admin.office_ids  # noqa: B018 (cached, as on a warm request)
    return {"agent": agent, "admin": admin, "job": job, "tags": tags, "lead": lead}


def actions(cast):
    """Each action as a callable that can run again and again (it flips what it sets)."""
    from jobs.services import change_status, set_tags, update_field
    from leads.services import claim_lead
    from leads.services import update_field as update_lead

    job, lead, agent, admin = cast["job"], cast["lead"], cast["agent"], cast["admin"]
    names, tag_sets, statuses = (
        cycle(["Emilia", "Emily"]),
        cycle([[], cast["tags"]]),
        cycle([Status.DONE, Status.IN_PROGRESS]),
    )

    def status():
        new = next(statuses)
        money = {"closing_total": Decimal("900"), "parts_total": Decimal("100")}
        change_status(job=job, actor=agent, status=new, **(money if new == Status.DONE else {}))

    return {
        "jobs.update_field": lambda: update_field(
            job=job, actor=agent, field="first_name", value=next(names)
        ),
        "jobs.change_status": status,
        "jobs.set_tags": lambda: set_tags(job=job, actor=admin, tags=next(tag_sets)),
        "leads.claim_lead": lambda: claim_lead(lead=lead, actor=agent),
        "leads.update_field": lambda: update_lead(
            lead=lead, actor=agent, field="last_name", value=next(names)
        ),
    }


def measure(action) -> tuple[int, float]:
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        action()
        elapsed = time.perf_counter() - start
    return len(captured.captured_queries), elapsed


def test_an_event_with_its_snapshot_adds_at_most_one_query_to_each_action(cast, monkeypatch):
    rows = []
    for name, action in actions(cast).items():
        counts, times = {}, {"none": [], "keys": [], "snapshot": []}
        for round_ in range(ROUNDS + 1):  # round 0 warms up
            for kind in times:
                with variant(kind, monkeypatch):
                    count, elapsed = measure(action)
                counts.setdefault(kind, set()).add(count)
                if round_:
                    times[kind].append(elapsed)
        medians = {kind: statistics.median(values) * 1000 for kind, values in times.items()}
        rows.append((name, counts, medians))
        assert max(counts["snapshot"]) - min(counts["none"]) <= 1, name
        assert max(counts["snapshot"]) <= min(counts["keys"]), name

    print(
        f"\n{'action':<20} {'queries none/keys/snapshot':>28} {'median ms none/keys/snapshot':>32}"
    )
    for name, counts, medians in rows:
        queries = "/".join(str(max(counts[kind])) for kind in ("none", "keys", "snapshot"))
        ms = "/".join(f"{medians[kind]:.2f}" for kind in ("none", "keys", "snapshot"))
        print(f"{name:<20} {queries:>28} {ms:>32}")
    print(f"({ROUNDS} rounds each, {connection.vendor}; {datetime.date.today()})")
