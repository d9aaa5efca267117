"""CP → 💰 Finance settings (owner): the SMTP account the weekly payment reports go out
through, their fallback recipients, and the outbound CTM number."""

from django.shortcuts import render

from crm import permissions
from crm.flash import save_form
from finance import services
from finance.cp_forms import FinanceSettingsForm
from finance.models import FinanceSettings


@permissions.require("controlpanel.access")
def finance_settings(request):
    form = FinanceSettingsForm(request.POST or None, instance=FinanceSettings.load())
    if request.method == "POST":
        done = save_form(
            request,
            form,
            services.save_finance_settings,
            redirect_to="finance:cp_finance_settings",
        )
        if done:
            return done
    return render(request, "finance/cp_finance_settings.html", {"form": form})
