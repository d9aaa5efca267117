"""CP → Job Types and CP → Job Partners: owner only, one page each, thin."""

from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from contractors.cp_forms import JobPartnerForm, JobTypeForm
from contractors.models import JobPartner, JobType
from contractors.services import settings as job_settings
from crm import permissions
from crm.flash import flash_outcome, save_form

owner_only = permissions.require("controlpanel.access")


@owner_only
def job_types(request, pk: int | None = None):
    job_type = get_object_or_404(JobType, pk=pk) if pk else None
    initial = {"label": job_type.label, "sort_order": job_type.sort_order} if job_type else None
    form = JobTypeForm(request.POST or None, initial=initial)
    if request.method == "POST":
        target = {"job_type": job_type} if job_type else {}
        done = save_form(
            request,
            form,
            job_settings.save_job_type,
            redirect_to="contractors:cp_job_types",
            **target,
        )
        if done:
            return done
    rows = JobType.objects.annotate(contractor_count=Count("contractors"))
    context = {"form": form, "rows": rows, "editing": job_type}
    return render(request, "contractors/cp_job_types.html", context)


@owner_only
@require_POST
def delete_job_type(request, pk: int):
    job_type = get_object_or_404(JobType, pk=pk)
    flash_outcome(
        request,
        lambda: job_settings.delete_job_type(actor=request.user, job_type=job_type),
        success=f"Job type {job_type.label} deleted.",
    )
    return redirect("contractors:cp_job_types")


@owner_only
def job_partners(request, pk: int | None = None):
    partner = get_object_or_404(JobPartner, pk=pk) if pk else None
    initial = {"name": partner.name, "keep_rate": partner.keep_rate} if partner else None
    form = JobPartnerForm(request.POST or None, initial=initial)
    if request.method == "POST":
        target = {"partner": partner} if partner else {}
        done = save_form(
            request,
            form,
            job_settings.save_job_partner,
            redirect_to="contractors:cp_job_partners",
            **target,
        )
        if done:
            return done
    context = {"form": form, "rows": JobPartner.objects.all(), "editing": partner}
    return render(request, "contractors/cp_job_partners.html", context)


@owner_only
@require_POST
def delete_job_partner(request, pk: int):
    partner = get_object_or_404(JobPartner, pk=pk)
    flash_outcome(
        request,
        lambda: job_settings.delete_job_partner(actor=request.user, partner=partner),
        success=f"Job partner {partner.name} deleted.",
    )
    return redirect("contractors:cp_job_partners")
