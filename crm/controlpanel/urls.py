from django.urls import path

from crm.controlpanel import views

app_name = "controlpanel"
urlpatterns = [
    path("", views.index, name="index"),
    path("offices", views.offices, name="offices"),
    path("offices/<int:pk>/delete", views.delete_office, name="delete_office"),
    path("office-settings", views.office_settings, name="office_settings"),
    path("office-settings/<int:pk>/jobs", views.toggle_jobs_feature, name="toggle_jobs_feature"),
    path(
        "office-settings/<int:pk>/sms-number",
        views.set_office_sms_line,
        name="set_office_sms_line",
    ),
    path("office-settings/<int:pk>/email", views.save_office_email, name="save_office_email"),
    path("office-settings/<int:pk>/send-test", views.send_office_test, name="send_office_test"),
    path("users", views.users, name="users"),
    path("users/new", views.create_user, name="create_user"),
    path("users/<int:pk>", views.edit_user, name="edit_user"),
    path("users/<int:pk>/delete", views.delete_user, name="delete_user"),
    path("permissions", views.permission_matrix, name="permissions"),
    path("app-settings", views.app_settings, name="app_settings"),
    path("google-places", views.google_places, name="google_places"),
    path("system", views.system, name="system"),
    path("system/deliveries/<int:pk>/retry", views.retry_delivery, name="retry_delivery"),
]
