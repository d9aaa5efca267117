"""CP → Job Types and CP → Job Partners: owner only, one page each, thin."""

from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from contractors.cp_forms import JobPartnerForm, JobTypeForm
from contractors.models import JobPartner, JobType
from contractors.services import settings as job_settings
from crm import permissions
from crm.controlpanel.lists import list_with_form
from crm.flash import flash_outcome

owner_only = permissions.require("controlpanel.access")


@owner_only
def job_types(request, pk: int | None = None):
    return list_with_form(
        request,
        model=JobType,
        pk=pk,
        form_class=JobTypeForm,
        fields=("label", "sort_order"),
        save=job_settings.save_job_type,
        target="job_type",
        redirect_to="contractors:cp_job_types",
        template="contractors/cp_job_types.html",
        rows=JobType.objects.annotate(contractor_count=Count("contractors")),
    )


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
    return list_with_form(
        request,
        model=JobPartner,
        pk=pk,
        form_class=JobPartnerForm,
        fields=("name", "keep_rate"),
        save=job_settings.save_job_partner,
        target="partner",
        redirect_to="contractors:cp_job_partners",
        template="contractors/cp_job_partners.html",
        rows=JobPartner.objects.all(),
    )


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
