from django.http import JsonResponse
from django.views.decorators.http import require_GET

from crm import livesync


@require_GET
def last_change(request):
    """The newest change stamp relevant to the signed-in user.

    Hot path (every open page polls it): the session and the stamps both come from
    the cache, and the user is never loaded, so it costs zero database queries.
    """
    request.skip_live_scope = True
    keys = request.session.get(livesync.SESSION_KEY)
    if not keys or "_auth_user_id" not in request.session:
        return JsonResponse({"status": "error", "error": "Sign in first."}, status=401)
    return JsonResponse({"stamp": livesync.last_change(keys)})
