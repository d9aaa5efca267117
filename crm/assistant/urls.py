"""🤖 AI Assistant: the panel and its chat stream; CP → 🤖 AI Assistant, Audit log, Replay."""

from django.urls import path

from crm.assistant import cp_views, views

app_name = "assistant"

urlpatterns = [
    path("assistant", views.panel, name="panel"),
    path("assistant/conversations", views.conversations, name="conversations"),
    path("assistant/conversations/<int:pk>", views.conversation, name="conversation"),
    path("assistant/chat", views.chat, name="chat"),
    path("cp/assistant", cp_views.settings_page, name="cp"),
    path("cp/assistant/audit", cp_views.audit, name="audit"),
    path("cp/assistant/audit/<int:pk>", cp_views.replay, name="replay"),
]
