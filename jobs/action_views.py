"""What the detail panel and the board's buttons do: status, K, Find Contractor, rebook,
schedule, follow-up, inline fields, archive. Each view parses a form, calls one action of
`jobs.services` and answers with the refreshed panel (or the dialog again with the
refusal). The board refreshes itself from the `bookback:changed` event."""

import json

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from crm import permissions
from crm.errors import DomainError
from jobs import services
from jobs.forms import (
    AddressForm,
    ContractorPickForm,
    ExpectedCompletionForm,
    FollowUpForm,
    RebookForm,
    StatusForm,
    WindowForm,
)
from jobs.models import Job, JobTag
from jobs.responses import REFRESH, done
from jobs.services.common import short_window
from jobs.services.placing import point_of
from jobs.views import can_view, panel_context, visible_jobs


def _job(request, pk: int, *, capability: str = "jobs.edit", archived: bool = False) -> Job:
    if not permissions.can(request.user, capability):
        raise PermissionDenied
    return get_object_or_404(visible_jobs(request.user, archived=archived), pk=pk)


def _panel(request, job: Job, *, error: str = "", **forms) -> HttpResponse:
    """The refreshed panel; a refusal shows on it and nothing has changed."""
    response = render(
        request, "jobs/_partials/detail.html", panel_context(request, job, error=error, **forms)
    )
    if not error:
        response["HX-Trigger"] = json.dumps(REFRESH)
    return response


def _run(action, **kwargs) -> str:
    """Call a service; its refusal's message, or "" when done."""
    try:
        action(**kwargs)
    except DomainError as exc:
        return exc.message
    return ""


@can_view
@require_POST
def change_status(request, pk: int):
    job = _job(request, pk)
    form = StatusForm(request.POST, job=job)
    if not form.is_valid():
        return _panel(request, job, error="Check the status fields.", status_form=form)
    error = _run(services.change_status, job=job, actor=request.user, **form.action_fields())
    return _panel(request, job, error=error, status_form=form if error else None)


@can_view
@require_POST
def change_schedule(request, pk: int):
    job = _job(request, pk)
    form = WindowForm(request.POST, job=job)
    if not form.is_valid():
        return _panel(request, job, error="Pick the start and the end of the job.")
    starts_at, ends_at = form.window()
    error = _run(
        services.change_schedule, job=job, actor=request.user, starts_at=starts_at, ends_at=ends_at
    )
    return _panel(request, job, error=error)


@can_view
@require_POST
def reschedule_follow_up(request, pk: int):
    job = _job(request, pk)
    form = FollowUpForm(request.POST, job=job)
    if not form.is_valid():
        return _panel(request, job, error="Pick the date and time of the next follow-up.")
    when = form.aware(form.cleaned_data["follow_up_at"])
    error = _run(services.reschedule_follow_up, job=job, actor=request.user, follow_up_at=when)
    return _panel(request, job, error=error)


@can_view
@require_POST
def change_expected_completion(request, pk: int):
    job = _job(request, pk)
    form = ExpectedCompletionForm(request.POST, job=job)
    if not form.is_valid():
        return _panel(request, job, error="Pick the new expected completion date.")
    error = _run(
        services.change_expected_completion,
        job=job,
        actor=request.user,
        expected_completion=form.cleaned_data["expected_completion"],
    )
    return _panel(request, job, error=error)


@can_view
@require_POST
def update_field(request, pk: int):
    job = _job(request, pk)
    field, value = request.POST.get("field", ""), request.POST.get("value", "")
    error = _run(services.update_field, job=job, actor=request.user, field=field, value=value)
    return _panel(request, job, error=error)


@can_view
@require_POST
def change_address(request, pk: int):
    job = _job(request, pk)
    form = AddressForm(request.POST)
    if not form.is_valid():
        return _panel(request, job, error="Check the address fields.")
    error = _run(services.change_address, job=job, actor=request.user, **form.cleaned_data)
    return _panel(request, job, error=error)


@can_view
@require_POST
def set_tags(request, pk: int):
    job = _job(request, pk, capability="jobs.tag")
    tags = JobTag.objects.filter(pk__in=request.POST.getlist("tags"))
    error = _run(services.set_tags, job=job, actor=request.user, tags=tags)
    return _panel(request, job, error=error)


@can_view
def k_dialog(request, pk: int):
    """K: confirm who accepted (maybe reassigning), or clear a K."""
    job = _job(request, pk)
    candidates = services.candidates_for(job)
    form = ContractorPickForm(request.POST or None, candidates=candidates)
    error = ""
    if request.method == "POST":
        if request.POST.get("clear"):
            error = _run(services.clear_k_confirmation, job=job, actor=request.user)
        elif form.is_valid():
            picked = form.cleaned_data["contractor"]
            error = _run(services.k_confirm, job=job, actor=request.user, contractor=picked)
        else:
            error = "Pick a contractor from the list."
        if not error:
            return done(request, closeModal={})
    context = {
        "job": job,
        "form": form,
        "error": error,
        "window": short_window(job),
        "candidates": candidates,
    }
    return render(request, "jobs/_partials/k_dialog.html", context)


@can_view
def find_contractor(request, pk: int):
    """🔍 FIND CONTRACTOR: assign one who covers the area and does the job type."""
    job = _job(request, pk)
    candidates = services.candidates_for(job)
    form = ContractorPickForm(request.POST or None, candidates=candidates)
    error = ""
    if request.method == "POST":
        picked = form.cleaned_data.get("contractor") if form.is_valid() else None
        if picked is None:
            error = "Pick a contractor from the list."
        else:
            error = _run(services.assign_contractor, job=job, actor=request.user, contractor=picked)
            if not error:
                return done(request, closeModal={})
    # Without a service area, say how the list is ordered (by distance, or by type alone).
    placed = point_of(zip_code=job.zip_code, lat=job.lat, lng=job.lng) is not None
    context = {"job": job, "form": form, "error": error, "candidates": candidates, "placed": placed}
    return render(request, "jobs/_partials/find_contractor.html", context)


@can_view
def rebook(request, pk: int):
    job = _job(request, pk)
    choices = services.contractor_choices(job)
    form = RebookForm(
        request.POST or None, job=job, choices=choices, initial={"contractor": job.contractor_id}
    )
    error = ""
    if request.method == "POST":
        if form.is_valid():
            error = _run(services.rebook, job=job, actor=request.user, **form.action_fields())
            if not error:
                return done(request, closeModal={})
        else:
            error = "Check the new window."
    if not form.is_bound:
        form.initial["starts_at"] = form.local_value(job.starts_at)
        form.initial["ends_at"] = form.local_value(job.ends_at)
    context = {"job": job, "form": form, "error": error}
    return render(request, "jobs/_partials/rebook.html", context)


@can_view
@require_POST
def archive(request, pk: int):
    job = _job(request, pk, capability="jobs.archive")
    error = _run(services.archive_job, job=job, actor=request.user)
    if error:
        return _panel(request, job, error=error)
    return done(request, closeRight={}, toast=f"{job.display_id} archived.")


@can_view
@require_POST
def restore(request, pk: int):
    job = _job(request, pk, capability="jobs.archive", archived=True)
    services.restore_job(job=job, actor=request.user)
    return done(request, closeModal={}, toast=f"{job.display_id} restored to the board.")
