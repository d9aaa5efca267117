"""CP → 🤖 AI Assistant (owner): the key, the model, Phase 4: Budget & Audit (caps per role,
today's spend, the price table), the Audit log of conversations and their Replay.

Every save goes through an action in crm.assistant.services, which checks
`assistant.manage` and writes the audit entry; the key is never rendered back.
"""

from functools import partial

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from crm import permissions
from crm.assistant import services
from crm.assistant.client import MODELS
from crm.assistant.forms import (
    ApiKeyForm,
    AuditFilterForm,
    BudgetForm,
    ModelPickForm,
    PriceForm,
)
from crm.assistant.models import BUDGET_ROLES, ModelPrice
from crm.assistant.rendering import present_turns
from crm.assistant.services import PRICE_FIELDS
from crm.controlpanel.models import AppSettings
from crm.flash import flash_outcome
from crm.pagination import keyset_page

AUDIT_PAGE_SIZE = 50


@permissions.require("assistant.manage")
def settings_page(request):
    """GET the page; POST one of its forms, named by `section` (a price row by its prefix)."""
    app_settings = AppSettings.load()
    data = request.POST if request.method == "POST" else None
    section = data.get("section", "") if data else ""

    def bound(name: str):
        return data if section == name else None

    key_form = ApiKeyForm(bound("key"), instance=app_settings)
    model_form = ModelPickForm(bound("model"), initial={"model": app_settings.assistant_model})
    spend = services.spend_today()
    caps = {role: cap for role, cap, _spent in spend["by_role"]}
    budget_form = BudgetForm(bound("budgets"), caps=caps)
    prices = ModelPrice.objects.filter(model__in=MODELS)
    prices = sorted(prices, key=lambda price: list(MODELS).index(price.model))  # as the picker
    price_forms = [PriceForm(bound(f"price-{price.model}"), instance=price) for price in prices]
    actor = request.user
    actions = {
        "key": (
            key_form,
            lambda: services.set_api_key(actor, key_form.new_key()),
            "Anthropic API key saved.",
        ),
        "model": (
            model_form,
            lambda: services.set_model(actor, model_form.cleaned_data["model"]),
            "Model saved.",
        ),
        "budgets": (
            budget_form,
            lambda: services.set_budgets(actor, budget_form.caps()),
            "Daily caps saved.",
        ),
        **{
            form.prefix: (
                form,
                partial(_save_prices, actor, form),
                f"{form.instance} prices saved.",
            )
            for form in price_forms
        },
    }
    if section in actions:
        form, action, success = actions[section]
        if form.is_valid() and flash_outcome(request, action, success=success):
            return redirect("assistant:cp")
    context = {
        "app_settings": app_settings,
        "key_source": _key_source(app_settings),
        "key_form": key_form,
        "model_form": model_form,
        "budget_rows": _budget_rows(budget_form, spend["by_role"]),
        "budget_form": budget_form,
        "spend_by_user": spend["by_user"],
        "price_forms": price_forms,
    }
    return render(request, "assistant/cp.html", context)


def _save_prices(actor, form: PriceForm) -> None:
    prices = {name: form.cleaned_data[name] for name in PRICE_FIELDS}
    services.set_prices(actor, form.instance.model, **prices)


def _key_source(app_settings) -> str:
    """Where the key in use comes from, never the key: "cp", "environment" or ""."""
    if str(app_settings.anthropic_api_key):
        return "cp"
    return "environment" if settings.ANTHROPIC_API_KEY else ""


def _budget_rows(budget_form, by_role) -> list[dict]:
    spent = {role: spent for role, _cap, spent in by_role}
    return [{"field": budget_form[role], "spent": spent.get(role, 0)} for role in BUDGET_ROLES]


@permissions.require("assistant.replay")
@require_GET
def audit(request):
    """The Audit log: every assistant conversation, newest first, by user and date."""
    form = AuditFilterForm(request.GET)
    if form.is_valid():
        conversations = services.conversations_for_audit(
            request.user,
            user_id=form.cleaned_data["user"],
            start=form.cleaned_data["date_from"],
            end=form.cleaned_data["date_to"],
        )
    else:
        conversations = services.conversations_for_audit(request.user).none()
    page = keyset_page(
        conversations.order_by("-created_at", "-id"),
        request.GET.get("cursor", ""),
        AUDIT_PAGE_SIZE,
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "assistant/audit.html", context)


@permissions.require("assistant.replay")
@require_GET
def replay(request, pk: int):
    """A conversation as its user saw it (the panel's own partials), with the ledger of
    each turn's model calls: model, tokens, cost."""
    conversation = services.conversation_for_replay(request.user, pk)
    turns = present_turns(list(conversation.turns.all()))
    return render(request, "assistant/replay.html", {"conversation": conversation, "turns": turns})
