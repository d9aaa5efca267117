"""Reports built by hand, for the tests of what draws them (charts, tables, email, xlsx):
the numbers are known, so a test can look for each one in the output."""

import datetime
from decimal import Decimal

from crm.accounts.models import Office
from crm.reports.data import (
    AgentRow,
    AttemptRow,
    Bar,
    ContractorRow,
    DayPoint,
    JobsReport,
    LeadsReport,
    Report,
    SpeedRow,
)
from crm.reports.periods import Period

FIRST_DAY = datetime.date(2026, 11, 30)  # a Monday


def _days(count: int, make) -> list[DayPoint]:
    return [
        DayPoint(FIRST_DAY + datetime.timedelta(days=offset), make(offset))
        for offset in range(count)
    ]


def leads_report(*, source_label: str = "Angi") -> LeadsReport:
    return LeadsReport(
        total=31,
        converted=9,
        irrelevant=4,
        fresh=6,
        not_yet_scheduled=5,
        needs_follow_up=7,
        conversion_rate=100 * 9 / 31,
        avg_response_minutes=47.25,
        median_response_minutes=12.0,
        escalated=3,
        escalation_minutes=15,
        by_status=[Bar("Fresh", 6), Bar("Converted", 9), Bar("Irrelevant", 4)],
        by_source=[Bar(source_label, 17), Bar("Google LSA", 14)],
        by_office=[Bar("Sliding", 20), Bar("Garage", 11)],
        status_by_day=_days(7, lambda d: {"converted": d % 3, "open": 2 + d, "irrelevant": 1}),
        bookback_by_day=_days(7, lambda d: {"detected": 4, "reactivated": 2, "converted": d % 2}),
        followup_by_day=_days(7, lambda d: {"attempts": 5 + d, "conversions": d % 2}),
        by_attempt=[AttemptRow(0, 5, 0), AttemptRow(1, 18, 7), AttemptRow(2, 8, 2)],
        agents=[
            AgentRow("Dana Reyes", 23, 11, 6, 31.5, 9.0),
            AgentRow("Eli Stone", 9, 4, 3, None, None),
        ],
        speed_by_source=[SpeedRow(source_label, 17, 8.5, 41.0, 2)],
        speed_by_agent=[SpeedRow("Dana Reyes", 11, 6.0, 22.4, 0)],
    )


def jobs_report() -> JobsReport:
    return JobsReport(
        total=20,
        done=12,
        cancelled=3,
        done_pct=60.0,
        cancel_pct=15.0,
        revenue=Decimal("18450.00"),
        finance_cancelled_total=Decimal("1200.00"),
        finance_cancelled_count=1,
        deposits_total=Decimal("950.00"),
        deposits_count=4,
        rebooked=2,
        k_accepted=5,
        parts_cost=Decimal("2310.40"),
        by_status=[Bar("Done", 12), Bar("Scheduled", 5), Bar("Cancelled", 3)],
        by_office=[Bar("Sliding", 13), Bar("Garage", 7)],
        by_type=[Bar("Garage Door", 11), Bar("Sliding Door", 9)],
        by_source=[Bar("GDQ", 15), Bar("Nehoray", 5)],
        daily=_days(7, lambda d: {"done": d % 3, "open": 1, "cancelled": d % 2}),
        contractors=[
            ContractorRow("Ace Doors", 9, 7, 1, Decimal("10200.00")),
            ContractorRow("Bolt Garage", 6, 5, 0, Decimal("8250.00")),
        ],
    )


def sample_report(*, with_jobs: bool = True, source_label: str = "Angi") -> Report:
    period = Period.of_days("week", FIRST_DAY, FIRST_DAY + datetime.timedelta(days=6))
    return Report(
        period=period,
        offices=[Office(name="Garage"), Office(name="Sliding")],
        leads=leads_report(source_label=source_label),
        jobs=jobs_report() if with_jobs else None,
    )
