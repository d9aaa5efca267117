"""Money, exactly: the contractor payout in Python and the same number in SQL.

Payout = (closing − parts) × (1 − profit% / 100), rounded once, at the end, to cents
with ROUND_HALF_UP (a tie goes away from zero, as Postgres' numeric round does).

The SQL version works in integer cents and hundredths of a percent, so SQLite (which
does decimal arithmetic in floats) and Postgres agree with the Python function to the
cent, row by row and in sums. Amounts are stored with 2 decimal places, which is what
makes the integer form exact.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    BigIntegerField,
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round
from django.db.models.lookups import GreaterThanOrEqual

CENTS = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0.00")


def _amount(value) -> Decimal:
    return ZERO if value is None else Decimal(str(value))


def contractor_payout(closing, parts, profit_percent) -> Decimal:
    """(closing − parts) × (1 − profit%/100) in dollars, rounded half-up to cents.

    A missing number counts as 0 (a Deposit job has no closing yet). Parts above the
    closing (saved only when confirmed) give a negative payout: the contractor owes.
    """
    margin = _amount(closing) - _amount(parts)
    kept = 1 - _amount(profit_percent) / HUNDRED
    return (margin * kept).quantize(CENTS, rounding=ROUND_HALF_UP)


def share_of(amount, percent) -> Decimal:
    """`percent`% of `amount`, rounded half-up to cents (a partner's keep-rate share)."""
    return (_amount(amount) * _amount(percent) / HUNDRED).quantize(CENTS, rounding=ROUND_HALF_UP)


def job_payout(job) -> Decimal:
    """What `job`'s contractor earns; a job without a contractor pays nobody (0.00)."""
    if job.contractor_id is None:
        return ZERO
    return contractor_payout(job.closing_total, job.parts_total, job.profit_share)


def money(value) -> str:
    """$1,250.00; a missing amount is a dash."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


# SQL ---------------------------------------------------------------------------------


def cents(field: str):
    """An amount column as integer cents (NULL counts as 0)."""
    amount = Coalesce(F(field), Value(0), output_field=DecimalField())
    return Cast(Round(amount * Value(100)), BigIntegerField())


def payout_cents_expression(
    *,
    closing: str = "closing_total",
    parts: str = "parts_total",
    profit: str = "profit_share",
    contractor: str = "contractor",
):
    """The contractor payout in integer cents, for `annotate` or inside `Sum`.

    margin (cents) × (10000 − profit in hundredths of a percent) / 10000, the division
    rounding half away from zero. No contractor: 0.
    """
    kept = Value(10000) - cents(profit)
    product = ExpressionWrapper(
        (cents(closing) - cents(parts)) * kept, output_field=BigIntegerField()
    )
    # Integer division truncates toward zero on both databases: add (or take) half first.
    rounded = Case(
        When(GreaterThanOrEqual(product, 0), then=(product + Value(5000)) / Value(10000)),
        default=(product - Value(5000)) / Value(10000),
        output_field=BigIntegerField(),
    )
    return Case(
        When(Q(**{f"{contractor}__isnull": True}), then=Value(0)),
        default=rounded,
        output_field=BigIntegerField(),
    )


class Dollars(Func):
    """Integer cents as a Decimal amount with 2 places, on every database."""

    output_field = DecimalField(max_digits=14, decimal_places=2)

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="CAST(%(expressions)s AS DECIMAL(14, 2)) / 100", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s) / 100.0", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="ROUND((%(expressions)s)::numeric / 100, 2)", **extra
        )

    def convert_value(self, value, expression, connection):
        # SQLite hands back a float: one quantize makes it the exact cents again.
        return None if value is None else Decimal(value).quantize(CENTS)


def payout_expression(**fields):
    """The contractor payout as a Decimal: `Job.objects.annotate(payout=payout_expression())`."""
    return Dollars(payout_cents_expression(**fields))


def cents_to_dollars(value: int | None) -> Decimal:
    return (Decimal(value or 0) / 100).quantize(CENTS)


def totals(queryset) -> dict[str, Decimal]:
    """Closing, parts, deposit and payout totals of `queryset`'s jobs, in one query, exact.

    For the finance list's totals row: pass the filtered queryset (before paging).
    """
    row = queryset.order_by().aggregate(
        closing=Sum(cents("closing_total")),
        parts=Sum(cents("parts_total")),
        deposit=Sum(cents("deposit_amount")),
        payout=Sum(payout_cents_expression()),
    )
    return {name: cents_to_dollars(value) for name, value in row.items()}
