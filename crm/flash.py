"""Run one action from a form post and say how it went in a toast (Django messages)."""

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect

from crm.errors import DomainError


def flash_outcome(request, action: Callable[[], object], *, success: str) -> bool:
    """Call `action`; its DomainError becomes an error toast, success a success toast."""
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


def save_form(request, form, action: Callable, *, redirect_to: str, **target):
    """Run a save action with a valid form's data: a redirect (and "Saved.") when done, or
    None with the refusal on the form (`DomainError` shows there, never as a 500)."""
    if form.is_valid():
        try:
            action(actor=request.user, **target, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Saved.")
            return redirect(redirect_to)
    return None
