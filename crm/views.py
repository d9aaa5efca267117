from django.http import JsonResponse
from django.views.decorators.http import require_GET

from crm import livesync


@require_GET
def last_change(request):
    """The newest change stamp relevant to the signed-in user.

    Hot path (every open page polls it): the stamp keys come from the signed cookie the
    last page load left, the stamps from the cache. No session, no user, no query.
    """
    request.skip_live_scope = True
    keys = livesync.keys_from_request(request)
    if not keys:
        return JsonResponse({"status": "error", "error": "Sign in first."}, status=401)
    return JsonResponse({"stamp": livesync.last_change(keys)})
