from django.urls import path

from crm.timeline import views

app_name = "timeline"
urlpatterns = [
    path("timeline", views.feed, name="feed"),
    path("audit-log", views.audit, name="audit"),
    path("audit-log/<int:pk>", views.audit_detail, name="audit_detail"),
]
