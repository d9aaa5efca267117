from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from crm import permissions
from crm.accounts import services, throttle
from crm.accounts.forms import CodeRequestForm, CodeSignInForm, PasswordSignInForm
from crm.accounts.models import User
from crm.errors import DomainError
from crm.http import client_ip
from crm.navigation import home_url

BACKEND = "django.contrib.auth.backends.ModelBackend"
TOO_MANY = "Too many sign-in attempts. Wait a few minutes and try again."


def _next_url(request, user: User) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return home_url(user)


def _render_login(request, *, mode: str = "password", status: int = 200, **forms) -> HttpResponse:
    context = {
        "mode": mode,
        "password_form": forms.get("password_form") or PasswordSignInForm(),
        "code_request_form": forms.get("code_request_form") or CodeRequestForm(),
        "code_form": forms.get("code_form"),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "accounts/login.html", context, status=status)


def root(request):
    """`/`: signed-in users go to their home page (the Leads dashboard), others to sign in."""
    if request.user.is_authenticated:
        return redirect(home_url(request.user))
    return redirect("accounts:login")


def sign_in(request):
    """Email + password. Inactive users and wrong passwords get the same answer."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(home_url(request.user))
    if request.method != "POST":
        # A partner's sign-in link names its email: the code form opens filled in.
        email = CodeRequestForm(initial={"email": request.GET.get("email", "")[:254]})
        return _render_login(
            request, mode=request.GET.get("mode", "password"), code_request_form=email
        )
    form = PasswordSignInForm(request.POST)
    ip = client_ip(request)
    if throttle.is_ip_blocked(ip=ip, email=request.POST.get("email", "")):
        form.add_error(None, TOO_MANY)
        return _render_login(request, password_form=form, status=429)
    if form.is_valid():
        email = form.cleaned_data["email"]
        # Refused before the password is checked, so a right one reveals nothing.
        if throttle.is_password_paused(email):
            form.add_error(None, throttle.PASSWORD_PAUSED)
            return _render_login(request, password_form=form, status=429)
        user = authenticate(request, email=email, password=form.cleaned_data["password"])
        if user is not None:
            login(request, user, backend=BACKEND)
            return redirect(_next_url(request, user))
        if throttle.count_password_failure(ip=ip, email=email):
            form.add_error(None, throttle.PASSWORD_PAUSED)
            return _render_login(request, password_form=form, status=429)
        form.add_error(None, "Email or password is wrong.")
    return _render_login(request, password_form=form, status=400)


@require_POST
def request_code(request):
    """Email a 6-character code. The answer is the same whether or not the email has an account."""
    form = CodeRequestForm(request.POST)
    if not form.is_valid():
        return _render_login(request, mode="code", code_request_form=form, status=400)
    email = form.cleaned_data["email"]
    ip = client_ip(request)
    if throttle.is_ip_blocked(ip=ip, email=email) or not throttle.allow_code_request(
        ip=ip, email=email
    ):
        form.add_error(None, TOO_MANY)
        return _render_login(request, mode="code", code_request_form=form, status=429)
    user = services.active_user_for_email(email)
    if user is not None:
        services.issue_login_code(user=user)
    return _render_login(
        request, mode="code-sent", code_form=CodeSignInForm(initial={"email": email})
    )


@require_POST
def verify_code(request):
    form = CodeSignInForm(request.POST)
    ip = client_ip(request)
    if throttle.is_ip_blocked(ip=ip, email=request.POST.get("email", "")):
        form.add_error(None, TOO_MANY)
        return _render_login(request, mode="code-sent", code_form=form, status=429)
    if form.is_valid():
        try:
            user = services.redeem_login_code(
                email=form.cleaned_data["email"], code=form.cleaned_data["code"]
            )
        except DomainError as error:
            throttle.count_failure(ip=ip)
            form.add_error("code", error.message)
        else:
            login(request, user, backend=BACKEND)
            return redirect(_next_url(request, user))
    return _render_login(request, mode="code-sent", code_form=form, status=400)


@require_POST
def sign_out(request):
    logout(request)
    return redirect("accounts:login")


@permissions.require("users.view")
def directory(request):
    """The staff's user directory (read-only unless owner); a left panel from the topbar."""
    users = (
        User.objects.filter(is_active=True).select_related("partner").prefetch_related("offices")
    )
    template = "accounts/_partials/directory.html" if request.htmx else "accounts/directory.html"
    context = {"users": users, "can_manage": permissions.can(request.user, "users.manage")}
    return render(request, template, context)
