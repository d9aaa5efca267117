from django.conf import settings

from crm import livesync


class LiveScopeMiddleware:
    """Keep the browser's live-sync cookie current, so /api/last-change needs no query.

    Refreshed on every signed-in page load: an owner's change to a user's offices
    reaches that user's polling on their next page. Signed-out browsers lose it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "skip_live_scope", False):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.session_key:
            keys = livesync.scope_keys(user)
            fresh = request.COOKIES.get(settings.SESSION_COOKIE_NAME) == request.session.session_key
            if not fresh or livesync.keys_from_request(request) != keys:
                response.set_cookie(
                    livesync.COOKIE,
                    livesync.scope_cookie(keys, request.session.session_key),
                    max_age=settings.SESSION_COOKIE_AGE,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
        elif livesync.COOKIE in request.COOKIES:
            response.delete_cookie(livesync.COOKIE, samesite="Lax")
        return response
