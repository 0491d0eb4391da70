"""Every reader URL × every role × every kind of report, allowed or refused as the rules say.

Rules (reports/access.py): public reports to anyone; panel-only and OFFICIAL-SENSITIVE
reports and every version history (superseded versions) only to signed-in users with
reports.read_restricted; drafts never; withdrawn versions show their notice but only staff
get the content. Refused: the sign-in page when anonymous, a 404 when signed in (the same
answer as for a report that does not exist).
"""

import pytest
from django.utils import timezone

from portal import roles
from reports.models import Report
from tests.reports.factories import (
    make_live_publication,
    make_publication,
    make_report,
    previous_year_snapshot,
    reference_snapshot,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "nobody", "panel_member", "editor", "reviewer", "superuser"]
STATES = ["public", "panel", "sensitive", "draft", "queued", "withdrawn", "superseded", "missing"]
PAGES = ["latest", "version"]
CONTENT = ["pdf", "csv", "json", "chart"]
URLS = PAGES + CONTENT + ["feedback", "changes", "period_changes"]
STAFF = {"editor", "reviewer", "superuser"}
MEMBERS = {"panel_member", "editor", "reviewer", "superuser"}  # have reports.read_restricted
MAY_COMMENT = {"panel_member", "superuser"}  # have reports.add_feedback
WITHDRAWN_REASON = "Figures for 101 calls were wrong."


def _snapshot(*, audience="public", marking="NOT PROTECTIVELY MARKED", version=1):
    snap = reference_snapshot(version=version, marking=marking)
    snap["report"]["audience"] = audience
    return snap


def _setup(state: str) -> tuple[str, int]:
    """Create a report in `state`; return its slug and the version the URLs address."""
    slug = f"report-{state}"
    # Last year's report, public, so "against the previous period" has something to show.
    earlier = previous_year_snapshot()
    make_live_publication(report=make_report(snapshot=earlier, slug=f"earlier-{state}"), snapshot=earlier)
    if state == "missing":
        return slug, 1
    if state in ("draft", "queued"):
        report = make_report(snapshot=_snapshot(), slug=slug, status=Report.Status.DRAFT)
        if state == "queued":  # approved, never rendered: not on the reader site
            make_publication(report=report, snapshot=_snapshot())
        return slug, 1
    audience = "panel" if state == "panel" else "public"
    marking = "OFFICIAL-SENSITIVE" if state == "sensitive" else "NOT PROTECTIVELY MARKED"
    snap = _snapshot(audience=audience, marking=marking)
    report = make_report(snapshot=snap, slug=slug, audience=audience, marking=marking)
    make_live_publication(report=report, snapshot=snap)
    if state == "withdrawn":
        report.publications.update(withdrawn_at=timezone.now(), withdrawn_reason=WITHDRAWN_REASON)
    if state == "superseded":
        make_live_publication(report=report, snapshot=snap, version=2)
    return slug, 1


def _url(name: str, slug: str, version: int) -> str:
    base = f"/reports/{slug}/"
    return {
        "latest": base,
        "version": f"{base}v{version}/",
        "pdf": f"{base}v{version}/report.pdf",
        "csv": f"{base}v{version}/data.csv",
        "json": f"{base}v{version}/data.json",
        "chart": f"{base}v{version}/charts/1.1.json",
        "feedback": f"{base}v{version}/feedback/",
        "changes": f"{base}v{version + 1}/changes/",  # what changed from this version to the next
        "period_changes": f"{base}v{version}/changes/previous-period/",
    }[name]


def expected(state: str, role: str, url: str) -> int:
    """The status the rules give; 302 is always the sign-in page."""
    refused = 302 if role == "anonymous" else 404
    if state in ("draft", "queued", "missing"):
        return refused
    if state in ("panel", "sensitive") and role not in MEMBERS:
        return refused
    if state == "superseded" and url != "latest" and role not in MEMBERS:
        return refused  # an older version is version history
    if url == "changes":  # version history: members only, and only where a next version exists
        return 200 if state == "superseded" and role in MEMBERS else refused
    if url == "period_changes":  # history too: members only; withdrawn content for staff only
        if role not in MEMBERS:
            return refused
        return 404 if state == "withdrawn" and role not in STAFF else 200
    if url == "feedback":
        if role == "anonymous":
            return 302
        return 200 if role in MAY_COMMENT and state != "withdrawn" else 403
    if state == "withdrawn" and url in CONTENT and role not in STAFF:
        return 404
    return 200


