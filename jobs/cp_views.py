"""CP → Cancel Reasons, CP → Job Tags and CP → Jobs Settings (Jobs Attentions + Auto
Status Change): owner only, one page each, thin. Same shape as contractors.cp_views."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from crm import permissions
from crm.flash import flash_outcome, save_form
from jobs.cp_forms import CancelReasonForm, JobsSettingsForm, JobTagForm
from jobs.models import CancelReason, Job, JobsSettings, JobTag
from jobs.services import settings as job_settings

owner_only = permissions.require("controlpanel.access")


def _back_to(request, url_name: str):
    """Deletes are posted by htmx (for hx-confirm) or by a plain form without JS."""
    if request.htmx:
        return HttpResponseClientRedirect(reverse(url_name))
    return redirect(url_name)


@owner_only
def cancel_reasons(request, pk: int | None = None):
    reason = get_object_or_404(CancelReason, pk=pk) if pk else None
    initial = {"label": reason.label, "sort_order": reason.sort_order} if reason else None
    form = CancelReasonForm(request.POST or None, initial=initial)
    if request.method == "POST":
        target = {"reason": reason} if reason else {}
        done = save_form(
            request,
            form,
            job_settings.save_cancel_reason,
            redirect_to="jobs:cp_cancel_reasons",
            **target,
        )
        if done:
            return done
    # Job.cancel_reason has no reverse accessor, so count through a subquery.
    used = (
        Job.objects.filter(cancel_reason=OuterRef("pk"))
        .order_by()
        .values("cancel_reason")
        .annotate(count=Count("pk"))
        .values("count")
    )
    rows = CancelReason.objects.annotate(job_count=Coalesce(Subquery(used), 0))
    context = {"form": form, "rows": rows, "editing": reason}
    return render(request, "jobs/cp_cancel_reasons.html", context)


@owner_only
@require_POST
def delete_cancel_reason(request, pk: int):
    reason = get_object_or_404(CancelReason, pk=pk)
    flash_outcome(
        request,
        lambda: job_settings.delete_cancel_reason(actor=request.user, reason=reason),
        success=f"Cancel reason {reason.label} deleted.",
    )
    return _back_to(request, "jobs:cp_cancel_reasons")


@owner_only
def job_tags(request, pk: int | None = None):
    tag = get_object_or_404(JobTag, pk=pk) if pk else None
    initial = {"label": tag.label, "color": tag.color} if tag else None
    form = JobTagForm(request.POST or None, initial=initial)
    if request.method == "POST":
        target = {"tag": tag} if tag else {}
        done = save_form(
            request,
            form,
            job_settings.save_job_tag,
            redirect_to="jobs:cp_job_tags",
            **target,
        )
        if done:
            return done
    rows = JobTag.objects.annotate(job_count=Count("jobs"))
    context = {"form": form, "rows": rows, "editing": tag}
    return render(request, "jobs/cp_job_tags.html", context)


@owner_only
@require_POST
def delete_job_tag(request, pk: int):
    tag = get_object_or_404(JobTag, pk=pk)
    flash_outcome(
        request,
        lambda: job_settings.delete_job_tag(actor=request.user, tag=tag),
        success=f"Job tag {tag.label} deleted.",
    )
    return _back_to(request, "jobs:cp_job_tags")


@owner_only
def jobs_settings(request):
    """CP → Jobs Attentions and CP → Jobs Settings → 🔄 Auto Status Change, one form."""
    form = JobsSettingsForm(request.POST or None, instance=JobsSettings.load())
    if request.method == "POST":
        done = save_form(
            request,
            form,
            job_settings.update_jobs_settings,
            redirect_to="jobs:cp_jobs_settings",
        )
        if done:
            return done
    return render(request, "jobs/cp_jobs_settings.html", {"form": form})
