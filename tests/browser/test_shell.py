"""The site shell in a real browser: home and login pages, signing in, axe-core clean."""

import pytest

from tests.conftest import run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_and_login_pages_are_accessible_and_login_works(page, live_server, panel_member):
    page.goto(live_server.url + "/")
    assert page.title().startswith("Published reports")
    assert page.get_by_role("heading", name="No reports have been published yet").is_visible()
    assert run_axe(page) == []
    screenshot(page, "shell-home")

    page.get_by_role("link", name="Sign in", exact=True).click()
    page.wait_for_url("**/accounts/login/**")
    assert run_axe(page) == []
    screenshot(page, "shell-login")

    page.get_by_label("Username").fill("pam")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    assert run_axe(page) == []

    from tests.conftest import PASSWORD

    page.get_by_label("Username").fill("pam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_text("Signed in as pam").is_visible()
    assert run_axe(page) == []
    assert page.csp_errors == []


def test_skip_link_and_narrow_screen(page, live_server):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Nothing scrolls sideways at 320px (WCAG 1.4.10 reflow).
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, "shell-home-320")
