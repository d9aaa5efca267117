"""Owner CP → Automations & Integrations → 🌐 Online Booking Tool: the embed list and the
builder. Every view requires `controlpanel.access` (owner only); the writes are the
actions of `booking.services`."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from booking import services, tokens
from booking.forms import EmbedForm
from booking.models import Embed
from crm import permissions

owner_only = permissions.require("controlpanel.access")


def _links(request, embed: Embed) -> dict:
    page = request.build_absolute_uri(reverse("booking:widget", args=[embed.slug]))
    preview = {"test": "1"}
    if not embed.is_live:
        preview["preview"] = tokens.preview_token(embed.slug)
    return {
        "page_url": page,
        "inline_url": f"{page}?inline=1",
        "preview_url": f"{page}?{urlencode(preview)}",
        "link_snippet": f'<a href="{page}" target="_blank">Book an appointment</a>',
        "iframe_snippet": (
            f'<iframe src="{page}?inline=1" style="width:100%;max-width:540px;height:720px;'
            f'border:none" title="Book an appointment"></iframe>'
        ),
    }


def _rows(request) -> list[dict]:
    return [
        {"embed": embed, **_links(request, embed)}
        for embed in Embed.objects.select_related("office")
    ]


@owner_only
def cp_embeds(request):
    if request.htmx and request.method == "GET":  # live refresh of the table body
        return render(request, "booking/_partials/cp_embed_rows.html", {"rows": _rows(request)})
    return render(request, "booking/cp_embeds.html", {"rows": _rows(request)})


def _builder(request, form: EmbedForm, embed: Embed | None):
    return render(request, "booking/cp_embed_form.html", {"form": form, "embed": embed})


def _save(request, form: EmbedForm, action, success: str, **target):
    if not form.is_valid():
        return None
    try:
        embed = action(actor=request.user, **target, **form.embed_fields())
    except services.EmbedError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None
    messages.success(request, success.format(embed=embed))
    return redirect("booking:cp_embeds")


@owner_only
def cp_embed_new(request):
    form = EmbedForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        done = _save(request, form, services.create_embed, "Embed {embed.name} created.")
        if done:
            return done
    return _builder(request, form, None)


@owner_only
def cp_embed_edit(request, pk: int):
    embed = get_object_or_404(Embed, pk=pk)
    form = EmbedForm(request.POST or None, request.FILES or None, embed=embed)
    if request.method == "POST":
        done = _save(request, form, services.update_embed, "Embed {embed.name} saved.", embed=embed)
        if done:
            return done
    return _builder(request, form, embed)


@owner_only
@require_POST
def cp_embed_live(request, pk: int):
    """✓ Live / ○ Paused: `is_live=on` sets it live, anything else pauses it."""
    embed = get_object_or_404(Embed, pk=pk)
    embed = services.set_live(
        actor=request.user, embed=embed, is_live=request.POST.get("is_live") == "on"
    )
    if request.htmx:
        row = {"embed": embed, **_links(request, embed)}
        return render(request, "booking/_partials/cp_embed_row.html", {"row": row})
    state = "live" if embed.is_live else "paused"
    messages.success(request, f"{embed.name} is {state}.")
    return redirect("booking:cp_embeds")


@owner_only
@require_POST
def cp_embed_duplicate(request, pk: int):
    embed = get_object_or_404(Embed, pk=pk)
    copy = services.duplicate_embed(actor=request.user, embed=embed)
    messages.success(request, f"Duplicated as {copy.name} (/book/{copy.slug}), paused.")
    return redirect("booking:cp_embeds")


@owner_only
@require_POST
def cp_embed_delete(request, pk: int):
    embed = get_object_or_404(Embed, pk=pk)
    name = embed.name
    services.delete_embed(actor=request.user, embed=embed)
    messages.success(request, f"Embed {name} deleted.")
    return redirect("booking:cp_embeds")


@owner_only
def cp_embed_code(request, pk: int):
    """📋 Embed code: the full-page link and the inline iframe, with copy buttons. In the
    modal with HTMX, a page of its own without."""
    embed = get_object_or_404(Embed.objects.select_related("office"), pk=pk)
    context = {"embed": embed, **_links(request, embed)}
    if request.htmx:
        return render(request, "booking/_partials/cp_embed_code.html", context)
    return render(request, "booking/cp_embed_code.html", context)
