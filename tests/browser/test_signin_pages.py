"""The sign-in safety pages in a real browser: two-factor enrolment and verification, the
recovery codes and the lockout page, all axe-core clean and within the CSP."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import PASSWORD, login, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_enrols_in_the_browser_then_reaches_the_admin(page, live_server, editor, settings):
    settings.REQUIRE_STAFF_2FA = True
    login(page, live_server, "edith", next_url="/admin/")
    page.wait_for_url("**/accounts/two-factor/enrol/**")
    assert page.get_by_role("heading", name="Set up two-factor authentication").is_visible()
    assert page.get_by_role("img", name="QR code that adds this account").is_visible()
    assert run_axe(page) == []
    screenshot(page, "two-factor-enrol")

    page.get_by_label("Code from your authenticator app").fill("12")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    assert run_axe(page) == []

    device = TOTPDevice.objects.get(user=editor)
    device.throttling_failure_count = 0
    device.save()
    page.get_by_label("Code from your authenticator app").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert page.locator(".recovery-codes li").count() == 10
    assert run_axe(page) == []
    screenshot(page, "two-factor-recovery-codes")
    page.get_by_role("link", name="I have saved my codes").click()
    page.wait_for_url(live_server.url + "/admin/")
    assert page.csp_errors == []


def test_the_verify_page_is_accessible(page, live_server, editor, settings):
    settings.REQUIRE_STAFF_2FA = True
    TOTPDevice.objects.create(user=editor, name="Authenticator app", confirmed=True)
    login(page, live_server, "edith", next_url="/admin/")
    page.wait_for_url("**/accounts/two-factor/verify/**")
    assert page.get_by_role("heading", name="Enter your code").is_visible()
    assert run_axe(page) == []
    screenshot(page, "two-factor-verify")


def test_the_lockout_page_is_accessible(page, live_server, editor):
    for _ in range(5):
        login(page, live_server, "edith", password="wrong password")
    login(page, live_server, "edith", password=PASSWORD)
    expect(page.get_by_role("heading", name="Sign-in paused")).to_be_visible()
    assert page.get_by_role("alert").is_visible()
    assert run_axe(page) == []
    screenshot(page, "sign-in-paused")
    assert page.csp_errors == []
