from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from crm.accounts import services
from crm.accounts.models import LoginCode


@shared_task
def send_login_code(login_code_id: int) -> None:
    """Email a sign-in code once; the code travels in the database, never in the broker.

    The conditional UPDATE is the claim: a second delivery of the same id (the broker
    redelivers a task whose worker died) sends nothing. A code lost that way is asked for
    again; a code emailed twice would look like two sign-in attempts.
    """
    unsent = LoginCode.objects.filter(pk=login_code_id, emailed_at__isnull=True)
    if not unsent.update(emailed_at=timezone.now()):
        return
    login_code = LoginCode.objects.select_related("user").get(pk=login_code_id)
    if not login_code.is_usable:
        return
    minutes = settings.LOGIN_CODE_TTL_SECONDS // 60
    send_mail(
        subject=f"Your BookBack sign-in code: {login_code.code}",
        message=(
            f"Hi {login_code.user.first_name},\n\n"
            f"Your sign-in code is {login_code.code}\n\n"
            f"It works once and expires in {minutes} minutes. If you did not ask for it, "
            "ignore this email.\n\n— BookBack CRM"
        ),
        from_email=None,
        recipient_list=[login_code.user.email],
    )


@shared_task
def purge_old_login_codes() -> int:
    return services.purge_expired_login_codes()
