"""Account actions: users (owner-managed), offices, and the emailed sign-in code."""

import datetime
import secrets
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.db.models import Count, ProtectedError, Q
from django.utils import timezone

from crm import events, permissions
from crm.accounts.models import LoginCode, Office, Role, User
from crm.errors import DomainError
from crm.timeline.services import audit

# No 0/O or 1/I/L: codes are read off a phone and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


# --- Users ---------------------------------------------------------------------------


def _check_offices(*, role: str, offices, has_all_offices: bool) -> None:
    if role not in (Role.OWNER, Role.PARTNER) and not has_all_offices and not offices:
        raise DomainError("Pick at least one office, or tick All offices.")


def _is_last_active_owner(user: User) -> bool:
    return (
        user.role == Role.OWNER
        and user.is_active
        and not User.objects.filter(role=Role.OWNER, is_active=True).exclude(pk=user.pk).exists()
    )


@transaction.atomic
def create_user(
    *,
    actor: User,
    email: str,
    first_name: str,
    last_name: str = "",
    role: str,
    offices=(),
    has_all_offices: bool = False,
    partner=None,
    is_active: bool = True,
    password: str = "",
) -> User:
    """Create a user. Raises DomainError on a taken email or a non-owner without offices."""
    permissions.check(actor, "users.manage")
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(f"A user with the email {email} already exists.")
    _check_offices(role=role, offices=offices, has_all_offices=has_all_offices)
    user = User.objects.create_user(
        email,
        password or None,
        first_name=first_name,
        last_name=last_name,
        role=role,
        has_all_offices=has_all_offices,
        partner=partner,
        is_active=is_active,
    )
    user.offices.set(offices)
    audit(
        "user.created",
        f"{actor.full_name} created {user.full_name} ({user.get_role_display()})",
        actor=actor,
        metadata={
            "user_id": user.pk,
            "email": user.email,
            "role": role,
            "offices": user.office_label,
        },
    )
    events.emit("user.created", actor=actor, user=user)
    return user


@transaction.atomic
def update_user(
    *,
    actor: User,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    offices,
    has_all_offices: bool,
    is_active: bool,
    partner=None,
) -> User:
    """Change a user's profile, role, offices or active flag.

    Refuses to leave the system without an active owner, and refuses to let an owner
    lock themselves out (demote or deactivate their own account).
    """
    permissions.check(actor, "users.manage")
    user = User.objects.select_for_update().get(pk=user.pk)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise DomainError(f"A user with the email {email} already exists.")
    _check_offices(role=role, offices=offices, has_all_offices=has_all_offices)
    losing_owner = role != Role.OWNER or not is_active
    if losing_owner and user.pk == actor.pk:
        raise DomainError("You cannot remove your own owner access or deactivate yourself.")
    if losing_owner and _is_last_active_owner(user):
        raise DomainError("Keep at least one active owner.")
    before = {"role": user.role, "offices": user.office_label, "is_active": user.is_active}
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.role, user.has_all_offices, user.is_active = role, has_all_offices, is_active
    user.partner = partner
    user.save()
    user.offices.set(offices)
    after = {"role": role, "offices": user.office_label, "is_active": is_active}
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    audit(
        "user.updated",
        f"{actor.full_name} updated {user.full_name}",
        actor=actor,
        metadata={"user_id": user.pk, "changes": changes},
    )
    events.emit("user.updated", actor=actor, user=user)
    return user


@transaction.atomic
def set_password(*, actor: User, user: User, password: str) -> None:
    """Set a new password; the user's other sessions end (Django checks the hash)."""
    permissions.check(actor, "users.manage")
    user.set_password(password)
    user.save(update_fields=["password"])
    audit(
        "user.password_set",
        f"{actor.full_name} set a new password for {user.full_name}",
        actor=actor,
        metadata={"user_id": user.pk},
    )


@transaction.atomic
def delete_user(*, actor: User, user: User) -> None:
    """Delete a user for good. Their timeline and audit rows keep their name."""
    permissions.check(actor, "users.manage")
    if user.pk == actor.pk:
        raise DomainError("You cannot delete your own account.")
    if _is_last_active_owner(user):
        raise DomainError("Keep at least one active owner.")
    label, email = user.full_name, user.email
    user.delete()
    audit(
        "user.deleted", f"{actor.full_name} deleted {label}", actor=actor, metadata={"email": email}
    )
    events.emit("user.deleted", actor=actor, email=email)


# --- Partner logins (CP → Job Partners → 👤 Partner logins) ------------------------------


@transaction.atomic
def create_partner_login(
    *, actor: User, partner, email: str, first_name: str, last_name: str = "", sign_in_url: str
) -> User:
    """A sandboxed login for a Job Partner's staff: no password, no office; it signs in
    with an emailed code, and is sent the sign-in link at once."""
    permissions.check(actor, "users.manage")
    user = create_user(
        actor=actor,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=Role.PARTNER,
        partner=partner,
    )
    send_sign_in_link(actor=actor, user=user, sign_in_url=sign_in_url)
    return user


def _partner_login(user: User) -> User:
    if user.role != Role.PARTNER:
        raise DomainError(f"{user.full_name} is not a partner login; edit them in CP → Users.")
    return user


@transaction.atomic
def set_partner_login_active(*, actor: User, user: User, active: bool) -> User:
    """Deactivate (sign-in refused, sessions end at their next request) or reactivate."""
    permissions.check(actor, "users.manage")
    user = _partner_login(User.objects.select_for_update().get(pk=user.pk))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    state = "reactivated" if active else "deactivated"
    audit(
        "user.updated",
        f"{actor.full_name} {state} the partner login {user.full_name} ({user.partner_name})",
        actor=actor,
        metadata={"user_id": user.pk, "changes": {"is_active": [not active, active]}},
    )
    events.emit("user.updated", actor=actor, user=user)
    return user


