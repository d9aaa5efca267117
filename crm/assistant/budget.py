"""Daily AI budgets: a cap per role, applied to each user of the role, per New York day.

Before every model call the caller reserves the call's worst case: under a row lock on
the user's DailySpend, spent + reserved + worst case must stay within the cap, so two
tabs (or two workers) cannot overspend together. The call's actual cost then settles the
reservation. At midnight America/New_York a new row starts the new day.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.assistant.models import DEFAULT_DAILY_CAP, DailySpend, RoleBudget
from crm.errors import DomainError

ZERO = Decimal(0)


class BudgetExceeded(DomainError):
    """The user's role cap for today is reached; the view answers 429 with the message."""

    def __init__(self, cap: Decimal):
        self.cap = cap
        super().__init__(f"Daily AI budget reached (${cap:,.2f}). It resets at midnight Eastern.")


@dataclass(frozen=True)
class Reservation:
    spend_id: int
    amount: Decimal


def business_day(now: datetime.datetime | None = None) -> datetime.date:
    return (now or timezone.now()).astimezone(ZoneInfo(settings.BUSINESS_TIME_ZONE)).date()


def cap_for(role: str) -> Decimal:
    cap = RoleBudget.objects.filter(role=role).values_list("daily_cap", flat=True).first()
    return DEFAULT_DAILY_CAP if cap is None else cap


def _locked_spend(user) -> DailySpend:
    """Today's row for `user`, locked until the transaction ends (made on first use)."""
    day = business_day()
    spend = DailySpend.objects.select_for_update().filter(user=user, day=day).first()
    if spend is not None:
        return spend
    try:
        with transaction.atomic():  # a savepoint: another request may create it first
            DailySpend.objects.create(user=user, day=day)
    except IntegrityError:
        pass
    return DailySpend.objects.select_for_update().get(user=user, day=day)


@transaction.atomic
def reserve(user, role: str, amount: Decimal, *, hold: bool = True) -> Reservation | None:
    """Hold `amount` of today's budget for one call, or raise BudgetExceeded.

    With hold=False only check that it would fit (start_turn: a 429 before streaming).
    """
    cap = cap_for(role)
    spend = _locked_spend(user)
    if spend.spent + spend.reserved + amount > cap:
        raise BudgetExceeded(cap)
    if not hold:
        return None
    spend.reserved += amount
    spend.save(update_fields=["reserved"])
    return Reservation(spend_id=spend.pk, amount=amount)


@transaction.atomic
def settle(reservation: Reservation, actual: Decimal) -> None:
    """Replace the held worst case with what the call cost (on the day it was reserved)."""
    spend = DailySpend.objects.select_for_update().get(pk=reservation.spend_id)
    spend.reserved = max(spend.reserved - reservation.amount, ZERO)
    spend.spent += actual
    spend.save(update_fields=["reserved", "spent"])
