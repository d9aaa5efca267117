from django import template

from crm.assistant.client import MODELS

register = template.Library()


@register.filter
def model_label(model: str) -> str:
    """ "claude-haiku-4-5" → "Haiku 4.5"; a model no longer offered keeps its id."""
    return MODELS.get(model, model)
