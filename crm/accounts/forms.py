from django import forms
from django.contrib.auth.password_validation import validate_password

from crm.accounts.models import Office, Role, User


class PasswordSignInForm(forms.Form):
    email = forms.EmailField(
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class CodeRequestForm(forms.Form):
    email = forms.EmailField(
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )


class CodeSignInForm(forms.Form):
    email = forms.EmailField(widget=forms.HiddenInput)
    code = forms.CharField(
        min_length=6,
        max_length=6,
        label="6-character code",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "input--code",
            }
        ),
    )


STAFF_ROLES = [(value, label) for value, label in Role.choices if value != Role.PARTNER]


class UserForm(forms.ModelForm):
    """CP → Users. Partner logins keep their role (they are provisioned from Job Partners)."""

    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
        help_text="Leave blank to keep the current password. Never shown back.",
    )

    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "email",
            "role",
            "offices",
            "has_all_offices",
            "partner",
            "is_active",
        ]
        widgets = {"offices": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offices"].queryset = Office.objects.all()
        is_partner = self.instance.pk and self.instance.role == Role.PARTNER
        self.fields["role"].choices = Role.choices if is_partner else STAFF_ROLES
        if not is_partner:
            del self.fields["partner"]
        if not self.instance.pk:
            self.fields[
                "password"
            ].help_text = "Optional: without one the user signs in with an emailed code."

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if password:
            validate_password(password, self.instance if self.instance.pk else None)
        return password
