"""The Possible opt-outs list (admin+): texts that may revoke consent, for a person to decide."""

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from crm import permissions
from crm.flash import flash_outcome
from messaging import optouts
from messaging.models import PossibleOptOut, Thread

RECENT_DECIDED = 20


def _visible(user):
    threads = Thread.objects.visible_to(user)
    return PossibleOptOut.objects.filter(message__thread__in=threads).select_related(
        "message__thread__line", "message__thread__lead", "decided_by"
    )


@permissions.require("sms.optouts")
def possible_optouts(request):
    pending = list(_visible(request.user).filter(decision="").order_by("created_at"))
    for row in pending:
        row.age = optouts.business_days_since(row.created_at)
        row.overdue = row.age >= optouts.OVERDUE_BUSINESS_DAYS
    decided = _visible(request.user).exclude(decision="").order_by("-decided_at")[:RECENT_DECIDED]
    context = {
        "pending": pending,
        "decided": decided,
        "overdue_days": optouts.OVERDUE_BUSINESS_DAYS,
    }
    return render(request, "messaging/optouts.html", context)


@permissions.require("sms.optouts")
@require_POST
def decide(request, pk: int):
    possible = get_object_or_404(_visible(request.user), pk=pk)
    opt_out_now = request.POST.get("decision") == "opt_out"
    phone = possible.message.thread.pretty_customer_phone
    flash_outcome(
        request,
        lambda: optouts.decide(actor=request.user, possible=possible, opt_out_now=opt_out_now),
        success=f"{phone}: {'opted out' if opt_out_now else 'not an opt-out'}.",
    )
    return redirect("messaging:sms_optouts")
