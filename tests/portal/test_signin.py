"""Signing in: lockout after repeated failures (both sign-in forms), unlock by a superuser,
and a throttled password reset."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from portal.signin import client_ip
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
READER_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
RESET = "/accounts/password_reset/"


def _sign_in(client, path, username, password, address="192.0.2.10"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client, path, username, times, address="192.0.2.10"):
    for _ in range(times):
        response = _sign_in(client, path, username, "not-the-password", address)
        assert response.status_code == 200  # the form again, with its error
        assert not _signed_in(client)


@pytest.mark.parametrize("path", [READER_LOGIN, ADMIN_LOGIN])
def test_repeated_failures_lock_the_account_even_against_the_right_password(client, editor, settings, path):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    _fail(client, path, "edith", limit - 1)
    locked = _sign_in(client, path, "edith", "not-the-password")
    assert locked.status_code == 429
    refused = _sign_in(client, path, "edith", PASSWORD)
    assert refused.status_code == 429
    assert not _signed_in(client)
    page = refused.content.decode()
    assert "<h1>Sign-in paused</h1>" in page
    assert "There have been 5 failed attempts to sign in" in page
    assert "paused for 30 minutes after the last failed attempt, even with the right password" in page
    assert 'role="alert"' in page and 'href="/accounts/password_reset/"' in page
    assert refused["Retry-After"] == "1800"
    assert "no-store" in refused["Cache-Control"]


def test_the_username_rule_holds_from_any_address(client, editor, editor2):
    for n in range(5):
        _sign_in(client, READER_LOGIN, "edith", "wrong", address=f"198.51.100.{n}")
    assert _sign_in(client, READER_LOGIN, "edith", PASSWORD, address="203.0.113.50").status_code == 429
    # Another account from those same addresses is not affected.
    assert _sign_in(client, READER_LOGIN, "eric", PASSWORD, address="198.51.100.1").status_code == 302
    assert _signed_in(client)


def test_the_address_rule_holds_whatever_the_usernames(editor):
    guesser = Client()
    for name in ("admin", "root", "editor", "alice", "bob"):
        _sign_in(guesser, ADMIN_LOGIN, name, "wrong", address="203.0.113.7")
    same_address = Client()
    assert _sign_in(same_address, READER_LOGIN, "edith", PASSWORD, address="203.0.113.7").status_code == 429
    elsewhere = Client()
    assert _sign_in(elsewhere, READER_LOGIN, "edith", PASSWORD, address="203.0.113.8").status_code == 302
    assert _signed_in(elsewhere)


def test_a_superuser_unlocks_from_the_admin_and_the_user_gets_in(client, editor, superuser):
    _fail(client, READER_LOGIN, "edith", 4)
    assert _sign_in(client, READER_LOGIN, "edith", "wrong").status_code == 429
    assert _sign_in(client, READER_LOGIN, "edith", PASSWORD).status_code == 429

    staff = Client()
    staff.force_login(editor)  # an editor cannot see or clear lockouts
    assert staff.get("/admin/axes/accessattempt/").status_code == 403

    admin = Client()
    admin.force_login(superuser)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "edith" in listing.content.decode()
    assert "Unlock: clear these failed sign-ins" in listing.content.decode()
    ids = list(AccessAttempt.objects.filter(username="edith").values_list("pk", flat=True))
    done = admin.post(
        "/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": ids}, follow=True
    )
    assert "Unlocked:" in done.content.decode()
    assert not AccessAttempt.objects.filter(username="edith").exists()

    response = _sign_in(client, READER_LOGIN, "edith", PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)


def test_the_address_behind_a_proxy_is_the_one_the_proxy_saw(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    settings.PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"  # no proxy trusted: the header is ignored
    settings.PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # not the spoofable left-most entry
    settings.PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"  # fewer entries than proxies: not trusted


# --------------------------------------------------------------------------- password reset
def test_password_reset_is_throttled_per_email_address(client, editor, mailoutbox, settings):
    assert settings.PASSWORD_RESET_LIMIT_PER_EMAIL == 3
    for n in range(3):
        response = client.post(RESET, {"email": "edith@example.org"}, REMOTE_ADDR=f"192.0.2.{n}")
        assert response.status_code == 302
    assert len(mailoutbox) == 3
    refused = client.post(RESET, {"email": " EDITH@example.org"}, REMOTE_ADDR="192.0.2.99")
    assert refused.status_code == 429
    assert len(mailoutbox) == 3
    page = refused.content.decode()
    assert "too many password reset requests for this email address in the last 60 minutes" in page
    assert refused["Retry-After"] == "3600"
    # An address with no account is counted the same way, so the answer reveals nothing.
    for _ in range(3):
        assert client.post(RESET, {"email": "nobody@example.org"}).status_code == 302
    assert client.post(RESET, {"email": "nobody@example.org"}).status_code == 429


def test_password_reset_is_throttled_per_network_address(client, editor, mailoutbox, settings):
    assert settings.PASSWORD_RESET_LIMIT_PER_ADDRESS == 10
    for n in range(10):
        response = client.post(RESET, {"email": f"someone{n}@example.org"}, REMOTE_ADDR="198.51.100.20")
        assert response.status_code == 302
    refused = client.post(RESET, {"email": "edith@example.org"}, REMOTE_ADDR="198.51.100.20")
    assert refused.status_code == 429
    assert "from your network address" in refused.content.decode()
    assert len(mailoutbox) == 0
    assert client.post(RESET, {"email": "edith@example.org"}, REMOTE_ADDR="198.51.100.21").status_code == 302
    assert len(mailoutbox) == 1


def test_a_bad_email_still_gets_the_form_with_its_error(client):
    response = client.post(RESET, {"email": "not an email"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
