import functools
from html import escape

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe


class Pairs(BaseChoiceIterator):
    """Choices already in (value, label) pairs, as is: a field's `choices` setter
    normalizes each pair twice (field and widget), ~1 ms for a list of hundreds on a
    filter row drawn on every dashboard load."""

    def __init__(self, pairs: list):
        self.pairs = pairs

    def __iter__(self):
        return iter(self.pairs)


def options_html(name: str, options) -> SafeString:
    """The checkbox options of a dropdown as one escaped string: filter rows render on
    every dashboard load, and a contractor list runs to hundreds of options (plain
    `html.escape` here: format_html per option cost milliseconds a page). The same
    options draw the same string, so the last few are kept (hashing them is ~10x
    cheaper than drawing them)."""
    return _drawn_options(name, tuple(options))


@functools.lru_cache(maxsize=64)
def _drawn_options(name: str, options: tuple) -> SafeString:
    name = escape(name)
    return mark_safe(
        "".join(
            f'<label class="check"><input type="checkbox" name="{name}" value="{escape(value)}"'
            f"{' checked' if checked else ''}> {escape(str(label))}</label>"
            for value, label, checked in options
        )
    )


def _options(field) -> tuple[set[str], list]:
    """(chosen values, (value, label, checked) options) of a bound multiple-choice field."""
    chosen = {str(value) for value in (field.value() or [])}
    options = [(str(value), label, str(value) in chosen) for value, label in field.field.choices]
    return chosen, options


def menu(field, *, searchable: bool = False) -> dict:
    """A bound multiple-choice field as the dropdown's context (`widgets/multiselect_dropdown`)."""
    chosen, options = _options(field)
    return {
        "name": field.html_name,
        "attrs": {"id": field.auto_id},
        "label": field.label,
        "options_html": options_html(field.html_name, options),
        "selected_count": len(chosen),
        "searchable": searchable,
    }


def field_html(bound, control: str, *, label_for: str | None = None) -> str:
    """A filter row's labelled field around `control`, as `_partials/field.html` draws it
    (errors included). `label_for=""`: a label for no input (a dropdown's summary)."""
    error = " field--error" if bound.errors else ""
    target = bound.id_for_label if label_for is None else label_for
    errors = str(bound.errors) if bound.errors else ""
    return (
        f'<div class="field{error}"><label for="{escape(target)}">{escape(str(bound.label))}'
        f"</label>{control}{errors}</div>"
    )


def dropdown_html(bound, *, searchable: bool = False) -> str:
    """`MultiSelectDropdown`'s markup (templates/widgets/multiselect_dropdown.html)."""
    chosen, options = _options(bound)
    options = [option for option in options if option[0]]
    search = (
        '<input type="search" class="multiselect__search" placeholder="Search…" '
        f'aria-label="Search {escape(str(bound.label))}" data-multiselect-search>'
        if searchable
        else ""
    )
    return (
        '<details class="multiselect" data-multiselect>'
        f'<summary class="multiselect__summary" id="{escape(bound.auto_id)}">'
        f"{f'{len(chosen)} selected' if chosen else 'All'}</summary>"
        f'<div class="multiselect__menu">{search}{options_html(bound.html_name, options)}</div>'
        "</details>"
    )


def dropdown_field(field, *, searchable: bool = False) -> SafeString:
    """A labelled dropdown of a filter row, as one string (a dashboard's five cost ~1 ms a
    load through the template engine)."""
    label, auto_id = escape(str(field.label)), escape(field.auto_id)
    return mark_safe(
        f'<div class="field"><label for="{auto_id}">{label}</label>'
        f"{dropdown_html(field, searchable=searchable)}</div>"
    )


def select_html(bound) -> str:
    value = bound.value()
    value = "" if value is None else str(value)
    options = "".join(
        f'<option value="{escape(str(choice))}"{" selected" if str(choice) == value else ""}>'
        f"{escape(str(label))}</option>"
        for choice, label in bound.field.choices
    )
    return f'<select name="{bound.html_name}" id="{bound.auto_id}">{options}</select>'


def date_input_html(bound) -> str:
    value = bound.value()
    shown = f' value="{escape(str(value))}"' if value not in (None, "") else ""
    return f'<input type="date" name="{bound.html_name}"{shown} id="{bound.auto_id}">'


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
