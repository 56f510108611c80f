"""Sign-in forms that stop password guessing: the admin's and the members'.

Both sign-ins (``/admin/login/`` and Wagtail's front-end ``/_util/login/``, where
members-only pages and the share form send people) allow a few failed attempts
per user name and client address (and more per address, whatever the name), then
answer "Too many attempts" until the window ends. Every attempt is counted before
the password is checked and given back when it succeeds, so guesses sent in
parallel are bounded too. A refused attempt answers 429 Too Many Requests with
``Retry-After``, the form (and its "Too many attempts" message) on the page as before,
so scripts and proxies can tell a lockout from a wrong password.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from wagtail.admin.forms.auth import LoginForm
from wagtail.admin.views.account import LoginView as WagtailAdminLoginView
from wagtail.urls import WAGTAIL_FRONTEND_LOGIN_TEMPLATE

from .throttle import RateLimit, client_address

FAILED_SIGN_INS = RateLimit("sign-in", limit=5, seconds=15 * 60)
# Trying one password on many user names from one address (credential stuffing).
FAILED_SIGN_INS_PER_ADDRESS = RateLimit("sign-in-address", limit=30, seconds=15 * 60)
TOO_MANY = "too_many_attempts"


class ThrottledSignInMixin:
    """Counts sign-in attempts per user name and client address (see module docstring)."""

    # Seconds until the attempt may be made again, once it has been refused.
    retry_after: int | None = None

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()
        address = client_address(self.request) if self.request is not None else ""
        attempts = [
            (FAILED_SIGN_INS, (username.strip().casefold(), address)),
            (FAILED_SIGN_INS_PER_ADDRESS, (address,)),
        ]
        hits = [limit.hit(*who) for limit, who in attempts]
        refused = [hit for hit in hits if not hit.allowed]
        if refused:
            minutes = max(hit.retry_minutes for hit in refused)
            self.retry_after = max(hit.retry_after for hit in refused)
            raise forms.ValidationError(
                f"Too many attempts, try again in {minutes} minute{'s' if minutes != 1 else ''}.",
                code=TOO_MANY,
            )
        cleaned = super().clean()  # a wrong password raises here and stays counted
        for limit, who in attempts:
            limit.undo(*who)
        return cleaned

    @property
    def too_many_attempts(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, TOO_MANY)


class AdminSignInForm(ThrottledSignInMixin, LoginForm):
    """Wagtail's admin sign-in form (settings.WAGTAILADMIN_USER_LOGIN_FORM)."""


class MemberSignInForm(ThrottledSignInMixin, AuthenticationForm):
    """The front-end sign-in form members use."""


class RefuseTooManyAttempts:
    """A sign-in view that answers a throttled attempt with 429 and ``Retry-After``."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "too_many_attempts", False):
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after or 60)
        return response


class MemberSignInView(RefuseTooManyAttempts, auth_views.LoginView):
    template_name = WAGTAIL_FRONTEND_LOGIN_TEMPLATE
    authentication_form = MemberSignInForm


class AdminSignInView(RefuseTooManyAttempts, WagtailAdminLoginView):
    """Wagtail's admin sign-in (its form is AdminSignInForm, set in the settings)."""


member_sign_in = MemberSignInView.as_view()
admin_sign_in = AdminSignInView.as_view()
