"""Signing in safely: the lockout page django-axes shows, and a throttled password reset.

django-axes counts failed sign-ins in the database and locks by username and by address
as two separate rules (settings: AXES_*). This module gives it the client address (behind
PROXY_COUNT proxies) and the page a locked-out visitor sees. Password reset requests are
counted in the cache, per address and per email address, in a fixed window.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

LOCKED_OUT_STATUS = 429


def client_ip(request) -> str:
    """The visitor's address: REMOTE_ADDR, or what the outermost of PROXY_COUNT proxies saw."""
    count = settings.PROXY_COUNT
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


def _minutes(delta) -> int:
    return max(1, round(delta.total_seconds() / 60))


def lockout_response(request, original_response=None, credentials=None):
    """The page for a sign-in refused because of earlier failures (both sign-in forms)."""
    cooloff = settings.AXES_COOLOFF_TIME
    response = render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": _minutes(cooloff)},
        status=LOCKED_OUT_STATUS,
    )
    response["Retry-After"] = str(int(cooloff.total_seconds()))
    add_never_cache_headers(response)
    return response


# --------------------------------------------------------------------------- password reset
def _count(key: str) -> int:
    """One more request in this window; the count so far (the window starts at the first)."""
    window = settings.PASSWORD_RESET_WINDOW_SECONDS
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def _email_key(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"password-reset:email:{digest}"


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, refused (429) beyond the hourly limits per address and email.

    The refusal says the same whether or not an account uses the email address, so it
    tells nobody which addresses have accounts.
    """

    def post(self, request, *args, **kwargs):
        if _count(f"password-reset:ip:{client_ip(request)}") > settings.PASSWORD_RESET_LIMIT_PER_ADDRESS:
            return self._throttled(request, "from your network address")
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        if _count(_email_key(form.cleaned_data["email"])) > settings.PASSWORD_RESET_LIMIT_PER_EMAIL:
            return self._throttled(request, "for this email address")
        return self.form_valid(form)

    def _throttled(self, request, scope: str):
        window = settings.PASSWORD_RESET_WINDOW_SECONDS
        response = render(
            request,
            "registration/password_reset_throttled.html",
            {"scope": scope, "window_minutes": window // 60},
            status=LOCKED_OUT_STATUS,
        )
        response["Retry-After"] = str(window)
        add_never_cache_headers(response)
        return response
