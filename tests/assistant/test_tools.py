"""The read-only tools: office scope, the dashboards' own numbers, money, the 300-row cap,
New York dates, bad input as ToolError."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from crm.accounts.models import Role
from crm.assistant.tools import TOOLS, ToolError, run_tool
from jobs.models import Job, JobsSettings
from jobs.models import Status as JobStatus
from leads.models import Lead, Status
from messaging.models import Line
from tests.factories import (
    ContractorFactory,
    JobFactory,
    JobTypeFactory,
    LeadFactory,
    OfficeFactory,
    UserFactory,
    lead_source,
)
from tests.messaging.conftest import ctm  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
TOOL_NAMES = [tool["name"] for tool in TOOLS]


@pytest.fixture
def joes():
    return OfficeFactory(name="Joes Doors FL")


@pytest.fixture
def garage():
    return OfficeFactory(name="Garage")


@pytest.fixture
def agent(joes):
    return UserFactory(role=Role.AGENT, offices=[joes])


@pytest.fixture
def world(joes, garage):
    """Leads and jobs in both offices, a contractor with done and cancelled jobs."""
    contractor = ContractorFactory(name="Quick Doors LLC", contact_phone="+13055550199")
    door = JobTypeFactory(label="Garage Door Repair")
    for office, fresh in ((joes, 2), (garage, 5)):
        LeadFactory.create_batch(fresh, office=office, status=Status.FRESH)
        LeadFactory(office=office, status=Status.CONVERTED)
        LeadFactory(
            office=office,
            status=Status.NEEDS_FOLLOW_UP,
            next_contact_at=timezone.now() - datetime.timedelta(hours=1),
        )
        JobFactory(office=office, job_type=door, contractor=contractor, status=JobStatus.DONE,
                   closing_total=Decimal("500.00"), parts_total=Decimal("100.00"),
                   profit_share=Decimal("30"))  # fmt: skip
        JobFactory(office=office, job_type=door, contractor=contractor,
                   status=JobStatus.CANCELLED)  # fmt: skip
        JobFactory(office=office, job_type=door, status=JobStatus.SUBMITTED)
    return contractor


def every_call(office: str) -> dict:
    return {
        "count_leads": {"office": office},
        "list_leads": {"office": office},
        "lead_breakdown": {"office": office, "by": "status"},
        "conversion_rate": {"office": office},
        "job_pipeline": {"office": office},
        "list_jobs": {"office": office},
        "contractor_history": {"office": office},
        "dashboard_counts": {"office": office},
    }


def numbers(answer) -> list[int]:
    """Every count in a tool's answer, wherever it sits."""
    if isinstance(answer, dict):
        return [n for value in answer.values() for n in numbers(value)]
    if isinstance(answer, list):
        return [n for value in answer for n in numbers(value)]
    return [answer] if isinstance(answer, int) and not isinstance(answer, bool) else []


@pytest.mark.parametrize("name", sorted(every_call("Garage")))
def test_an_agent_asking_about_another_office_gets_zero_rows(world, agent, name):
    answer = run_tool(agent, name, every_call("Garage")[name])
    assert set(numbers(answer)) <= {0}, answer


@pytest.mark.parametrize("name", sorted(every_call("Joes Doors FL")))
def test_the_same_question_about_her_own_office_has_rows(world, agent, name):
    answer = run_tool(agent, name, every_call("Joes Doors FL")[name])
    assert any(numbers(answer)), answer


def test_without_an_office_an_agent_counts_only_her_own(world, agent, joes):
    assert run_tool(agent, "count_leads", {}) == {"count": 4}
    assert run_tool(agent, "count_leads", {}) == {
        "count": Lead.objects.visible_to(agent).filter(office=joes).count()
    }
    assert run_tool(agent, "job_pipeline", {})["total"] == 3


def test_counts_equal_the_dashboards_querysets(world, garage):
    owner = UserFactory(role=Role.OWNER)
    for status in Status.values:
        answer = run_tool(owner, "count_leads", {"office": "Garage", "status": status})
        mine = Lead.objects.visible_to(owner).filter(office=garage, status=status).count()
        assert answer == {"count": mine}
    breakdown = run_tool(owner, "lead_breakdown", {"by": "office"})
    assert {group["office"]: group["count"] for group in breakdown["groups"]} == {
        "Garage": 7,
        "Joes Doors FL": 4,
    }


