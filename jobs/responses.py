"""The answer of a job action that has nothing left to show."""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from crm.htmx import toast_after_settle

REFRESH = {"bookback:changed": {}}


def done(request, *, toast: str = "", **events) -> HttpResponse:
    """HTMX: the browser closes what `events` name (closeModal, closeRight), toasts and
    refreshes the board. Without JS: back to the board, the toast as a flash message."""
    if not request.htmx:
        if toast:
            messages.success(request, toast)
        return redirect("jobs:dashboard")
    response = HttpResponse(status=204)
    response["HX-Trigger"] = json.dumps({**REFRESH, **events})
    # After settle: an HX-Trigger toast fires on the form that `closeModal` just removed.
    return toast_after_settle(response, toast) if toast else response
