from django import template

from crm.accounts.models import Role
from crm.assistant.client import MODELS

register = template.Library()


@register.filter
def model_label(model: str) -> str:
    """ "claude-haiku-4-5" → "Haiku 4.5"; a model no longer offered keeps its id."""
    return MODELS.get(model, model)


@register.filter
def role_label(role: str) -> str:
    """ "finance_admin" → "Finance Admin"."""
    return Role(role).label if role in Role.values else role
