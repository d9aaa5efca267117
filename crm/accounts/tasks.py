from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.utils import timezone

from crm.accounts import services
from crm.accounts.models import LoginCode, User

LINK_CLAIM_SECONDS = 2 * 24 * 3600  # longer than any redelivery


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


@shared_task(bind=True)
def send_sign_in_link(self, user_id: int, sign_in_url: str) -> None:
    """Tell a partner login where to sign in. No secret travels: the page emails a code.

    The task id is claimed first: the broker redelivering this task (its worker died)
    sends no second email.
    """
    if not cache.add(f"sign-in-link:{self.request.id}", 1, timeout=LINK_CLAIM_SECONDS):
        return
    user = User.objects.filter(pk=user_id, is_active=True).select_related("partner").first()
    if user is None:
        return
    send_mail(
        subject="Your BookBack CRM sign-in link",
        message=(
            f"Hi {user.first_name},\n\n"
            f"You have a BookBack CRM login for {user.partner_name}: it shows the leads and "
            "jobs you sent us.\n\n"
            f"Sign in here: {sign_in_url}\n\n"
            'Click "Email me a code" and type the 6-character code we send you. There is '
            "no password to remember.\n\n— BookBack CRM"
        ),
        from_email=None,
        recipient_list=[user.email],
    )


@shared_task
def purge_old_login_codes() -> int:
    return services.purge_expired_login_codes()
