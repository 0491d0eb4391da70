"""Two-factor authentication: required for staff with the setting on, codes computed here
from the device's key (django_otp.oath.totp), recovery codes that work once."""

import base64
import os
import re
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.two_factor import new_recovery_codes
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
ENROL = "/accounts/two-factor/enrol/"
VERIFY = "/accounts/two-factor/verify/"


@pytest.fixture
def required(settings):
    settings.REQUIRE_STAFF_2FA = True


def _password_sign_in(username, path="/accounts/login/") -> Client:
    client = Client()
    response = client.post(path, {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def _enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def _code(device: TOTPDevice, step: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits, drift=step):06d}"


@pytest.mark.parametrize("who", ["editor", "reviewer", "superuser"])
def test_staff_signed_in_with_a_password_are_sent_to_enrol_not_the_admin(request, required, who):
    user = request.getfixturevalue(who)
    client = _password_sign_in(user.username)
    for path in ("/admin/", "/admin/reports/report/", "/", "/accounts/password_change/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{ENROL}?next={quote(path, safe='')}"
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("login_path", ["/accounts/login/", "/admin/login/"])
def test_enrolled_staff_are_sent_to_verify_from_either_sign_in(editor, required, login_path):
    _enrolled(editor)
    client = _password_sign_in("edith", login_path)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert client.get(VERIFY + "?next=/admin/").status_code == 200


def test_enrolling_with_a_real_code_opens_the_admin_and_shows_recovery_codes_once(editor, required):
    client = _password_sign_in("edith")
    page = client.get(ENROL + "?next=/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html  # the key, as text
    qr = re.search(r'<img class="qr-code" src="data:image/svg\+xml;base64,([^"]+)" alt="QR code', html)
    assert qr and base64.b64decode(qr.group(1)).lstrip().startswith(b"<svg")
    assert "no-store" in page["Cache-Control"]

    wrong_code = "000000" if _code(device) != "000000" else "111111"
    wrong = client.post(ENROL, {"code": wrong_code, "next": "/admin/"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302

    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong try above would make the next wait a second
    device.save()
    done = client.post(ENROL, {"code": _code(device), "next": "/admin/"})
    assert done.status_code == 200
    shown = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(shown) == 10
    stored = StaticToken.objects.filter(device__user=editor).values_list("token", flat=True)
    assert sorted(shown) == sorted(stored)
    assert "no-store" in done["Cache-Control"]
    assert TOTPDevice.objects.get(user=editor).confirmed
    assert client.get("/admin/").status_code == 200
    # Shown once: the enrol page does not show them (or a new key) again.
    assert client.get(ENROL).status_code == 302
    status = client.get("/accounts/two-factor/").content.decode()
    assert "10 unused recovery codes" in status and shown[0] not in status


def test_a_new_sign_in_needs_a_fresh_code_from_the_app(editor, required):
    device = _enrolled(editor)
    client = _password_sign_in("edith")
    assert client.get("/admin/").status_code == 302
    wrong = client.post(VERIFY, {"code": "12345", "next": "/admin/"})  # not 6 digits: a recovery code
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    code = _code(device)
    response = client.post(VERIFY, {"code": code, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/").status_code == 200

    # The same code cannot be used again, even in a new session.
    again = _password_sign_in("edith")
    assert again.post(VERIFY, {"code": code, "next": "/admin/"}).status_code == 400
    assert again.get("/admin/").status_code == 302


def test_repeated_wrong_codes_are_slowed_down(editor, required):
    device = _enrolled(editor)
    client = _password_sign_in("edith")
    wrong = "000000" if _code(device) != "000000" else "111111"
    client.post(VERIFY, {"code": wrong})
    refused = client.post(VERIFY, {"code": _code(device)})  # right, but too soon after a wrong one
    assert refused.status_code == 400
    assert "Too many wrong codes: wait until" in refused.content.decode()


def test_a_recovery_code_works_once_and_only_once(editor, required, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # no wait between the tries below
    _enrolled(editor)
    first, second, *_ = new_recovery_codes(editor)
    client = _password_sign_in("edith")
    response = client.post(VERIFY, {"code": first.upper(), "next": "/admin/"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200

    later = _password_sign_in("edith")
    used = later.post(VERIFY, {"code": first, "next": "/admin/"})
    assert used.status_code == 400 and "That code is not right" in used.content.decode()
    assert later.get("/admin/").status_code == 302
    assert later.post(VERIFY, {"code": second, "next": "/admin/"}).status_code == 302
    assert later.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=editor).count() == 8


def test_new_recovery_codes_replace_the_old_ones(editor, required):
    device = _enrolled(editor)
    old = new_recovery_codes(editor)
    client = _password_sign_in("edith")
    client.post(VERIFY, {"code": _code(device)})
    page = client.post("/accounts/two-factor/recovery-codes/")
    shown = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.content.decode())
    assert len(shown) == 10 and not set(shown) & set(old)
    assert set(StaticToken.objects.filter(device__user=editor).values_list("token", flat=True)) == set(shown)


def test_panel_members_are_not_forced_but_may_enrol(panel_member, required):
    client = _password_sign_in("pam")
    assert client.get("/").status_code == 200
    assert client.get("/accounts/two-factor/").status_code == 200
    page = client.get(ENROL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=panel_member)
    assert client.post(ENROL, {"code": _code(device)}).status_code == 200
    # Once enrolled, their next sign-in asks for a code too.
    later = _password_sign_in("pam")
    response = later.get("/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert later.post(VERIFY, {"code": _code(device, step=1), "next": "/"}).status_code == 302
    assert later.get("/").status_code == 200


def test_with_the_setting_off_staff_sign_in_with_a_password_alone(editor, settings):
    settings.REQUIRE_STAFF_2FA = False
    client = _password_sign_in("edith")
    assert client.get("/admin/").status_code == 200


def test_the_setting_follows_debug_by_default():
    from tests.portal.test_settings import PRODUCTION, ROOT

    code = "from django.conf import settings; print(settings.REQUIRE_STAFF_2FA)"
    for env, expected in ((PRODUCTION, "True"), ({"DEBUG": "1"}, "False")):
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env={**{k: v for k, v in os.environ.items() if k != "REQUIRE_STAFF_2FA"}, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.stdout.strip().splitlines()[-1] == expected, result.stderr


def test_next_must_stay_on_this_site(editor, required):
    device = _enrolled(editor)
    client = _password_sign_in("edith")
    response = client.post(VERIFY, {"code": _code(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_enrolling_closes_sessions_opened_with_the_password_alone(panel_member, required):
    """Someone who learnt a member's password and signed in keeps no access once the member
    sets up an authenticator app: that session is asked for a code too."""
    other = _password_sign_in("pam")
    assert other.get("/").status_code == 200
    member = _password_sign_in("pam")
    member.get(ENROL)
    device = TOTPDevice.objects.get(user=panel_member)
    assert member.post(ENROL, {"code": _code(device)}).status_code == 200
    assert member.get("/").status_code == 200
    response = other.get("/")
    assert response.status_code == 302 and response["Location"] == f"{VERIFY}?next=%2F"
