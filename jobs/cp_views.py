"""CP → Cancel Reasons, CP → Job Tags and CP → Jobs Settings (Jobs Attentions + Auto
Status Change): owner only, one page each, thin. Same shape as contractors.cp_views."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from crm import permissions
from crm.controlpanel.lists import list_with_form
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
    # Job.cancel_reason has no reverse accessor, so count through a subquery.
    used = (
        Job.objects.filter(cancel_reason=OuterRef("pk"))
        .order_by()
        .values("cancel_reason")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return list_with_form(
        request,
        model=CancelReason,
        pk=pk,
        form_class=CancelReasonForm,
        fields=("label", "sort_order"),
        save=job_settings.save_cancel_reason,
        target="reason",
        redirect_to="jobs:cp_cancel_reasons",
        template="jobs/cp_cancel_reasons.html",
        rows=CancelReason.objects.annotate(job_count=Coalesce(Subquery(used), 0)),
    )


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
    return list_with_form(
        request,
        model=JobTag,
        pk=pk,
        form_class=JobTagForm,
        fields=("label", "color"),
        save=job_settings.save_job_tag,
        target="tag",
        redirect_to="jobs:cp_job_tags",
        template="jobs/cp_job_tags.html",
        rows=JobTag.objects.annotate(job_count=Count("jobs")),
    )


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
