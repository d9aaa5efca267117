"""Run one action from a form post and say how it went in a toast (Django messages)."""

from collections.abc import Callable

from django.contrib import messages

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
