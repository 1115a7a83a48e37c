from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from . import services
from .forms import CodeForm, ProfileForm, QueuedPasswordResetForm
from .two_factor import authenticator, recovery_codes_left, two_factor_required, verified


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """Where an invitation or a reset link lands: choose a password, and you are signed in."""

    template_name = "accounts/set_password.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("projects:list")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. Welcome to Liaison."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    # A fresh copy of the account: a refused change must not show in the page header.
    form = ProfileForm(
        request.POST or None, instance=get_user_model().objects.get(pk=request.user.pk)
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    context = {
        "form": form,
        "two_factor_on": authenticator(request.user) is not None,
        "two_factor_required": two_factor_required(request.user),
    }
    return render(request, "accounts/profile.html", context)


# --- Two-factor sign-in ----------------------------------------------------------------------


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app, or, once it is set up, renew recovery codes or turn it off."""
    user = request.user
    if authenticator(user) is not None:
        if not verified(request.session):
            return redirect("accounts:two_factor_verify")
        return _two_factor_settings(request, CodeForm())
    device = services.two_factor_begin(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.two_factor_enable(
                device=device, token=form.cleaned_data["code"], by=user
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            _verified(request, device)
            messages.success(request, _("Two-factor sign-in is on for your account."))
            return _recovery_codes_page(request, codes)
    key = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(
            scale=4, title=_("QR code to scan with your authenticator app")
        ),
        "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        "required": two_factor_required(user),
        "next": _next_url(request),
    }
    context["signing_in"] = context["required"]  # no other page opens before this is done
    return render(request, "accounts/two_factor_enrol.html", context)


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if verified(request.session):
        return redirect(next_url)
    if authenticator(user) is None:
        return redirect("accounts:two_factor")
    form = CodeForm(request.POST or None, recovery_allowed=True)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_verify(user=user, token=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            _verified(request, device)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code, which now no longer works: "
                        "%(left)s left. Make a new set from Two-factor sign-in on your profile."
                    )
                    % {"left": recovery_codes_left(user)},
                )
            return redirect(next_url)
    context = {"form": form, "next": next_url, "signing_in": True}
    return render(request, "accounts/two_factor_verify.html", context)


@require_POST
@login_required
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    try:
        codes = services.recovery_codes_renew(user=request.user, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:two_factor")
    messages.success(request, _("You have new recovery codes; the old ones no longer work."))
    return _recovery_codes_page(request, codes)


@require_POST
@login_required
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = request.user
    if two_factor_required(user):
        raise PermissionDenied(
            _("Two-factor sign-in is required for vendor staff and project managers.")
        )
    if authenticator(user) is None:
        messages.info(request, _("Two-factor sign-in is not on for your account."))
        return redirect("accounts:two_factor")
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            services.two_factor_disable(user=user, token=form.cleaned_data["code"], by=user)
        except ValidationError as error:
            form.add_error("code", error)
        else:
            messages.success(request, _("Two-factor sign-in is off for your account."))
            return redirect("accounts:profile")
    return _two_factor_settings(request, form)


def _two_factor_settings(request: HttpRequest, disable_form: CodeForm) -> HttpResponse:
    context = {
        "disable_form": disable_form,
        "codes_left": recovery_codes_left(request.user),
        "required": two_factor_required(request.user),
    }
    return render(request, "accounts/two_factor_settings.html", context)


def _recovery_codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    # Shown once, in answer to the POST that made them: they are stored only as used-once
    # secrets and never shown again.
    response = render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)}
    )
    response["Cache-Control"] = "no-store"
    return response


def _verified(request: HttpRequest, device) -> None:
    # A new session key for the now fully signed-in session, as Django does at sign-in.
    request.session.cycle_key()
    otp_login(request, device)


def _next_url(request: HttpRequest) -> str:
    next_url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return resolve_url(settings.LOGIN_REDIRECT_URL)
