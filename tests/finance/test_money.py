"""Payout = (closing − parts) × (1 − profit%), to the cent, in Python and in SQL alike."""

from decimal import Decimal

import pytest

from finance.money import contractor_payout, job_payout, money, payout_expression, totals
from jobs.models import Job

pytestmark = pytest.mark.django_db

D = Decimal

# closing, parts, profit %, payout
EDGES = [
    (D("0"), D("0"), D("30"), D("0.00")),  # nothing closed
    (D("900.00"), D("120.50"), D("30"), D("545.65")),  # 779.50 × 0.70
    (D("100.01"), D("0"), D("33.33"), D("66.68")),  # 66.676667 rounds up
    (D("100.00"), D("0"), D("33.33"), D("66.67")),  # 66.67 exactly
    (D("0.01"), D("0"), D("50"), D("0.01")),  # a half cent rounds half-up, not to even
    (D("0.03"), D("0"), D("50"), D("0.02")),  # 0.015 → 0.02
    (D("10.05"), D("0"), D("10"), D("9.05")),  # 9.045 → 9.05
    (D("1250.00"), D("80.00"), D("100"), D("0.00")),  # the company keeps everything
    (D("1250.00"), D("80.00"), D("0"), D("1170.00")),  # the contractor keeps everything
    (D("450.00"), D("450.00"), D("25"), D("0.00")),  # parts = closing
    (D("100.00"), D("100.01"), D("50"), D("-0.01")),  # parts over closing (confirmed)
    (D("99999999.99"), D("0"), D("0.01"), D("99989999.99")),  # the largest closing
]


@pytest.mark.parametrize(("closing", "parts", "profit", "payout"), EDGES)
def test_the_payout_formula_on_edge_values(closing, parts, profit, payout):
    result = contractor_payout(closing, parts, profit)

    assert result == payout
    assert result.as_tuple().exponent == -2  # always cents


def test_missing_numbers_count_as_zero():
    assert contractor_payout(None, None, None) == D("0.00")
    assert contractor_payout(D("500"), None, None) == D("500.00")
    assert contractor_payout("500", "100", "25") == D("300.00")


def test_a_job_without_a_contractor_pays_nobody(make_job):
    assert job_payout(make_job(contractor=None, profit_share=None)) == D("0.00")
    assert job_payout(make_job()) == D("545.65")


def test_money_reads_like_a_ledger():
    assert money(D("1250")) == "$1,250.00"
    assert money(D("-0.5")) == "-$0.50"
    assert money(None) == "—"


def test_the_sql_payout_matches_python_to_the_cent_row_by_row(make_job, mike):
    jobs = [
        make_job(closing_total=closing, parts_total=parts, profit_share=profit)
        for closing, parts, profit, _ in EDGES
    ]
    jobs.append(make_job(contractor=None, profit_share=None))
    jobs.append(make_job(closing_total=None, parts_total=None))  # a Deposit job, no closing

    rows = Job.objects.annotate(payout=payout_expression()).order_by("pk")

    assert {job.pk: job.payout for job in rows} == {job.pk: job_payout(job) for job in jobs}
    assert all(job.payout.as_tuple().exponent == -2 for job in rows)


def test_totals_of_a_filtered_set_are_exact_in_one_query(make_job, django_assert_num_queries):
    for closing, parts, profit, _ in EDGES[1:7]:
        make_job(closing_total=closing, parts_total=parts, profit_share=profit)
    make_job(deposit_amount=D("150.10"), closing_total=None, parts_total=None)
    expected_payout = sum(payout for _, _, _, payout in EDGES[1:7])

    with django_assert_num_queries(1):
        result = totals(Job.objects.all())

    assert result == {
        "closing": D("1110.10"),
        "parts": D("120.50"),
        "deposit": D("150.10"),
        "payout": expected_payout,
    }
    assert expected_payout == D("688.08")