def test_dashboard_counts_are_the_tiers_and_the_needs_attention_count(world, garage):
    owner = UserFactory(role=Role.OWNER)
    now = timezone.now()
    JobFactory(office=garage, status=JobStatus.SUBMITTED, contractor=None,
               starts_at=now - datetime.timedelta(days=1))  # fmt: skip
    answer = run_tool(owner, "dashboard_counts", {"office": "Garage"})

    leads = Lead.objects.visible_to(owner).filter(office=garage).with_tier(now)
    tiers = [leads.filter(tier=tier).count() for tier in (1, 2, 3, 4, 5)]
    assert list(answer["leads"].values()) == tiers == [1, 5, 0, 1, 0]
    hours = JobsSettings.load().ask_for_update_hours
    flagged = Job.objects.visible_to(owner).filter(office=garage)
    assert answer["jobs_needing_attention"] == flagged.needing_attention(hours=hours).count()
    assert answer["jobs_needing_attention"] > 0


def test_jobs_of_a_jobs_off_office_are_left_out(world, garage):
    owner = UserFactory(role=Role.OWNER)
    garage.is_jobs_enabled = False
    garage.save()
    owner = type(owner).objects.get(pk=owner.pk)  # the office flags are cached per user
    assert run_tool(owner, "job_pipeline", {})["total"] == 3
    assert run_tool(owner, "list_jobs", {"office": "Garage"})["total"] == 0


def test_money_is_hidden_from_agents_and_shown_to_finance(world, joes):
    agent = UserFactory(role=Role.AGENT, offices=[joes])
    finance = UserFactory(role=Role.FINANCE_ADMIN, offices=[joes])

    job = run_tool(agent, "list_jobs", {"status": "done"})["jobs"][0]
    assert not {"closing", "parts", "payout"} & set(job)
    assert "closing" not in str(run_tool(agent, "job_pipeline", {}))
    assert "revenue" not in run_tool(agent, "contractor_history", {})["contractors"][0]
    assert "fee" not in run_tool(agent, "list_leads", {})["leads"][0]

    job = run_tool(finance, "list_jobs", {"status": "done"})["jobs"][0]
    # (500 − 100) × (1 − 30%) = 280.00
    assert (job["closing"], job["parts"], job["payout"]) == ("500.00", "100.00", "280.00")
    done = next(s for s in run_tool(finance, "job_pipeline", {})["stages"] if s["status"] == "Done")
    assert (done["count"], done["closing"], done["payout"]) == (1, "500.00", "280.00")
    history = run_tool(finance, "contractor_history", {})["contractors"][0]
    assert history == {
        "contractor": "Quick Doors LLC",
        "jobs": 2,
        "done": 1,
        "cancelled": 1,
        "contact": world.contact_name,
        "phone": "+13055550199",
        "revenue": "500.00",
    }


def test_lists_stop_at_300_rows_and_say_so(joes, agent):
    source = lead_source()
    Lead.objects.bulk_create(
        LeadFactory.build(office=joes, source=source, status=Status.FRESH) for _ in range(301)
    )
    answer = run_tool(agent, "list_leads", {"status": "Fresh"})
    assert answer["total"] == 301
    assert len(answer["leads"]) == 300
    assert answer["showing"] == "showing 300 of 301"
    assert run_tool(agent, "count_leads", {"status": "fresh"}) == {"count": 301}


def test_dates_are_new_york_days(joes, agent):
    # 10 PM in New York on Dec 7 is already Dec 8 in UTC.
    late = datetime.datetime(2026, 12, 7, 22, 0, tzinfo=NEW_YORK)
    LeadFactory(office=joes, received_at=late)
    LeadFactory(office=joes, received_at=late + datetime.timedelta(hours=3))  # Dec 8, 1 AM
    day = {"start_date": "2026-12-07", "end_date": "2026-12-07"}
    assert run_tool(agent, "count_leads", day) == {"count": 1}
    lead = run_tool(agent, "list_leads", day)["leads"][0]
    assert lead["received"] == "Dec 7, 2026 10:00 PM ET"


