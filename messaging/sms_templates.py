"""CP → 💬 SMS Templates: the quick replies of the panel's 📋 button."""

from django.db import IntegrityError, transaction

from crm.errors import DomainError
from crm.permissions import check
from crm.timeline.models import AuditEvent
from crm.timeline.services import audit
from messaging.models import SmsTemplate


def save_template(*, actor, name: str, body: str, template: SmsTemplate | None = None):
    check(actor, "sms.manage")
    name, body = name.strip(), body.strip()
    if not name or not body:
        raise DomainError("A template needs a name and a text.")
    template = template or SmsTemplate()
    template.name, template.body = name, body
    try:
        with transaction.atomic():
            template.save()
            audit(AuditEvent.Kind.SMS_TEMPLATE, f"SMS template “{name}” saved", actor=actor)
    except IntegrityError as exc:
        raise DomainError(f"A template named “{name}” already exists.") from exc
    return template


def delete_template(*, actor, template: SmsTemplate) -> None:
    check(actor, "sms.manage")
    with transaction.atomic():
        template.delete()
        audit(AuditEvent.Kind.SMS_TEMPLATE, f"SMS template “{template.name}” deleted", actor=actor)
