from django import forms


class MultiSelectDropdown(forms.CheckboxSelectMultiple):
    """A compact dropdown of checkboxes for filter rows ("Office: 2 selected").

    Filter rows render on every dashboard load, so the options are built directly
    instead of through Django's per-option subwidget machinery (several times slower).
    """

    template_name = "widgets/multiselect_dropdown.html"

    def get_context(self, name, value, attrs):
        selected = {str(item) for item in (value or [])}
        options = [
            (str(choice_value), label, str(choice_value) in selected)
            for choice_value, label in self.choices
            if choice_value != ""
        ]
        return {
            "widget": {
                "name": name,
                "attrs": self.build_attrs(self.attrs, attrs),
                "options": options,
                "selected_count": len(selected),
            }
        }
