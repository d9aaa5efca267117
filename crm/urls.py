from django.urls import include, path

from crm import health, views
from crm.accounts import views as account_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("", account_views.root, name="root"),
    path("api/last-change", views.last_change, name="live_sync"),
    # Early: /book/<slug> is the hot public page; its two prefixes cost the rest nothing.
    path("", include("booking.urls")),
    # Early too: providers post every inbound text here.
    path("webhook/", include("messaging.webhook_urls")),
    path("", include("crm.accounts.urls")),
    path("", include("crm.timeline.urls")),
    path("cp/", include("crm.controlpanel.urls")),
    path("", include("leads.urls")),
    path("", include("contractors.urls")),
    path("", include("jobs.urls")),
    path("", include("finance.urls")),
    path("", include("automations.webhooks.urls")),
    path("", include("automations.rules.urls")),
    path("", include("messaging.panel_urls")),
    path("", include("messaging.urls")),
    path("", include("crm.todos.urls")),
    path("", include("crm.reports.urls")),
    path("", include("crm.assistant.urls")),
]

handler400 = views.bad_request
handler404 = views.page_not_found
handler500 = views.server_error
