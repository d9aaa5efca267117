"""CP → Job Types and CP → Job Partners (with their partner logins): owner only, thin."""

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from contractors.cp_forms import JobPartnerForm, JobTypeForm, PartnerLoginForm
from contractors.models import JobPartner, JobType
from contractors.services import settings as job_settings
from crm import permissions
from crm.accounts import services as accounts
from crm.accounts.models import Role, User
from crm.controlpanel.lists import list_with_form
from crm.errors import DomainError
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
        rows=JobPartner.objects.annotate(login_count=Count("logins")),
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


def _sign_in_url(request, email: str) -> str:
    query = urlencode({"mode": "code", "email": email})
    return request.build_absolute_uri(f"{reverse('accounts:login')}?{query}")


@owner_only
def partner_logins(request, pk: int):
    """👤 Partner logins of one Job Partner: add one (it is emailed its sign-in link),
    deactivate or reactivate, send the link again."""
    partner = get_object_or_404(JobPartner, pk=pk)
    form = PartnerLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.create_partner_login(
                actor=request.user,
                partner=partner,
                sign_in_url=_sign_in_url(request, form.cleaned_data["email"]),
                **form.cleaned_data,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{user.full_name} can sign in: we emailed {user.email}.")
            return redirect("contractors:cp_partner_logins", pk=partner.pk)
    context = {"partner": partner, "form": form, "logins": partner.logins.order_by("first_name")}
    return render(request, "contractors/cp_partner_logins.html", context)


def _login_of(partner_pk: int, user_pk: int) -> User:
    return get_object_or_404(User, pk=user_pk, partner_id=partner_pk, role=Role.PARTNER)


@owner_only
@require_POST
def set_partner_login_active(request, pk: int, user_pk: int):
    user = _login_of(pk, user_pk)
    active = request.POST.get("active") == "1"
    flash_outcome(
        request,
        lambda: accounts.set_partner_login_active(actor=request.user, user=user, active=active),
        success=f"{user.full_name} {'can sign in again' if active else 'can no longer sign in'}.",
    )
    return redirect("contractors:cp_partner_logins", pk=pk)


@owner_only
@require_POST
def send_partner_sign_in_link(request, pk: int, user_pk: int):
    user = _login_of(pk, user_pk)
    flash_outcome(
        request,
        lambda: accounts.send_sign_in_link(
            actor=request.user, user=user, sign_in_url=_sign_in_url(request, user.email)
        ),
        success=f"Sign-in link sent to {user.email}.",
    )
    return redirect("contractors:cp_partner_logins", pk=pk)
