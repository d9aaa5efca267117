"""CP → 🔗 Webhooks and CP → ⚡ BookBack AI (namespace "automations"), beside the other CP
pages under /cp/; in DEBUG only, the development sink /dev/webhook-sink/<name>."""

from django.conf import settings
from django.urls import path

from automations.webhooks import views

app_name = "automations"
urlpatterns = [
    path("cp/webhooks", views.endpoints_page, name="webhooks"),
    path("cp/webhooks/dashboard", views.dashboard, name="webhook_dashboard"),
    path("cp/webhooks/timeline", views.timeline, name="webhook_timeline"),
    path("cp/webhooks/<str:slot>/main", views.main_url, name="webhook_main_url"),
    path("cp/webhooks/<str:slot>/fan-outs/new", views.fan_out_new, name="webhook_fan_out_new"),
    path("cp/webhooks/fan-outs/<int:pk>", views.fan_out_edit, name="webhook_fan_out_edit"),
    path(
        "cp/webhooks/fan-outs/<int:pk>/enabled",
        views.fan_out_enabled,
        name="webhook_fan_out_enabled",
    ),
    path(
        "cp/webhooks/fan-outs/<int:pk>/delete",
        views.fan_out_delete,
        name="webhook_fan_out_delete",
    ),
    path("cp/webhooks/endpoints/<int:pk>/rotate", views.rotate_secret, name="webhook_rotate"),
    path(
        "cp/webhooks/endpoints/<int:pk>/replay-dead",
        views.replay_dead,
        name="webhook_replay_dead",
    ),
    path("cp/webhooks/deliveries/<int:pk>/replay", views.replay, name="webhook_replay"),
    path("cp/bookback-ai", views.bookback_ai, name="bookback_ai"),
]

if settings.DEBUG:
    from automations.webhooks import dev_sink

    urlpatterns.append(path("dev/webhook-sink/<str:name>", dev_sink.sink, name="webhook_sink"))
