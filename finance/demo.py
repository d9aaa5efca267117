"""Demo finance for `make run`: money on the demo Deposit/Done jobs, some paid, one
finance-cancelled after its contractor was paid (a reimbursement line in this week's
report), and Finance settings without SMTP (reports are skipped until it is set)."""

import datetime

from django.utils import timezone

from finance import services
from jobs.models import FINANCE_STATUSES, Job, Status
from messaging.models import Line

# Deposit jobs: the quote agreed when the deposit was taken, and the parts ordered.
QUOTES = [("1450.00", "386.40"), ("2180.00", "612.75")]
DEPOSITS_ON_DONE = ["150.00", "0.00", "200.00"]


def seed_finance(actor) -> None:
    services.save_finance_settings(
        actor=actor,
        from_email="finance@example.com",
        from_name="BookBack Finance",
        report_recipients="finance@example.com",
        # The number demo messaging also texts from (made here if it runs first).
        outbound_ctm_number=Line.objects.get_or_create(
            phone="+13055550199", defaults={"label": "Finance"}
        )[0],
    )
    jobs = Job.objects.filter(status__in=FINANCE_STATUSES).order_by("starts_at", "number")
    paid_before = timezone.now() - datetime.timedelta(days=5)  # older jobs are settled
    paid = []
    for index, job in enumerate(jobs):
        if job.status == Status.DEPOSIT:
            closing, parts = QUOTES[index % len(QUOTES)]
            job = services.update_money(job=job, actor=actor, field="closing_total", value=closing)
            services.update_money(job=job, actor=actor, field="parts_total", value=parts)
            continue
        deposit = DEPOSITS_ON_DONE[index % len(DEPOSITS_ON_DONE)]
        job = services.update_money(job=job, actor=actor, field="deposit_amount", value=deposit)
        if job.starts_at < paid_before and job.contractor_id:
            job = services.set_contractor_paid(job=job, actor=actor, paid=True)
            if not job.partner_paid_at:  # house-brand jobs were stamped "Auto" on Done
                job = services.set_partner_paid(job=job, actor=actor, paid=True)
            paid.append(job)
    if paid:
        services.finance_cancel(
            job=paid[-1],
            actor=actor,
            reason="Chargeback",
            note="Card dispute opened by the client; contractor payout to be recovered.",
        )
