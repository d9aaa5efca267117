from functools import cached_property

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone

from crm.fields import EncryptedTextField
from crm.mail import Security, SmtpConfig


class OfficeQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OfficeQuerySet":
        """The offices `user` may see: every office for owners and "all"-office users,
        their own for the rest, none when signed out. Reads the user's cached office ids."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(pk__in=user.office_ids)


class Office(models.Model):
    """A routing bucket (Sliding, Garage, General...) that records and users are tagged with."""

    name = models.CharField(max_length=80, unique=True)
    is_jobs_enabled = models.BooleanField(
        "Jobs feature", default=True, help_text="Off keeps this office on the manual Workiz flow."
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The office's email sender (CP → ⚙️ Office Settings): its email automations go out
    # through this account. The From Email is also the SMTP login.
    smtp_from_email = models.EmailField("From Email", blank=True)
    smtp_from_name = models.CharField("From Name", max_length=120, blank=True)
    smtp_host = models.CharField("SMTP Host", max_length=200, blank=True)
    smtp_port = models.PositiveIntegerField("Port", default=587)
    smtp_security = models.CharField(
        "Security",
        max_length=8,
        choices=[(Security.STARTTLS, Security.STARTTLS.label), (Security.SSL, Security.SSL.label)],
        default=Security.STARTTLS,
    )
    smtp_password = EncryptedTextField(
        "App Password", blank=True, help_text="Stored encrypted; never shown again."
    )

    objects = OfficeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_smtp_configured(self) -> bool:
        """Everything a send needs: From Email (the login), host, port and app password."""
        return bool(
            self.smtp_from_email and self.smtp_host and self.smtp_port and self.smtp_password
        )

    @property
    def smtp_password_notice(self) -> str:
        """The owner's notice when no key opens the stored app password ("" otherwise)."""
        # Imported here: crm.unreadable_secrets → crm.timeline.models → this module.
        from crm.unreadable_secrets import notice

        return notice(self.smtp_password, "App Password")

    @property
    def smtp_config(self) -> SmtpConfig:
        return SmtpConfig(
            host=self.smtp_host,
            port=self.smtp_port,
            username=self.smtp_from_email,
            password=self.smtp_password,
            from_email=self.smtp_from_email,
            from_name=self.smtp_from_name,
            security=self.smtp_security,
        )


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    FINANCE_ADMIN = "finance_admin", "Finance Admin"
    AGENT = "agent", "Agent"
    VIEWER = "viewer", "Viewer"
    PARTNER = "partner", "Partner"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        return self.create_user(email, password, role=Role.OWNER, **fields)

    def get_by_natural_key(self, email: str) -> "User":
        return self.get(email__iexact=email)

    def visible_to(self, user) -> models.QuerySet:
        """The staff `user` may see in lists and pickers: every staff login (partner
        logins are managed under CP → Job Partners); none for partners or signed-out users."""
        if not user.is_authenticated or not user.is_active or user.role == Role.PARTNER:
            return self.none()
        return self.exclude(role=Role.PARTNER)


class User(AbstractBaseUser):
    """A person who signs in with their email. Owners and "all"-office users see every office."""

    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AGENT)
    offices = models.ManyToManyField(Office, blank=True, related_name="users")
    has_all_offices = models.BooleanField(
        "All offices", default=False, help_text="Owner-equivalent visibility across every office."
    )
    # Protected: a partner with logins is not deleted from under them (CP → Job Partners
    # deactivates the logins first).
    partner = models.ForeignKey(
        "contractors.JobPartner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="logins",
        help_text="Partner logins see only the leads and jobs of this job partner.",
    )
    is_active = models.BooleanField(
        "Active", default=True, help_text="Off blocks sign-in without deleting."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name"]

    objects = UserManager()

    class Meta:
        ordering = ["first_name", "last_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def partner_name(self) -> str:
        """The name leads and jobs are tied to ("" for staff)."""
        return self.partner.name if self.partner_id else ""

    @property
    def sees_all_offices(self) -> bool:
        return self.role == Role.OWNER or (self.has_all_offices and self.role != Role.PARTNER)

    @cached_property
    def visible_offices(self) -> list[tuple[int, str, bool]]:
        """(id, name, Jobs feature on?) of every office the user may see, in one query."""
        offices = Office.objects.all() if self.sees_all_offices else self.offices.all()
        return list(offices.order_by("name").values_list("id", "name", "is_jobs_enabled"))

    @property
    def office_ids(self) -> frozenset[int]:
        """Ids of the offices this user may see (every office for owners and "all" users)."""
        return frozenset(office_id for office_id, _, _ in self.visible_offices)

    @property
    def has_jobs_feature(self) -> bool:
        """False only when the user has offices and every one has the Jobs feature off."""
        flags = [is_jobs_enabled for _, _, is_jobs_enabled in self.visible_offices]
        return any(flags) or not flags

    @property
    def office_label(self) -> str:
        if self.role == Role.PARTNER:
            return f"partner: {self.partner_name}" if self.partner_name else ""
        if self.sees_all_offices:
            return "all"
        return ",".join(office.name for office in self.offices.all())


class LoginCode(models.Model):
    """A 6-character sign-in code: single use, 10 minutes, 5 wrong tries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    wrong_tries = models.PositiveSmallIntegerField(default=0)
    # Stamped as the email goes out: a redelivered task (worker lost) sends nothing more.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"Sign-in code for {self.user_id}"  # never the code itself

    @property
    def is_usable(self) -> bool:
        return (
            self.used_at is None
            and self.wrong_tries < settings.LOGIN_CODE_MAX_WRONG_TRIES
            and self.expires_at > timezone.now()
        )
