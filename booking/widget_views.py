"""The public widget, /book/<slug>: no sign-in, framed by customers' websites.

Steps: Service (skipped when the embed has none) → Date & Time → Your Info → thank-you.
Each step is a plain GET form (POST for the last one); with JavaScript, widget.js sends
the same requests with `HX-Request` and swaps the answer (a `_partials/` fragment) into
the card. Pages are rendered without the request context (no session, no user, no
cookie): nothing here depends on the visitor being anyone.

Framing: Django's X-Frame-Options (DENY for the CRM) is lifted on these views only, and
`Content-Security-Policy: frame-ancestors` says which sites may frame the embed. The POST
is exempt from cookie CSRF and checked with the signed form token instead (see tokens.py).
"""

from decimal import Decimal

from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from booking import services, tokens, widget_cache
from booking.flow import (
    DAY_PROBLEM,
    MISSING_SERVICE_PROBLEM,
    SLOT_PROBLEM,
    Flow,
    read_flow,
    widget_params,
)
from booking.forms import BookingInfoForm
from booking.images import decode
from booking.models import Embed, EmbedImage
from booking.slots import calendar, local_now
from contractors.geocoding import google_api_key
from crm.errors import DomainError
from crm.http import client_ip

SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
STEP_TEMPLATES = {
    "service": "booking/_partials/step_service.html",
    "datetime": "booking/_partials/step_datetime.html",
    "info": "booking/_partials/step_info.html",
    "thanks": "booking/_partials/thanks.html",
}


def frame_ancestors(embed: Embed | None) -> str:
    """The CSP header value: any site for an empty whitelist, else us and the listed ones."""
    domains = embed.domains if embed is not None else []
    return "frame-ancestors " + (" ".join(["'self'", *domains]) if domains else "*")


def brand_text_color(color: str) -> str:
    """White or near-black, whichever reads better on the brand colour."""
    try:
        red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    except (ValueError, IndexError):
        return "#fff"
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return "#0f172a" if luminance > 170 else "#fff"


def _respond(html: str, embed: Embed | None, *, status: int = 200) -> HttpResponse:
    response = HttpResponse(html, status=status)
    response["Content-Security-Policy"] = frame_ancestors(embed)
    response["Cache-Control"] = "no-store"  # time-dependent, and the last step holds a token
    return response


def _unavailable(request) -> HttpResponse:
    html = render_to_string("booking/unavailable.html", {"inline": request.GET.get("inline")})
    return _respond(html, None, status=404)


def _steps(flow: Flow, current: str) -> list[dict]:
    names = [("datetime", "Date & Time"), ("info", "Your Info")]
    if flow.embed.services:
        names.insert(0, ("service", "Service"))
    order = [key for key, _ in names]
    position = len(order) if current == "thanks" else order.index(current)
    return [
        {
            "number": index + 1,
            "label": label,
            "state": "done" if index < position else "current" if index == position else "todo",
        }
        for index, (_, label) in enumerate(names)
    ]


# Slots for the per-visitor hidden fields (state, UTMs, referrer) in a rendered page.
HIDDEN_SLOT, BACK_SLOT = "<!--bk:hidden-->", "<!--bk:back-->"


def hidden_inputs(pairs: list[tuple[str, str]]) -> str:
    return "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in pairs
    )


def _render(
    request,
    flow: Flow,
    step: str,
    *,
    status: int = 200,
    hidden: list[tuple[str, str]] = (),
    back_hidden: list[tuple[str, str]] | None = None,
    keep: tuple | None = None,
    build=dict,
) -> HttpResponse:
    """Render `step` (its own context from `build()`), or reuse the page kept under `keep`
    (see widget_cache), then fill in this visitor's hidden fields."""
    embed = flow.embed
    version = getattr(embed, "fingerprint", None)  # set on the cached copy (page views)
    key = None
    if keep is not None and version:
        mode = (bool(request.htmx), flow.is_inline, flow.is_test)
        key = (version, step, request.path, *mode, *keep)
    html = widget_cache.pages.get(key) if key else None
    if html is None:
        context = build()
        context.update(
            embed=embed,
            flow=flow,
            step=step,
            step_template=STEP_TEMPLATES[step],
            steps=_steps(flow, step),
            action=request.path,
            logo_url=reverse("booking:image", args=[embed.logo]) if embed.logo else "",
            hidden_html=mark_safe(HIDDEN_SLOT),
            back_html=mark_safe(BACK_SLOT) if back_hidden is not None else None,
        )
        if request.htmx:
            html = render_to_string("booking/_partials/card.html", context)
        else:
            context["brand_text"] = brand_text_color(embed.brand_color)
            context["callouts"] = [] if flow.is_inline else embed.callouts
            html = render_to_string("booking/widget.html", context)
        if key:
            widget_cache.pages.put(key, html)
    html = html.replace(HIDDEN_SLOT, hidden_inputs(hidden))
    if back_hidden is not None:
        html = html.replace(BACK_SLOT, hidden_inputs(back_hidden))
    return _respond(html, embed, status=status)