def test_conversion_rate_compares_two_periods(joes, agent):
    this_week = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=NEW_YORK)
    last_week = this_week - datetime.timedelta(days=7)
    for received, statuses in ((this_week, "CCFF"), (last_week, "CFFFF")):
        for letter in statuses:
            status = Status.CONVERTED if letter == "C" else Status.FRESH
            LeadFactory(office=joes, received_at=received, status=status)
    answer = run_tool(
        agent,
        "conversion_rate",
        {
            "start_date": "2026-11-30",
            "end_date": "2026-12-06",
            "compare_start_date": "2026-11-23",
            "compare_end_date": "2026-11-29",
        },
    )
    assert [(p["leads"], p["converted"], p["rate_percent"]) for p in answer["periods"]] == [
        (4, 2, 50.0),
        (5, 1, 20.0),
    ]
    assert answer["change_points"] == 30.0


@pytest.mark.parametrize(
    ("name", "tool_input", "message"),
    [
        ("count_leads", {"office": "Nowhere"}, "No office named 'Nowhere'. Yours: Joes Doors FL."),
        ("count_leads", {"status": 7}, "status must be text, not int."),
        ("count_leads", {"source": "Carrier pigeon"}, "No lead source 'Carrier pigeon'."),
        ("count_leads", {"start_date": "2026-12-09", "end_date": "2026-12-01"},
         "start_date 2026-12-09 is after end_date 2026-12-01."),
        ("lead_breakdown", {}, "Missing input by."),
        ("lead_breakdown", {"by": "colour"}, "Unknown by 'colour'."),
        ("list_jobs", {"contractor": "Nobody Inc"}, "No contractor named 'Nobody Inc'."),
        ("recent_calls", {"limit": "ten"}, "limit must be a whole number."),
        ("recent_calls", {"limit": 500}, "limit must be between 1 and 100."),
    ],
)  # fmt: skip
def test_bad_input_is_a_tool_error(agent, name, tool_input, message):
    with pytest.raises(ToolError) as refusal:
        run_tool(agent, name, tool_input)
    assert refusal.value.message.startswith(message)


def test_recent_calls_without_ctm_say_there_is_no_call_data(agent):
    answer = run_tool(agent, "recent_calls", {})
    assert answer == {"calls": [], "note": "no call data: CallTrackingMetrics is not connected"}


def test_recent_calls_show_only_the_lines_of_her_offices(ctm, agent, joes, garage):  # noqa: F811
    Line.objects.create(phone="+13055550100", label="Joes main", office=joes)
    Line.objects.create(phone="+13055550200", label="Garage main", office=garage)
    calls = [
        {"id": 1, "direction": "inbound", "caller_number": "+13055550142",
         "tracking_number": "+13055550100", "duration": 184,
         "called_at": "2026-12-07 09:14 AM -05:00"},
        {"id": 2, "direction": "inbound", "caller_number": "+13055550143",
         "tracking_number": "+13055550200", "duration": 60,
         "called_at": "2026-12-07 09:20 AM -05:00"},
    ]  # fmt: skip
    ctm.answers[("GET", "/calls")] = (200, {"calls": calls, "page": 1, "total_pages": 1})

    answer = run_tool(agent, "recent_calls", {"limit": 10})

    assert answer == {
        "calls": [
            {
                "called_at": "2026-12-07 09:14 AM -05:00",
                "direction": "inbound",
                "caller": "+13055550142",
                "line": "Joes main",
                "office": "Joes Doors FL",
                "duration_seconds": 184,
            }
        ]
    }
    owner = UserFactory(role=Role.OWNER)
    assert len(run_tool(owner, "recent_calls", {})["calls"]) == 2


def test_a_viewer_without_the_jobs_feature_is_refused_job_tools(world):
    no_jobs = OfficeFactory(name="Leads Only", is_jobs_enabled=False)
    viewer = UserFactory(role=Role.VIEWER, offices=[no_jobs])
    with pytest.raises(ToolError, match="can't see that data"):
        run_tool(viewer, "list_jobs", {})


def test_every_tool_has_a_schema_the_api_takes():
    assert TOOL_NAMES == [
        "count_leads",
        "list_leads",
        "lead_breakdown",
        "conversion_rate",
        "job_pipeline",
        "list_jobs",
        "contractor_history",
        "dashboard_counts",
        "recent_calls",
    ]
    for tool in TOOLS:
        assert tool["input_schema"]["type"] == "object"
        assert tool["description"]


@pytest.mark.parametrize("name", sorted(every_call("Joes Doors FL")))
def test_each_tool_runs_in_a_few_queries(world, agent, name, django_assert_max_num_queries):
    tool_input = every_call("Joes Doors FL")[name]
    run_tool(agent, name, tool_input)  # settings rows made and cached once
    with django_assert_max_num_queries(5):
        run_tool(agent, name, tool_input)
