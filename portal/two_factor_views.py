"""The two-factor pages: enrol an authenticator app, verify a sign-in, see and renew recovery codes.

Every page here is for one signed-in person and is never stored by a browser or proxy.
Codes are checked by django-otp's devices, which slow down repeated wrong guesses
(1, 2, 4, 8 ... seconds between tries) and accept each code once.
"""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .two_factor import (
    AUTHENTICATOR_NAME,
    NEEDED_SESSION_KEY,
    is_enrolled,
    new_recovery_codes,
    recovery_codes_left,
    role_requires_two_factor,
)

WRONG_CODE = (
    "That code is not right. Enter the 6-digit code your authenticator app shows now, "
    "or one of your recovery codes."
)
WRONG_ENROL_CODE = (
    "That code is not right. Check that the app shows this account, and enter the 6-digit code it shows now."
)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).replace("-", "").lower()


class EnrolForm(CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = "Code from your authenticator app"
        field.help_text = "The 6 digits the app shows for this account, without spaces."
        field.widget.attrs["inputmode"] = "numeric"


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _private(response):
    response["Cache-Control"] = "private, no-store"
    return response


def check_code(user, code: str):
    """(device that accepted the code, None) or (None, why not). Six digits: the app; else recovery."""
    model = TOTPDevice if (code.isdigit() and len(code) == 6) else StaticDevice
    error = WRONG_CODE
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            allowed, info = device.verify_is_allowed()
            if not allowed:
                until = timezone.localtime(info["locked_until"]).strftime("%H:%M:%S")
                error = f"Too many wrong codes: wait until {until} before trying again."
                continue
            if device.verify_token(code):
                return device, None
    return None, error


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of signing in: a code from the app or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return HttpResponseRedirect(next_url)
    if not is_enrolled(user):
        return HttpResponseRedirect(f"{reverse('two_factor_enrol')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, error = check_code(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return HttpResponseRedirect(next_url)
        form.add_error("code", error)
    response = render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": next_url},
        status=400 if form.is_bound else 200,
    )
    return _private(response)


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, border=4)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _pending_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def _confirm(device: TOTPDevice, code: str) -> bool:
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(code):
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return True


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Add an authenticator app: scan the QR code (or type the key), then prove it with a code."""
    user = request.user
    next_url = _next_url(request)
    if is_enrolled(user):
        return redirect("two_factor")
    device = _pending_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _confirm(device, form.cleaned_data["code"]):
            otp_login(request, TOTPDevice.objects.get(pk=device.pk))
            request.session[NEEDED_SESSION_KEY] = True  # from now on, every sign-in asks
            return _recovery_codes_page(request, new_recovery_codes(user), next_url)
        form.add_error("code", WRONG_ENROL_CODE)
    secret = base64.b32encode(device.bin_key).decode("ascii")
    context = {
        "form": form,
        "next": next_url,
        "qr_code": _qr_data_uri(device.config_url),
        "secret": _grouped(secret),
        "required": role_requires_two_factor(user),
    }
    return _private(
        render(request, "registration/two_factor_enrol.html", context, status=400 if form.is_bound else 200)
    )


def _recovery_codes_page(request, codes: list[str], next_url: str):
    response = render(
        request, "registration/two_factor_recovery_codes.html", {"codes": codes, "next": next_url}
    )
    return _private(response)


@never_cache
@login_required
@require_http_methods(["GET"])
def status(request):
    """Whether two-factor authentication is on for this account, and how to set it up."""
    user = request.user
    context = {
        "enrolled": is_enrolled(user),
        "required": role_requires_two_factor(user),
        "codes_left": recovery_codes_left(user),
    }
    return _private(render(request, "registration/two_factor.html", context))


@never_cache
@login_required
@require_POST
def renew_recovery_codes(request):
    """New recovery codes (the old ones stop working), for a user verified this session."""
    if not (is_enrolled(request.user) and request.user.is_verified()):
        return redirect("two_factor")
    return _recovery_codes_page(request, new_recovery_codes(request.user), reverse("two_factor"))
