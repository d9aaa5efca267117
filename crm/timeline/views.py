from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from crm import permissions
from crm.pagination import keyset_page
from crm.timeline import rows
from crm.timeline.forms import AuditFilterForm, TimelineFilterForm
from crm.timeline.models import AuditEvent, TimelineEntry

PAGE_SIZE = 50
# HTMX swaps that want rows only: the live refresh of the table body, and the
# "load older" sentinel row revealed at the bottom.
ROW_TARGETS = {"feed-rows", "feed-more"}


def _feed(request, *, form, queryset, rows_html, template: str, rows_template: str) -> HttpResponse:
    """A filtered, keyset-paginated feed; HTMX asks for just the next rows."""
    queryset = form.apply(queryset) if form.is_valid() else queryset.none()
    page = keyset_page(queryset, request.GET.get("cursor", ""), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows_html(page.rows),
        "query": query.urlencode(),
    }
    if request.htmx and request.htmx.target in ROW_TARGETS:
        return render(request, rows_template, context)
    return render(request, template, context)


@permissions.require("timeline.view")
def feed(request):
    entries = TimelineEntry.objects.visible_to(request.user).values(*rows.FEED_FIELDS)
    form = TimelineFilterForm(request.GET, viewer=request.user)
    return _feed(
        request,
        form=form,
        queryset=entries,
        rows_html=rows.feed_rows_html,
        template="timeline/feed.html",
        rows_template="timeline/_partials/feed_rows.html",
    )


@permissions.require("audit.view")
def audit(request):
    return _feed(
        request,
        form=AuditFilterForm(request.GET),
        queryset=AuditEvent.objects.values(*rows.AUDIT_FIELDS),
        rows_html=rows.audit_rows_html,
        template="timeline/audit.html",
        rows_template="timeline/_partials/audit_rows.html",
    )


@permissions.require("audit.view")
def audit_detail(request, pk: int):
    event = get_object_or_404(AuditEvent, pk=pk)
    return render(request, "timeline/_partials/audit_detail.html", {"event": event})
