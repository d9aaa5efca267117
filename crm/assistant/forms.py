"""Forms of the 🤖 panel and of CP → 🤖 AI Assistant: shape and type only; the actions in
crm.assistant.services decide (capability, audit, the rules of a turn)."""

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator

from crm.accounts.models import Role
from crm.assistant.client import MODELS
from crm.assistant.models import BUDGET_ROLES, ModelPrice
from crm.assistant.services import PRICE_FIELDS
from crm.controlpanel.models import AppSettings
from crm.dateranges import ordered_dates
from crm.fields import bind_secret_fields
from crm.timeline.forms import staff_choices

# The largest primary key Postgres' integer column holds: a bigger "conversation" is no
# conversation, not a database error.
MAX_ID = 2**31 - 1
NO_SUCH_CONVERSATION = "There is no such conversation."
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class ChatForm(forms.Form):
    """The composer's post. The message's own rules (empty, too long) are the turn's:
    `services.start_turn` refuses it with BadMessage."""

    message = forms.CharField(required=False, strip=False)
    conversation = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), NO_SUCH_CONVERSATION),
    )

    def first_error(self) -> str:
        return next(iter(self.errors.values()))[0]


class ApiKeyForm(forms.ModelForm):
    """The key is never sent back: blank keeps it, "Remove the key" clears it."""

    remove = forms.BooleanField(required=False, label="Remove the key (the assistant turns off)")

    class Meta:
        model = AppSettings
        fields = ["anthropic_api_key"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bind_secret_fields(self)
        self.fields["anthropic_api_key"].widget.attrs["placeholder"] = "sk-ant-…"

    def new_key(self) -> str:
        return "" if self.cleaned_data["remove"] else self.cleaned_data["anthropic_api_key"]


class ModelPickForm(forms.Form):
    model = forms.ChoiceField(choices=list(MODELS.items()), label="Model")


class BudgetForm(forms.Form):
    """A daily cap in USD per role that may use the assistant; $0 turns the role off."""

    def __init__(self, *args, caps: dict[str, Decimal], **kwargs):
        super().__init__(*args, prefix="cap", **kwargs)
        for role in BUDGET_ROLES:
            self.fields[role] = forms.DecimalField(
                label=Role(role).label,
                min_value=Decimal(0),
                max_value=Decimal("999999.99"),
                max_digits=8,
                decimal_places=2,
                initial=caps.get(role),
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            )

    def caps(self) -> dict[str, Decimal]:
        return {role: self.cleaned_data[role] for role in BUDGET_ROLES}


class PriceForm(forms.ModelForm):
    """One model's row of the price table (USD per million tokens)."""

    class Meta:
        model = ModelPrice
        fields = list(PRICE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix=f"price-{kwargs['instance'].model}", **kwargs)
        for name in PRICE_FIELDS:
            field = self.fields[name]
            field.validators.append(MinValueValidator(Decimal(0)))
            field.widget.attrs.update({"step": "0.0001", "min": "0", "form": self.form_id})

    @property
    def form_id(self) -> str:
        # Each table row's inputs belong to the row's own <form> (the HTML `form` attribute).
        return f"{self.prefix}-form"


class AuditFilterForm(forms.Form):
    """The Audit log's filters: whose conversations, started between two New York days."""

    user = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label="User")
    date_from = forms.DateField(required=False, label="From", widget=DATE_INPUT)
    date_to = forms.DateField(required=False, label="To", widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "Anyone"), *staff_choices()]

    def clean(self):
        return ordered_dates(super().clean())
