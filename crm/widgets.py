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


def dropdown_field(field, *, searchable: bool = False) -> SafeString:
    """A labelled dropdown of a filter row: `menu` drawn in the markup of
    `widgets/multiselect_dropdown.html` as one string (a dashboard's five cost ~1 ms a load
    through the template engine)."""
    chosen, options = _options(field)
    label, auto_id = escape(str(field.label)), escape(field.auto_id)
    search = (
        '<input type="search" class="multiselect__search" placeholder="Search…" '
        f'aria-label="Search {label}" data-multiselect-search>'
        if searchable
        else ""
    )
    return mark_safe(
        f'<div class="field"><label for="{auto_id}">{label}</label>'
        '<details class="multiselect" data-multiselect>'
        f'<summary class="multiselect__summary" id="{auto_id}">'
        f"{f'{len(chosen)} selected' if chosen else 'All'}</summary>"
        f'<div class="multiselect__menu">{search}{options_html(field.html_name, options)}</div>'
        "</details></div>"
    )


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
