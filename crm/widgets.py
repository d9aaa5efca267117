from html import escape

from django import forms
from django.utils.safestring import SafeString, mark_safe


def options_html(name: str, options) -> SafeString:
    """The checkbox options of a dropdown as one escaped string: filter rows render on
    every dashboard load, and a contractor list runs to hundreds of options (plain
    `html.escape` here: format_html per option cost milliseconds a page)."""
    name = escape(name)
    return mark_safe(
        "".join(
            f'<label class="check"><input type="checkbox" name="{name}" value="{escape(value)}"'
            f"{' checked' if checked else ''}> {escape(str(label))}</label>"
            for value, label, checked in options
        )
    )


def menu(field, *, searchable: bool = False) -> dict:
    """A bound multiple-choice field as the dropdown's context (`widgets/multiselect_dropdown`)."""
    chosen = {str(value) for value in (field.value() or [])}
    options = [(str(value), label, str(value) in chosen) for value, label in field.field.choices]
    return {
        "name": field.html_name,
        "attrs": {"id": field.auto_id},
        "label": field.label,
        "options_html": options_html(field.html_name, options),
        "selected_count": len(chosen),
        "searchable": searchable,
    }


class MultiSelectDropdown(forms.CheckboxSelectMultiple):
    """A compact dropdown of checkboxes for filter rows ("Office: 2 selected").

    The options are built directly instead of through Django's per-option subwidget
    machinery (several times slower).
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
                "options_html": options_html(name, options),
                "selected_count": len(selected),
            }
        }