def _money(price: str) -> str:
    """$149 or $149.50; "" without a price."""
    if not price:
        return ""
    amount = Decimal(price)
    return f"${amount:,.0f}" if amount == amount.to_integral_value() else f"${amount:,.2f}"


def _service_cards(embed: Embed) -> list[dict]:
    return [
        {
            "number": number,
            "name": service["name"],
            "price": _money(service.get("price", "")),
            "image_url": reverse("booking:image", args=[service["image"]])
            if service.get("image")
            else "",
        }
        for number, service in enumerate(embed.services, start=1)
    ]


def _service_step(request, flow: Flow, *, error: str = "") -> HttpResponse:
    """The Service step, saying `error` above the cards; Date & Time (with `error`) for an
    embed without services."""
    embed = flow.embed
    if not embed.services:
        return _datetime_step(request, flow, error=error)
    return _render(
        request,
        flow,
        "service",
        hidden=flow.hidden(service=False),
        keep=None if error else (),
        build=lambda: {"cards": _service_cards(embed), "error": error},
    )


def _datetime_step(request, flow: Flow, *, error: str = "", status: int = 200):
    embed = flow.embed
    error = error or flow.problems.get("day", "")

    def build() -> dict:
        week = calendar(
            open_hour=embed.open_hour,
            close_hour=embed.close_hour,
            zone=embed.zone,
            week=flow.week,
            day=flow.day,
        )
        zone_name = (
            week.selected.windows[0].start.tzname()
            if week.selected
            else embed.time_zone.split("/")[-1].replace("_", " ")
        )
        # A day that has passed, has no window left or lies past the horizon: the week
        # shows another day picked, and says why.
        is_moved = flow.day is not None and (
            week.selected is None or week.selected.date != flow.day
        )
        return {
            "calendar": week,
            "error": error or (DAY_PROBLEM if is_moved else ""),
            "zone_name": zone_name,
        }

    # The page holds until the office's next hour (when a window may start) or an edit.
    hour = local_now(embed.zone).strftime("%Y-%m-%dT%H")
    return _render(
        request,
        flow,
        "datetime",
        status=status,
        hidden=flow.hidden(),
        back_hidden=flow.hidden(service=False) if embed.services else None,
        keep=None if error else (hour, flow.service_number, flow.week, flow.day),
        build=build,
    )


def _info_step(request, flow: Flow, window, form, *, error: str = "", status: int = 200):
    return _render(
        request,
        flow,
        "info",
        status=status,
        hidden=flow.hidden(slot=window.key, token=tokens.issue(flow.embed.slug)),
        back_hidden=flow.hidden(day=window.start.date().isoformat()),
        build=lambda: {
            "form": form,
            "window": window,
            "error": error,
            "places_key": google_api_key(),
        },
    )


def _thanks(request, flow: Flow, window=None) -> HttpResponse:
    embed = flow.embed
    if embed.redirects and not flow.is_test:
        if request.htmx:  # widget.js sends the top window there (through the iframe)
            return HttpResponseClientRedirect(embed.redirect_url)
        if not flow.is_inline:
            return HttpResponseRedirect(embed.redirect_url)
    return _render(
        request,
        flow,
        "thanks",
        build=lambda: {
            "window": window,
            "message": services.thank_you_text(embed),
            # Inline without JavaScript: the card links the top window to the thank-you page.
            "top_redirect": embed.redirect_url if embed.redirects else "",
        },
    )


