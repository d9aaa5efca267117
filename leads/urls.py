from django.urls import include, path

from leads import views, webhooks

app_name = "leads"
urlpatterns = [
    path("leads", views.dashboard, name="dashboard"),
    path("leads/new", views.create, name="create"),
    path("leads/archived", views.archived, name="archived"),
    path("leads/<int:pk>", views.detail, name="detail"),
    path("leads/<int:pk>/claim", views.claim, name="claim"),
    path("leads/<int:pk>/call", views.call_attempt, name="call"),
    path("leads/<int:pk>/status", views.change_status, name="status"),
    path("leads/<int:pk>/field/<str:field>", views.edit_field, name="field"),
    path("leads/<int:pk>/workiz", views.opened_in_workiz, name="workiz"),
    path("leads/<int:pk>/archive", views.archive, name="archive"),
    path("leads/<int:pk>/restore", views.restore, name="restore"),
    path("leads/<int:pk>/delete", views.delete, name="delete"),
    path("webhook/leads", webhooks.generic, name="webhook"),
    path("webhook/facebook", webhooks.facebook, name="webhook_facebook"),
    path("webhook/s/<str:token>", webhooks.by_token, name="webhook_token"),
    path("", include("leads.cp_urls")),
    path("", include("leads.tools_urls")),
]
