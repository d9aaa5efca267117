from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "crm.assistant"
    label = "assistant"
    verbose_name = "AI Assistant"