def _find_embed(request, params: QueryDict, slug: str) -> Embed | None:
    """The embed customers may use at `slug`: a live one, or a paused one opened by the
    CP's ↗ Preview (test mode, signed link). From the shared cache for page views; a
    submit reads the row itself (with its office), so a pause takes effect at once."""
    slug = slug.lower()
    if len(slug) > Embed._meta.get_field("slug").max_length:
        return None
    if request.method == "POST":
        embed = Embed.objects.select_related("office").filter(slug=slug).order_by().first()
    else:
        embed = widget_cache.load_embed(slug)
    if embed is None or embed.is_live:
        return embed
    preview = params.get("test") == "1" and tokens.is_preview(params.get("preview", ""), slug=slug)
    return embed if preview else None


@xframe_options_exempt
@csrf_exempt  # the signed form token stands in for the CSRF cookie (see tokens.py)
@require_http_methods(["GET", "POST"])
def book(request, slug: str) -> HttpResponse:
    request.skip_live_scope = True  # no session work on a public, hot page
    params = widget_params(request)
    embed = _find_embed(request, params, slug)
    if embed is None:
        return _unavailable(request)
    flow = read_flow(request, params, embed)
    if request.method == "POST":
        return _submit(request, params, flow)
    if "service" in flow.problems or (embed.services and flow.service_number is None):
        return _service_step(request, flow, error=flow.problems.get("service", ""))
    window = flow.window() if flow.slot else None
    if window is None:
        return _datetime_step(request, flow, error=SLOT_PROBLEM if flow.slot else "")
    return _info_step(request, flow, window, BookingInfoForm())


def _submit(request, params: QueryDict, flow: Flow) -> HttpResponse:
    embed, ip = flow.embed, client_ip(request)
    if not services.allow_submission(ip=ip, embed=embed):
        window = flow.window()
        message = "Too many bookings from your network. Please wait a few minutes and try again."
        if window is None:
            return _datetime_step(request, flow, error=message, status=429)
        return _info_step(request, flow, window, BookingInfoForm(params), error=message, status=429)
    if params.get("bk_hp", "").strip():
        # A bot filled the hidden field: it sees success, nothing is kept.
        services.record_honeypot(ip=ip, embed=embed)
        return _thanks(request, flow, flow.window())
    # A booking names one of the embed's services (when it has any) and an offered window:
    # anything else goes back to the step that picks it, never stored without it.
    if "service" in flow.problems or (embed.services and flow.service_number is None):
        error = flow.problems.get("service", MISSING_SERVICE_PROBLEM)
        return _service_step(request, flow, error=error)
    window = flow.window()
    if window is None:
        return _datetime_step(request, flow, error=SLOT_PROBLEM)
    form = BookingInfoForm(params)
    key = tokens.submission_key(params.get("token", ""), slug=embed.slug)
    if key is None:
        form.is_valid()  # show the customer's entries again, with a fresh token
        return _info_step(
            request,
            flow,
            window,
            form,
            error="This form expired. Please check your details and press Book again.",
        )
    if not form.is_valid():
        return _info_step(request, flow, window, form)
    if not flow.is_test:
        data = form.cleaned_data
        try:
            services.submit_booking(
                embed=embed,
                submission_key=key,
                service=flow.service,
                window=window,
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                email=data["email"],
                address=data["address"],
                zip_code=data["zip_code"],
                utm=flow.utm,
                referrer=flow.referrer,
            )
        except DomainError as error:  # a rule of the leads app: say it, keep the entries
            return _info_step(request, flow, window, form, error=error.message)
    return _thanks(request, flow, window)


@require_GET
def image(request, digest: str) -> HttpResponse:
    """A logo or service picture. Content-addressed, so cached for a year."""
    request.skip_live_scope = True
    stored = get_object_or_404(EmbedImage, digest=digest)
    response = HttpResponse(decode(stored.data_url), content_type=stored.content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    # Opened on its own, an SVG is a document: it may draw, never run or fetch anything.
    response["Content-Security-Policy"] = SVG_POLICY
    return response
