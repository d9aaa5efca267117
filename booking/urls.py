from django.urls import include, path

from booking import views, widget_views

# The public widget customers book through, and its images (no sign-in).
widget_patterns = [
    path("img/<str:digest>", widget_views.image, name="image"),
    path("<slug:slug>", widget_views.book, name="widget"),
]

app_name = "booking"
urlpatterns = [
    path("book/", include(widget_patterns)),
    # Owner CP → Automations & Integrations → 🌐 Online Booking Tool.
    path("cp/online-booking", views.cp_embeds, name="cp_embeds"),
    path("cp/online-booking/new", views.cp_embed_new, name="cp_embed_new"),
    path("cp/online-booking/<int:pk>", views.cp_embed_edit, name="cp_embed_edit"),
    path("cp/online-booking/<int:pk>/live", views.cp_embed_live, name="cp_embed_live"),
    path("cp/online-booking/<int:pk>/code", views.cp_embed_code, name="cp_embed_code"),
    path(
        "cp/online-booking/<int:pk>/duplicate",
        views.cp_embed_duplicate,
        name="cp_embed_duplicate",
    ),
    path("cp/online-booking/<int:pk>/delete", views.cp_embed_delete, name="cp_embed_delete"),
]
