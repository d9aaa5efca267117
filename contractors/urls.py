from django.urls import include, path

app_name = "contractors"
urlpatterns = [
    path("", include("contractors.cp_urls")),
    path("", include("contractors.area_urls")),
    path("", include("contractors.contractor_urls")),
]
