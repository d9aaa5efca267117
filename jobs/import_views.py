"""📥 Importing jobs from Workiz: upload the export (step 1), map what didn't match
(step 2), see what was created and what was skipped. Thin: forms parse, `crm.permissions`
decides, `jobs.services.workiz_import` writes.

Between the steps the parsed rows wait in the session (one key, JSON), so step 2 never
re-reads the file.
"""

import secrets

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import reverse

from contractors.models import Contractor, JobPartner, JobType
from crm import permissions
from crm.accounts.models import Office
from crm.errors import DomainError
from jobs.services.workiz_import import Mapping, _key, import_jobs, read_rows, unmatched

SESSION_KEY = "jobs.workiz_import"
TEMPLATE = "jobs/import.html"
NO_BATCH = (
    "There is no uploaded file waiting to be imported: it was imported already, or the "
    "upload expired. Upload the file again."
)


class UploadForm(forms.Form):
    """Step 1. `cleaned_data["file"]` is the parsed rows: [row number, {column: text}]."""

    file = forms.FileField(
        label="Workiz export (.xlsx or .csv)",
        help_text="Columns are read by header name; the first row holds the names. "
        "At most 5,000 rows and 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    office = forms.ModelChoiceField(
        queryset=Office.objects.none(),
        empty_label="Pick an office",
        help_text="Every job in the file goes to this office.",
    )
    company = forms.CharField(
        max_length=120, required=False, help_text="Optional. Blank: the office's name."
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offices = Office.objects.visible_to(user).filter(is_jobs_enabled=True)
        self.fields["office"].queryset = offices
        if not self.is_bound and "office" not in self.initial:
            mine = list(offices[:2])
            if len(mine) == 1:
                self.initial["office"] = mine[0]

    def clean_file(self):
        try:
            return read_rows(self.cleaned_data["file"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


def _rows_label(count: int) -> str:
    return f"{count} row{'' if count == 1 else 's'}"


class MappingForm(forms.Form):
    """Step 2: one select per distinct unmatched Tech / Source / Type. Fields are named by
    position (`tech_0`...) in the batch's own lists, stored with the rows in step 1."""

    GROUPS = (
        # (kind, Workiz column, the empty choice, what leaving it empty does)
        ("techs", "tech", "Leave unassigned", "no contractor if left unassigned"),
        ("sources", "source", "Skip these rows", "skipped if left unmapped"),
        ("types", "type", "Skip these rows", "skipped if left unmapped"),
    )

    def __init__(self, *args, batch: dict, **kwargs):
        super().__init__(*args, **kwargs)
        querysets = {
            "techs": Contractor.objects.filter(is_active=True),
            "sources": JobPartner.objects.all(),
            "types": JobType.objects.all(),
        }
        self.groups = {}
        for kind, column, empty, consequence in self.GROUPS:
            counts = _counts(batch["rows"], column)
            names = []
            for index, value in enumerate(batch["unmatched"][kind]):
                name = f"{kind[:-1]}_{index}"
                self.fields[name] = forms.ModelChoiceField(
                    queryset=querysets[kind],
                    required=False,
                    label=value,
                    empty_label=f"— {empty} —",
                    help_text=f"{_rows_label(counts.get(_key(value), 0))} · {consequence}.",
                )
                names.append(name)
            self.groups[kind] = [self[name] for name in names]

    def mapping(self, batch: dict) -> Mapping:
        """The user's picks keyed the way the import looks values up. An unassigned tech
        maps to None; an unmapped source or type is left out (its rows get skipped)."""
        picks = {"techs": {}, "sources": {}, "types": {}}
        for kind, values in batch["unmatched"].items():
            for index, value in enumerate(values):
                choice = self.cleaned_data.get(f"{kind[:-1]}_{index}")
                if choice is not None or kind == "techs":
                    picks[kind][_key(value)] = choice
        return Mapping(**picks)


def _counts(rows: list, column: str) -> dict[str, int]:
    counts = {}
    for _, row in rows:
        value = row.get(column, "")
        if value.strip():
            counts[_key(value)] = counts.get(_key(value), 0) + 1
    return counts


def _batch(request) -> dict | None:
    """The upload waiting for step 2, when the form posted back is for it (a tab left on
    an older upload's step 2 must not apply its picks to a newer file)."""
    batch = request.session.get(SESSION_KEY)
    if not batch or request.POST.get("batch") != batch["token"]:
        return None
    return batch


def _result_context(result) -> dict:
    return {
        "result": result,
        "saved": bool(result.created),
        "back_url": reverse("jobs:dashboard"),
        "back_label": "See the imported jobs on the Jobs dashboard",
    }


def _import(request, *, rows, office, company, mapping=None) -> dict:
    """Run the import; the context for the result (or the refusal) above a fresh form."""
    try:
        result = import_jobs(
            actor=request.user, rows=rows, office=office, company=company, mapping=mapping
        )
    except DomainError as exc:
        return {"error": exc.message}
    return _result_context(result)


@permissions.require("jobs.view")
def workiz_import(request):
    if not permissions.can(request.user, "jobs.import"):
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("step") == "map":
        return _map_step(request)

    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method != "POST" or not form.is_valid():
        return render(request, TEMPLATE, {"form": form})

    rows, office = form.cleaned_data["file"], form.cleaned_data["office"]
    company = form.cleaned_data["company"].strip()
    missing = unmatched(rows)
    if not missing:
        request.session.pop(SESSION_KEY, None)
        context = _import(request, rows=rows, office=office, company=company)
        return render(request, TEMPLATE, {"form": _fresh_form(request, office, company), **context})

    batch = {
        "token": secrets.token_urlsafe(12),
        "file_name": request.FILES["file"].name,
        "rows": rows,
        "office": office.pk,
        "company": company,
        "unmatched": {
            "techs": missing.techs,
            "sources": missing.sources,
            "types": missing.types,
        },
    }
    request.session[SESSION_KEY] = batch
    return _render_map_step(request, MappingForm(batch=batch), batch, office)


def _fresh_form(request, office, company) -> UploadForm:
    """An empty step 1 for the next file, keeping the office and company just used."""
    return UploadForm(initial={"office": office, "company": company}, user=request.user)


def _render_map_step(request, form: MappingForm, batch: dict, office: Office):
    context = {
        "mapping_form": form,
        "batch": batch,
        "office": office,
        "row_count": len(batch["rows"]),
    }
    return render(request, TEMPLATE, context)


def _map_step(request):
    batch = _batch(request)
    if batch is None:
        return render(request, TEMPLATE, {"form": UploadForm(user=request.user), "error": NO_BATCH})
    office = Office.objects.filter(pk=batch["office"]).first()
    if office is None:
        request.session.pop(SESSION_KEY, None)
        return render(request, TEMPLATE, {"form": UploadForm(user=request.user), "error": NO_BATCH})
    form = MappingForm(request.POST, batch=batch)
    if not form.is_valid():
        return _render_map_step(request, form, batch, office)

    # Consume the batch and save the session before importing, so a second click on
    # Import Jobs finds nothing to import instead of creating every job twice.
    request.session.pop(SESSION_KEY)
    request.session.save()
    rows = [(number, row) for number, row in batch["rows"]]
    context = _import(
        request,
        rows=rows,
        office=office,
        company=batch["company"],
        mapping=form.mapping(batch),
    )
    form = _fresh_form(request, office, batch["company"])
    return render(request, TEMPLATE, {"form": form, **context})
