"""HTMX answers every app shares: a sign-in that expired, a toast that outlives a closed modal."""

from functools import wraps

from django.contrib.auth.decorators import login_required as django_login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django_htmx.http import HttpResponseClientRedirect, reswap, trigger_client_event


def login_required(view):
    """Django's `login_required`, except that an htmx request without a session sends the
    whole page to the sign-in page (HX-Redirect) instead of swapping the login form into a
    panel; `next` is the page the user was on, not the partial's URL."""
    guarded = django_login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "htmx", False) and not request.user.is_authenticated:
            page = request.htmx.current_url_abs_path or "/"
            return HttpResponseClientRedirect(redirect_to_login(page).url)
        return guarded(request, *args, **kwargs)

    return wrapper


def toast_after_settle(response: HttpResponse, text: str, *, level: str = "") -> HttpResponse:
    """Raise the toast once htmx has settled the answer, on <body> when the element that asked
    is gone (the modal the same answer closes). htmx settles only what it swaps, so a 204
    becomes a 200 that swaps nothing."""
    if response.status_code == 204:
        response.status_code = 200
        reswap(response, "none")
    detail = {"text": text, **({"level": level} if level else {})}
    return trigger_client_event(response, "toast", detail, after="settle")


def refuse(request, message: str, *, status: int) -> HttpResponse:
    """A 400/409 that says why: htmx shows `message` as an error toast (HX-Trigger; the
    page's global error handler stays quiet for answers that raise their own toast),
    anything else reads it as the plain-text body."""
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    if getattr(request, "htmx", False):
        trigger_client_event(response, "toast", {"text": message, "level": "error"})
    return response
