from django.urls import path

from crm.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login", views.sign_in, name="login"),
    path("login/code", views.request_code, name="request_code"),
    path("login/code/verify", views.verify_code, name="verify_code"),
    path("logout", views.sign_out, name="logout"),
    path("users", views.directory, name="directory"),
]