@pytest.fixture
def as_role(client, make_user, request):
    def sign_in(role: str):
        if role == "anonymous":
            return client
        if role == "nobody":
            user = make_user("nora")
        elif role == "superuser":
            user = request.getfixturevalue("superuser")
        else:
            user = request.getfixturevalue(role)
        client.force_login(user)
        return client

    return sign_in


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_reader_urls_answer_as_the_rules_say(as_role, state, role):
    slug, version = _setup(state)
    client = as_role(role)
    got = {}
    for name in URLS:
        url = _url(name, slug, version)
        response = client.get(url)
        got[name] = response.status_code
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/?next="), url
    assert got == {name: expected(state, role, name) for name in URLS}


def test_signed_in_refusal_looks_the_same_as_a_missing_report(client, make_user):
    _setup("panel")
    client.force_login(make_user("nora"))
    restricted = client.get("/reports/report-panel/")
    missing = client.get("/reports/no-such-report/")
    assert restricted.status_code == missing.status_code == 404
    assert restricted.content == missing.content


@pytest.mark.parametrize("role", ["anonymous", "nobody", "panel_member"])
def test_withdrawn_version_shows_the_reason_but_not_the_content_to_non_staff(as_role, role):
    slug, _ = _setup("withdrawn")
    page = as_role(role).get(f"/reports/{slug}/").content.decode()
    assert "withdrawn" in page
    assert WITHDRAWN_REASON in page
    assert "Contact Management Department" not in page
    assert "data-chart-url" not in page


@pytest.mark.parametrize("role", ["editor", "reviewer", "superuser"])
def test_staff_still_read_withdrawn_content(as_role, role):
    slug, _ = _setup("withdrawn")
    page = as_role(role).get(f"/reports/{slug}/").content.decode()
    assert WITHDRAWN_REASON in page
    assert "Contact Management Department" in page


def test_loosening_the_audience_of_a_draft_revision_does_not_open_the_published_version(client):
    """v1 was frozen panel-only; the working copy now says public but is not approved."""
    snap = _snapshot(audience="panel")
    report = make_report(snapshot=snap, slug="loosened", audience="panel")
    make_live_publication(report=report, snapshot=snap)
    Report.objects.filter(pk=report.pk).update(audience="public", status=Report.Status.DRAFT)
    assert client.get("/reports/loosened/").status_code == 302
    assert client.get("/").content.decode().count("loosened") == 0


def test_tightening_the_audience_closes_published_versions(client, monkeypatch):
    """At once for signed-in readers; for anonymous ones once the remembered state expires."""
    import time

    from reports import reader_cache

    monkeypatch.setattr(reader_cache, "STATE_TTL", 0.2)
    report = make_report(snapshot=_snapshot(), slug="tightened")
    make_live_publication(report=report)
    assert client.get("/reports/tightened/").status_code == 200
    Report.objects.filter(pk=report.pk).update(marking=Report.Marking.OFFICIAL_SENSITIVE)
    time.sleep(0.25)
    assert client.get("/reports/tightened/").status_code == 302
    assert client.get("/reports/tightened/v1/data.csv").status_code == 302


def test_future_publication_time_is_not_yet_readable(client, panel_member):
    report = make_report(snapshot=_snapshot(), slug="embargoed")
    make_live_publication(report=report, published_at=timezone.now() + timezone.timedelta(hours=1))
    client.force_login(panel_member)
    assert client.get("/reports/embargoed/").status_code == 404


def test_home_lists_only_what_the_visitor_may_read(client, panel_member, make_user):
    for state in ("public", "panel", "sensitive", "draft", "queued", "withdrawn"):
        _setup(state)
    anonymous = client.get("/").content.decode()
    assert "/reports/report-public/" in anonymous
    assert "/reports/report-withdrawn/" in anonymous
    for hidden in ("panel", "sensitive", "draft", "queued"):
        assert f"/reports/report-{hidden}/" not in anonymous
    client.force_login(make_user("nora"))
    assert "/reports/report-panel/" not in client.get("/").content.decode()
    client.force_login(panel_member)
    member = client.get("/").content.decode()
    for shown in ("public", "panel", "sensitive", "withdrawn"):
        assert f"/reports/report-{shown}/" in member
    for hidden in ("draft", "queued"):
        assert f"/reports/report-{hidden}/" not in member


def test_roles_used_here_have_the_rights_the_matrix_assumes(panel_member, editor, reviewer, make_user):
    nobody = make_user("nora")
    assert panel_member.groups.filter(name=roles.PANEL_MEMBERS).exists()
    for user in (panel_member, editor, reviewer):
        assert user.has_perm("reports.read_restricted")
    assert panel_member.has_perm("reports.add_feedback")
    assert not editor.has_perm("reports.add_feedback")
    assert not nobody.has_perm("reports.read_restricted")
