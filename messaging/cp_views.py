"""CP → 📞 CTM Numbers and 💬 SMS Templates (owner)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from crm import permissions
from crm.errors import DomainError
from crm.flash import flash_outcome
from messaging import numbers, sms_templates
from messaging.cp_forms import CtmSettingsForm, LineForm, SmsTemplateForm
from messaging.models import Line, MessagingSettings, SmsTemplate


@permissions.require("sms.manage")
def ctm_numbers(request):
    stored = MessagingSettings.load()
    form = CtmSettingsForm(request.POST or None, instance=stored)
    if request.method == "POST" and form.is_valid():
        arguments = form.action_arguments()
        if flash_outcome(
            request,
            lambda: numbers.save_ctm_settings(actor=request.user, **arguments),
            success="CTM settings saved.",
        ):
            return redirect("messaging:cp_ctm_numbers")
    lines = list(Line.objects.select_related("office").order_by("office__name", "phone"))
    rows = [(line, LineForm(instance=line, prefix=f"line-{line.pk}")) for line in lines]
    webhook_url = request.build_absolute_uri(
        reverse("sms_webhooks:ctm", args=[stored.ctm_inbound_token])
    )
    context = {"form": form, "stored": stored, "rows": rows, "webhook_url": webhook_url}
    return render(request, "messaging/cp_ctm_numbers.html", context)


@permissions.require("sms.manage")
@require_POST
def sync_now(request):
    try:
        count = numbers.sync(actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Synced: CTM lists {count} number{'s' if count != 1 else ''}.")
    return redirect("messaging:cp_ctm_numbers")


@permissions.require("sms.manage")
@require_POST
def save_line(request, pk: int):
    line = get_object_or_404(Line, pk=pk)
    form = LineForm(request.POST, instance=Line.objects.get(pk=pk), prefix=f"line-{pk}")
    if not form.is_valid():
        messages.error(request, "Check the number's office and tracking source.")
    else:
        flash_outcome(
            request,
            lambda: numbers.update_line(actor=request.user, line=line, **form.cleaned_data),
            success=f"{line} saved.",
        )
    return redirect("messaging:cp_ctm_numbers")


@permissions.require("sms.manage")
def templates_page(request, pk: int | None = None):
    template = get_object_or_404(SmsTemplate, pk=pk) if pk else None
    form = SmsTemplateForm(request.POST or None, instance=template)
    if (
        request.method == "POST"
        and form.is_valid()
        and flash_outcome(
            request,
            lambda: sms_templates.save_template(
                actor=request.user, template=template, **form.cleaned_data
            ),
            success="Template saved.",
        )
    ):
        return redirect("messaging:cp_sms_templates")
    context = {"form": form, "editing": template, "templates": SmsTemplate.objects.all()}
    return render(request, "messaging/cp_sms_templates.html", context)


@permissions.require("sms.manage")
@require_POST
def delete_template(request, pk: int):
    template = get_object_or_404(SmsTemplate, pk=pk)
    flash_outcome(
        request,
        lambda: sms_templates.delete_template(actor=request.user, template=template),
        success=f"Template “{template.name}” deleted.",
    )
    return redirect("messaging:cp_sms_templates")
