"""The 📱 SMS panel's URLs (namespace "sms"; the webhooks and CP pages are messaging's)."""

from django.urls import path

from messaging import panel_views

app_name = "sms"

urlpatterns = [
    path("sms", panel_views.panel, name="panel"),
    path("sms/threads", panel_views.thread_list, name="threads"),
    path("sms/threads/<int:pk>", panel_views.thread, name="thread"),
    path("sms/threads/<int:pk>/body", panel_views.thread_body, name="thread_body"),
    path("sms/threads/<int:pk>/earlier", panel_views.earlier_messages, name="earlier"),
    path("sms/threads/<int:pk>/resolve", panel_views.resolve, name="resolve"),
    path("sms/threads/<int:pk>/unread", panel_views.mark_unread, name="unread"),
    path("sms/badge", panel_views.badge, name="badge"),
    path("sms/attachments/<int:pk>", panel_views.attachment, name="attachment"),
    path("sms/simulate", panel_views.simulate_inbound, name="simulate"),
    path("api/sms/reply", panel_views.reply, name="reply"),
]
