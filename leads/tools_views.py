"""Leads tools: bulk import (admin+) and duplicate cleanup (owner). Thin: forms parse,
`crm.permissions` decides, `leads.importing` / `leads.services.dedupe` write."""

from django.shortcuts import render
from django.views.decorators.http import require_POST

from crm import permissions
from crm.errors import DomainError
from leads import importing
from leads.services import dedupe
from leads.tools_forms import ImportForm

DUPLICATES_PARTIAL = "leads/_partials/duplicates.html"


@permissions.require("leads.import")
def import_leads(request):
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    result, error = None, ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = importing.import_leads(
                actor=request.user,
                rows=data["file"],
                default_source=data["source"],
                default_office=data["office"],
            )
        except DomainError as exc:
            error = exc.message
        else:
            # A fresh form for the next file, keeping the chosen defaults.
            form = ImportForm(
                initial={"source": data["source"], "office": data["office"]}, user=request.user
            )
    return render(request, "leads/import.html", {"form": form, "result": result, "error": error})


def _duplicates_response(request, *, success: str = "", error: str = ""):
    # The same form lives in the dashboard's modal and on the standalone page; the page's
    # form says so (on_page), so its answer swaps into the page, not the hidden modal.
    is_page = not request.htmx or request.POST.get("on_page") == "1"
    context = {
        "groups": dedupe.duplicate_groups(),
        "success": success,
        "error": error,
        "is_page": is_page,
        "swap_target": "#dup-page" if is_page else "#modal-body",
    }
    if request.htmx:
        return render(request, DUPLICATES_PARTIAL, context)
    return render(request, "leads/duplicates.html", context)


@permissions.require("leads.duplicates")
def duplicates(request):
    return _duplicates_response(request)


def _choices(post) -> list[tuple[int, list[int]]]:
    """(keeper id, group ids) for the group whose Resolve was clicked, or every group for
    Resolve all. Raises ValueError on anything that is not a well-formed pick."""
    groups = post.getlist("group")
    which = post.get("resolve", "all")
    indexes = range(len(groups)) if which == "all" else [int(which)]
    choices = []
    for index in indexes:
        if not 0 <= index < len(groups):
            raise ValueError
        group_ids = [int(pk) for pk in groups[index].split(",") if pk.strip()]
        keeper = post.get(f"keep_{index}", "")
        choices.append((int(keeper), group_ids))
    if not choices:
        raise ValueError
    return choices


@permissions.require("leads.duplicates")
@require_POST
def resolve_duplicates(request):
    try:
        choices = _choices(request.POST)
    except ValueError:
        return _duplicates_response(
            request, error="Pick the lead to keep in each group, then resolve."
        )
    try:
        keepers = dedupe.resolve_groups(actor=request.user, choices=choices)
    except DomainError as exc:
        return _duplicates_response(request, error=exc.message)
    merged = sum(len(group_ids) - 1 for _, group_ids in choices)
    kept = ", ".join(keeper.display_id for keeper in keepers)
    success = f"Merged {merged} lead{'' if merged == 1 else 's'} into {kept}."
    return _duplicates_response(request, success=success)
