from django import forms


class MultiSelectDropdown(forms.CheckboxSelectMultiple):
    """A compact dropdown of checkboxes for filter rows ("Office: 2 selected")."""

    template_name = "widgets/multiselect_dropdown.html"
