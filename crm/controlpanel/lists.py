"""The shape of the CP's small settings lists (job types, partners, cancel reasons, tags):
the rows with an add form on top, or the same form filled in to edit one row."""

from django.shortcuts import get_object_or_404, render

from crm.flash import save_form


def list_with_form(
    request,
    *,
    model,
    pk: int | None,
    form_class,
    fields: tuple[str, ...],
    save,
    target: str,
    redirect_to: str,
    template: str,
    rows,
):
    """GET: `rows` and the form (blank, or `model` #`pk`'s `fields` to edit). POST: run
    `save` (the row passed as `target`) and redirect, or show the refusal on the form."""
    editing = get_object_or_404(model, pk=pk) if pk else None
    initial = {name: getattr(editing, name) for name in fields} if editing else None
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST":
        extra = {target: editing} if editing else {}
        done = save_form(request, form, save, redirect_to=redirect_to, **extra)
        if done:
            return done
    return render(request, template, {"form": form, "rows": rows, "editing": editing})
