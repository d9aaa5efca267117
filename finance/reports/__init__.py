"""Weekly payment reports: per contractor and per partner, for one business week.

Rules (the spec says "weekly per-contractor and per-partner payment summaries, with
reimbursement line items for finance-cancelled jobs"; what it leaves open is settled here):

- A week runs Monday to Sunday, America/New_York, and closes when its report goes out,
  Sunday 11 PM: its jobs are those marked Done from the previous Sunday 11 PM up to this
  Sunday 11 PM (`status_changed_at`). So every Done job lands in exactly one week, even
  one marked Done at 11:30 PM on a Sunday or days after the work.
- Payout = (closing − parts) × (1 − profit%) (`finance.money`). A job finance-cancelled
  (now) is listed but not payable: it counts in no total.
- Reimbursement: a job finance-cancelled during the week (and not undone) whose contractor
  was marked paid: the contractor owes that payout back; net due = unpaid payouts −
  reimbursements (negative: the contractor owes us). A cancelled job nobody was paid for
  needs no line. The same holds for a partner marked paid by a person ("Auto" house-brand
  stamps moved no money).
- Partner share = the company's profit on the job (closing − parts − payout) × the
  partner's keep rate, today's rate (it isn't snapshotted on the job).
- Archived jobs and offices with the Jobs feature off are left out, as everywhere.
"""

from finance.reports.building import (
    JobLine,
    PartyReport,
    Reimbursement,
    WeeklyReport,
    build_weekly_report,
)
from finance.reports.output import render_email, report_xlsx
from finance.reports.weeks import (
    WEEK_CLOSES,
    last_closed_week,
    week_containing,
    week_start_of,
    week_window,
)

__all__ = [
    "WEEK_CLOSES",
    "JobLine",
    "PartyReport",
    "Reimbursement",
    "WeeklyReport",
    "build_weekly_report",
    "last_closed_week",
    "render_email",
    "report_xlsx",
    "week_containing",
    "week_start_of",
    "week_window",
]
