"""Two-factor authentication: who needs it, and the middleware that holds them until verified.

A code from an authenticator app (TOTP, django-otp's otp_totp) or a one-time recovery code
(otp_static) completes a password sign-in. It is required, when REQUIRE_STAFF_2FA is on
(the default with DEBUG off), for everyone who can open the staff admin: staff accounts,
Editors, Reviewers and superusers. Anyone else (panel members) may enrol, and once they
have, their sign-in needs a code too.

A signed-in user who needs a code and has not given one this session reaches only the
two-factor pages (enrol or verify), signing out and the accessibility statement; every
other address, the admin included, sends them to enrol or verify and back afterwards.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import roles

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10


def role_requires_two_factor(user) -> bool:
    """Staff, Editors, Reviewers and superusers, when the setting is on."""
    if not (settings.REQUIRE_STAFF_2FA and user.is_authenticated):
        return False
    return bool(
        user.is_superuser
        or user.is_staff
        or user.groups.filter(name__in=(roles.EDITORS, roles.REVIEWERS)).exists()
    )


def is_enrolled(user) -> bool:
    """Has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_verification(user) -> bool:
    return role_requires_two_factor(user) or is_enrolled(user)


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones; each works once."""
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


NEEDED_SESSION_KEY = "two_factor_needed"


def _needs_verification_this_session(request, user) -> bool:
    """needs_verification, with its group part kept in the session (asked once per sign-in).

    Staff and superusers are known from the user row, so a change to those flags counts at
    once; the groups are worked out when signing in (or, for a session from before, on its
    next request). A session that did not need a code asks again whether the account has
    enrolled since, so enrolling in one browser closes every other session opened with
    the password alone.
    """
    if settings.REQUIRE_STAFF_2FA and (user.is_staff or user.is_superuser):
        return True
    needed = request.session.get(NEEDED_SESSION_KEY)
    if needed is None:
        needed = needs_verification(user)
        request.session[NEEDED_SESSION_KEY] = needed
    elif not needed and is_enrolled(user):
        needed = request.session[NEEDED_SESSION_KEY] = True
    return needed


def remember_need_at_sign_in(sender, request, user, **kwargs):
    """user_logged_in: work the need out while the sign-in is saving its session anyway."""
    if request is not None and hasattr(request, "session"):
        request.session[NEEDED_SESSION_KEY] = needs_verification(user)


def _exempt_paths() -> tuple[str, ...]:
    return (
        reverse("two_factor_verify"),
        reverse("two_factor_enrol"),
        reverse("logout"),
        reverse("admin:logout"),
        reverse("accessibility"),
        reverse("healthz"),
    )


class TwoFactorMiddleware:
    """Send a signed-in user who needs a code, and has not given one, to enrol or verify."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        redirect = self._hold(request)
        return redirect if redirect is not None else self.get_response(request)

    def _hold(self, request):
        # No session cookie, no signed-in user: anonymous requests never touch the session.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified() or request.path in _exempt_paths():
            return None
        if not _needs_verification_this_session(request, user):
            return None
        target = "two_factor_verify" if is_enrolled(user) else "two_factor_enrol"
        return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