def send_sign_in_link(*, actor: User, user: User, sign_in_url: str) -> None:
    """Email the partner login where to sign in (the page asks for a code by email)."""
    permissions.check(actor, "users.manage")
    user = _partner_login(user)
    if not user.is_active:
        raise DomainError(f"{user.full_name} is deactivated: reactivate the login first.")
    from crm.accounts.tasks import send_sign_in_link as send  # inside: tasks import services

    transaction.on_commit(lambda: send.delay(user.pk, sign_in_url))
    audit(
        "user.sign_in_link_sent",
        f"{actor.full_name} sent {user.full_name} ({user.partner_name}) a sign-in link",
        actor=actor,
        metadata={"user_id": user.pk, "email": user.email},
    )


# --- Offices -------------------------------------------------------------------------


@transaction.atomic
def add_office(*, actor: User | None, name: str, is_jobs_enabled: bool = True) -> Office:
    permissions.check(actor, "controlpanel.access")
    name = " ".join(name.split())
    if not name:
        raise DomainError("Give the office a name.")
    if Office.objects.filter(name__iexact=name).exists():
        raise DomainError(f"An office named {name} already exists.")
    office = Office.objects.create(name=name, is_jobs_enabled=is_jobs_enabled)
    audit(
        "office.added",
        f"Office {name} added",
        actor=actor,
        office=office,
        metadata={"office_id": office.pk},
    )
    events.emit("office.added", actor=actor, office=office)
    return office


@transaction.atomic
def _kept(objects) -> str:
    """ "62 leads and 1 online booking embed" from the rows that protect an office."""
    counts = Counter(type(obj)._meta for obj in objects)
    parts = [
        f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"
        for meta, count in counts.most_common()
    ]
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


def delete_office(*, actor: User, office: Office) -> None:
    """Delete an office nobody depends on: a user left with no office would see nothing."""
    permissions.check(actor, "controlpanel.access", obj=office)
    stranded = (
        User.objects.filter(offices=office, has_all_offices=False)
        .exclude(role__in=[Role.OWNER, Role.PARTNER])
        .annotate(office_count=Count("offices"))
        .filter(office_count=1)
    )
    names = ", ".join(user.full_name for user in stranded[:5])
    if names:
        raise DomainError(
            f"{office.name} is the only office of {names}. Give them another office first."
        )
    name = office.name
    try:
        with transaction.atomic():
            office.delete()
    except ProtectedError as exc:  # leads, jobs, booking embeds… are filed under it
        kept = _kept(exc.protected_objects)
        raise DomainError(f"{name} still has {kept}: it can't be deleted.") from exc
    audit("office.deleted", f"Office {name} deleted", actor=actor, metadata={"office": name})
    events.emit("office.deleted", actor=actor, office_name=name)


@transaction.atomic
def set_jobs_feature(*, actor: User, office: Office, enabled: bool) -> Office:
    """Switch the Jobs feature of one office (CP → Office Settings)."""
    permissions.check(actor, "controlpanel.access", obj=office)
    office = Office.objects.select_for_update().get(pk=office.pk)
    if office.is_jobs_enabled == enabled:
        return office
    office.is_jobs_enabled = enabled
    office.save(update_fields=["is_jobs_enabled"])
    state = "enabled" if enabled else "disabled"
    audit(
        "office.settings_changed",
        f"Jobs feature {state} for {office.name}",
        actor=actor,
        office=office,
        metadata={"is_jobs_enabled": enabled},
    )
    events.emit("office.settings_changed", actor=actor, office=office, is_jobs_enabled=enabled)
    return office


# --- Sign-in codes -------------------------------------------------------------------


def active_user_for_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip(), is_active=True).first()


@transaction.atomic
def issue_login_code(*, user: User) -> LoginCode:
    """Create a fresh code (older unused ones stop working) and email it after commit."""
    now = timezone.now()
    LoginCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    login_code = LoginCode.objects.create(
        user=user,
        code=code,
        expires_at=now + datetime.timedelta(seconds=settings.LOGIN_CODE_TTL_SECONDS),
    )
    from crm.accounts.tasks import send_login_code  # inside: the tasks import this module

    transaction.on_commit(lambda: send_login_code.delay(login_code.pk))
    return login_code


def redeem_login_code(*, email: str, code: str) -> User:
    """Return the user whose newest code matches, marking the code used.

    Every miss counts against that code (5 and it is dead). Raises DomainError with one
    message for every failure, so a guesser learns nothing.
    """
    user = _redeem(email=email, code=code)
    if user is None:
        raise DomainError("That code is wrong or has expired. Request a new one.")
    return user


@transaction.atomic
def _redeem(*, email: str, code: str) -> User | None:
    user = active_user_for_email(email)
    if user is None:
        return None
    # Locked so two guesses at once both count.
    login_code = (
        LoginCode.objects.select_for_update()
        .filter(user=user, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if login_code is None or not login_code.is_usable:
        return None
    if not secrets.compare_digest(login_code.code, code.strip().upper()):
        login_code.wrong_tries += 1
        login_code.save(update_fields=["wrong_tries"])
        return None
    login_code.used_at = timezone.now()
    login_code.save(update_fields=["used_at"])
    return user


def purge_expired_login_codes() -> int:
    cutoff = timezone.now() - datetime.timedelta(days=1)
    deleted, _ = LoginCode.objects.filter(Q(expires_at__lt=cutoff) | Q(used_at__lt=cutoff)).delete()
    return deleted
