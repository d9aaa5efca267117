"""Sign-in throttling: failed sign-ins per IP, failed passwords per account.

Only failures count against an IP, so a shift of agents behind one office address signs
in all day. Failed passwords also count against the address typed, normalised, whether
or not it has an account: a paused address tells a guesser nothing about who works here.
A paused password leaves the emailed code, which only the inbox's owner can use.
"""

from django.conf import settings

from crm import ratelimit
from crm.accounts.models import User
from crm.timeline.models import AuditEvent
from crm.timeline.services import audit

ACCOUNT_FAILURE_LIMIT = 10
ACCOUNT_FAILURE_WINDOW_SECONDS = 15 * 60
PASSWORD_PAUSE_SECONDS = 15 * 60

PASSWORD_PAUSED = (
    "Too many failed attempts for this account. Password sign-in is paused for "
    f"{PASSWORD_PAUSE_SECONDS // 60} minutes; use “Email me a code” instead."
)


def _normalised(email: str) -> str:
    return email.strip().lower()


def _audit_refusal(*, ip: str, email: str, window_seconds: int) -> None:
    """One audit row per IP and window, however many attempts are refused."""
    if ratelimit.first_refusal(f"signin-audit:{ip}", window_seconds=window_seconds):
        audit(
            AuditEvent.Kind.SIGN_IN_BLOCKED,
            f"Sign-in attempts rate limited for {ip}",
            metadata={"ip": ip, "email": _normalised(email)},
        )


def is_ip_blocked(*, ip: str, email: str = "") -> bool:
    """True while `ip` holds its limit of failed sign-ins in the window.

    Counts nothing itself: a refused attempt checks no secret.
    """
    limit, window = settings.LOGIN_ATTEMPTS_PER_IP
    if ratelimit.count(f"signin-failures-ip:{ip}", window_seconds=window) < limit:
        return False
    _audit_refusal(ip=ip, email=email, window_seconds=window)
    return True


def allow_code_request(*, ip: str, email: str) -> bool:
    """Count one emailed-code request for `email`; False once it has its limit."""
    limit, window = settings.LOGIN_CODE_REQUESTS_PER_EMAIL
    if ratelimit.hit(f"code-email:{_normalised(email)}", limit=limit, window_seconds=window):
        return True
    _audit_refusal(ip=ip, email=email, window_seconds=window)
    return False


def count_failure(*, ip: str) -> None:
    """A wrong emailed code: it counts against the IP only (a code dies after 5 misses)."""
    _, window = settings.LOGIN_ATTEMPTS_PER_IP
    ratelimit.record(f"signin-failures-ip:{ip}", window_seconds=window)


def is_password_paused(email: str) -> bool:
    """True while password sign-in for `email` is paused, from any IP.

    Ask before checking the password: a right one during the pause must look like any other.
    """
    return ratelimit.is_paused(
        f"signin-password:{_normalised(email)}", seconds=PASSWORD_PAUSE_SECONDS
    )


def count_password_failure(*, ip: str, email: str) -> bool:
    """A wrong password for `email`: counts against the IP and the address.

    Returns True when the address has reached its limit, so its password sign-in is now
    paused. The pause is audited once, by the failure that started it.
    """
    count_failure(ip=ip)
    email = _normalised(email)
    failures = ratelimit.record(
        f"signin-failures-account:{email}", window_seconds=ACCOUNT_FAILURE_WINDOW_SECONDS
    )
    if failures < ACCOUNT_FAILURE_LIMIT:
        return False
    if ratelimit.pause(f"signin-password:{email}", seconds=PASSWORD_PAUSE_SECONDS):
        audit(
            AuditEvent.Kind.ACCOUNT_PAUSED,
            f"Password sign-in paused for {email} for {PASSWORD_PAUSE_SECONDS // 60} minutes "
            f"after {failures} failed attempts",
            metadata={
                "email": email,
                "ip": ip,
                "failures": failures,
                # Only the owner reads the audit log: whether anyone uses this address tells
                # a targeted attack from a spray.
                "has_account": User.objects.filter(email__iexact=email).exists(),
            },
        )
    return True
