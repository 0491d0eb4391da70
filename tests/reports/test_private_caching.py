"""Private means private: what only a signed-in reader may see is never kept by a browser
or a proxy (`private, no-store`), and never enters the anonymous page cache. Public
versions keep their public caching."""

import pytest

from reports import reader_access, reader_cache
from tests.reports.factories import make_live_publication, make_report, reference_snapshot

pytestmark = pytest.mark.django_db
SLUG = "force-performance-2018-19"
BASE = f"/reports/{SLUG}/v1/"
DOWNLOADS = ("report.pdf", "data.csv", "data.json", "charts/1.1.json")


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def _not_stored(response) -> bool:
    directives = _directives(response)
    return {"private", "no-store"} <= directives and not any(
        d == "public" or d.startswith("max-age=") and d != "max-age=0" for d in directives
    )


def _panel_only():
    snap = reference_snapshot()
    snap["report"]["audience"] = "panel"
    return make_live_publication(report=make_report(snapshot=snap, audience="panel"), snapshot=snap)


@pytest.mark.parametrize("name", ["", *DOWNLOADS])
def test_a_panel_only_version_is_never_stored(client, panel_member, name):
    _panel_only()
    client.force_login(panel_member)
    response = client.get(BASE + name)
    assert response.status_code == 200, name
    assert _not_stored(response), response["Cache-Control"]


@pytest.mark.parametrize("name", DOWNLOADS[:3])
def test_a_304_for_a_restricted_download_is_not_stored_either(client, panel_member, name):
    _panel_only()
    client.force_login(panel_member)
    etag = client.get(BASE + name)["ETag"]
    again = client.get(BASE + name, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and _not_stored(again)


@pytest.mark.parametrize("name", ["", *DOWNLOADS])
def test_a_superseded_version_is_for_members_so_is_not_stored(client, panel_member, name):
    v1 = make_live_publication()
    make_live_publication(report=v1.report, version=2)
    client.force_login(panel_member)
    response = client.get(BASE + name)
    assert response.status_code == 200
    assert _not_stored(response), (name, response["Cache-Control"])


def test_the_members_changes_pages_are_not_stored(client, panel_member):
    v1 = make_live_publication()
    make_live_publication(report=v1.report, version=2, change_note="Corrected.")
    client.force_login(panel_member)
    response = client.get(f"/reports/{SLUG}/v2/changes/")
    assert response.status_code == 200 and _not_stored(response)


def test_the_signed_in_home_page_is_not_stored_the_anonymous_one_unchanged(client, panel_member):
    _panel_only()
    anonymous = client.get("/")
    assert "no-store" not in anonymous.get("Cache-Control", "")
    client.force_login(panel_member)
    home = client.get("/")
    assert SLUG in home.content.decode()  # the panel-only title is listed
    assert _not_stored(home)


def test_a_members_view_of_a_public_page_is_not_stored(client, panel_member):
    make_live_publication()
    client.force_login(panel_member)
    response = client.get(f"/reports/{SLUG}/")
    assert response.status_code == 200 and _not_stored(response)


def test_account_pages_are_not_stored(client, panel_member):
    client.force_login(panel_member)
    for path in ("/accounts/password_change/", "/accounts/two-factor/", "/accessibility/"):
        response = client.get(path)
        assert response.status_code == 200 and _not_stored(response), path


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("name", DOWNLOADS)
def test_public_downloads_of_a_public_version_keep_their_caching(client, panel_member, signed_in, name):
    make_live_publication()
    if signed_in:
        client.force_login(panel_member)
    response = client.get(BASE + name)
    assert response.status_code == 200
    assert {"public", f"max-age={reader_access.PUBLIC_MAX_AGE}"} <= _directives(response)
    assert "no-store" not in _directives(response)


def test_anonymous_public_pages_keep_their_caching(client):
    make_live_publication()
    response = client.get(f"/reports/{SLUG}/")
    assert _directives(response) == {"private"}
    assert "Cookie" in response["Vary"]


def test_nothing_restricted_enters_the_anonymous_page_cache(client, panel_member, monkeypatch):
    kept = []
    monkeypatch.setattr(reader_cache, "remember_page", lambda key, content: kept.append(content))
    _panel_only()
    assert client.get(f"/reports/{SLUG}/").status_code == 302  # anonymous: sign in first
    client.force_login(panel_member)
    assert client.get(f"/reports/{SLUG}/").status_code == 200
    assert client.get(BASE).status_code == 200
    assert not kept
    client.logout()
    assert client.get(f"/reports/{SLUG}/").status_code == 302
