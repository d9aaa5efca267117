from crm import livesync


class LiveScopeMiddleware:
    """Keep the session's live-sync keys current, so /api/last-change needs no query.

    Recomputed on every signed-in page load: an owner's change to a user's offices
    reaches that user's polling on their next page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "skip_live_scope", False):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            keys = livesync.scope_keys(user)
            if request.session.get(livesync.SESSION_KEY) != keys:
                request.session[livesync.SESSION_KEY] = keys
        return response
