"""CP → General Settings → 📧 Email Settings (owner): recipients, which reports are
emailed, a test send, and the last sends with their failures."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from crm import permissions
from crm.errors import DomainError
from crm.flash import flash_outcome
from crm.reports import services
from crm.reports.models import ReportEmailSettings

owner_only = permissions.require("reports.email")


class EmailSettingsForm(forms.Form):
    recipients = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "owner@example.com"}),
        help_text="One address per line (or separated by commas).",
    )
    send_daily = forms.BooleanField(
        required=False, label=ReportEmailSettings._meta.get_field("send_daily").verbose_name
    )
    send_weekly = forms.BooleanField(
        required=False, label=ReportEmailSettings._meta.get_field("send_weekly").verbose_name
    )
    send_monthly = forms.BooleanField(
        required=False, label=ReportEmailSettings._meta.get_field("send_monthly").verbose_name
    )


@owner_only
def email_settings(request):
    current = ReportEmailSettings.load()
    initial = {
        "recipients": current.recipients,
        "send_daily": current.send_daily,
        "send_weekly": current.send_weekly,
        "send_monthly": current.send_monthly,
    }
    form = EmailSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_email_settings(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error("recipients", error.message)
        else:
            messages.success(request, "Email settings saved.")
            return redirect("reports:email_settings")
    context = {"form": form, "deliveries": services.last_sends(), "owner_email": request.user.email}
    return render(request, "reports/cp_email_settings.html", context)


@owner_only  # first: a visitor signs in, a non-owner is refused, whatever the method
@require_POST
def send_test(request):
    flash_outcome(
        request,
        lambda: services.send_test_report(request.user),
        success=f"Test report sent to {request.user.email}.",
    )
    return redirect("reports:email_settings")
