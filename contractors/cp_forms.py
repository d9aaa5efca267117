from django import forms


class JobTypeForm(forms.Form):
    label = forms.CharField(max_length=80)
    sort_order = forms.IntegerField(min_value=0, max_value=9999, initial=0)


class JobPartnerForm(forms.Form):
    name = forms.CharField(max_length=80)
    keep_rate = forms.DecimalField(
        label="Keep rate %", min_value=0, max_value=100, decimal_places=2, initial=0
    )


class PartnerLoginForm(forms.Form):
    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80, required=False)
    email = forms.EmailField(max_length=254)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()  # as stored, and as the sign-in link says
