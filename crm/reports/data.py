"""What a report holds: plain dataclasses built by `crm.reports.queries` and drawn by the
modal, the "Show numbers" tables, the xlsx export and the emailed report alike."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from crm.accounts.models import Office
from crm.reports.periods import Period


@dataclass
class Bar:
    label: str
    value: int | Decimal
    key: str = ""


@dataclass
class DayPoint:
    day: date
    values: dict[str, int]  # one count per series, e.g. {"converted": 1, "open": 4, ...}


@dataclass
class AttemptRow:
    attempt: int  # 0 = the lead was never called
    total: int
    converted: int


@dataclass
class AgentRow:
    name: str
    calls: int
    claims: int
    conversions: int
    avg_response_minutes: float | None
    median_response_minutes: float | None


@dataclass
class SpeedRow:
    label: str
    leads: int
    median_minutes: float | None
    p90_minutes: float | None
    never_called: int


@dataclass
class ContractorRow:
    name: str
    jobs: int
    done: int
    cancelled: int
    revenue: Decimal


@dataclass
class LeadsReport:
    total: int
    converted: int
    irrelevant: int
    fresh: int
    not_yet_scheduled: int
    needs_follow_up: int
    conversion_rate: float | None  # percent 0–100, None when total == 0
    avg_response_minutes: float | None
    median_response_minutes: float | None
    escalated: int
    escalation_minutes: int
    by_status: list[Bar]
    by_source: list[Bar]
    by_office: list[Bar]
    status_by_day: list[DayPoint]  # "converted", "open", "irrelevant"
    bookback_by_day: list[DayPoint]  # "detected", "reactivated", "converted"
    followup_by_day: list[DayPoint]  # "attempts", "conversions"
    by_attempt: list[AttemptRow]
    agents: list[AgentRow]
    speed_by_source: list[SpeedRow]
    speed_by_agent: list[SpeedRow]


@dataclass
class JobsReport:
    total: int
    done: int
    cancelled: int
    done_pct: float | None
    cancel_pct: float | None
    revenue: Decimal
    finance_cancelled_total: Decimal
    finance_cancelled_count: int
    deposits_total: Decimal
    deposits_count: int
    rebooked: int
    k_accepted: int
    parts_cost: Decimal
    by_status: list[Bar]
    by_office: list[Bar]
    by_type: list[Bar]
    by_source: list[Bar]
    daily: list[DayPoint]  # "done", "open", "cancelled"
    contractors: list[ContractorRow]


@dataclass
class Report:
    period: Period
    offices: list[Office]  # the offices counted
    leads: LeadsReport
    jobs: JobsReport | None  # None when no Jobs-enabled office is in scope
