from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.http import require_GET

from crm import livesync
from crm.http import JSON_PREFIXES, json_error


def _wants_json(request) -> bool:
    return request.path.startswith(JSON_PREFIXES)


def bad_request(request, exception):
    if _wants_json(request):
        return json_error("Bad request.", 400)
    return defaults.bad_request(request, exception)


def page_not_found(request, exception):
    if _wants_json(request):
        return json_error(
            "No such webhook: use /webhook/leads, /webhook/facebook or /webhook/s/<token>.", 404
        )
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _wants_json(request):
        return json_error("Something went wrong on our side; nothing was stored.", 500)
    return defaults.server_error(request)


@require_GET
def last_change(request):
    """The newest change stamp relevant to the signed-in user.

    Hot path (every open page polls it): the stamp keys come from the signed cookie the
    last page load left, the stamps from the cache. No session, no user, no query.
    """
    request.skip_live_scope = True
    keys = livesync.keys_from_request(request)
    if not keys:
        return json_error("Sign in first.", 401)
    return JsonResponse({"stamp": livesync.last_change(keys)})
