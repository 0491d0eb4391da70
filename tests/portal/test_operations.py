"""The operator's commands (release, add_user, verify_publications), the request log, and the
README's configuration table against the variables the settings read."""

import io
import logging
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError

from portal import roles
from portal.models import User
from tests.conftest import ROOT

STRONG = "a-long-operator-password-4821"


# --------------------------------------------------------------------------- release
def test_release_stops_at_a_failing_deploy_check_before_touching_anything(db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    out = io.StringIO()
    with pytest.raises(SystemCheckError, match="security.W009"):  # the tests use the development key
        call_command("release", stdout=out)
    assert "1/3 Checking the deployment settings" in out.getvalue()
    assert "2/3" not in out.getvalue()
    assert not settings.STATIC_ROOT.exists()


def test_release_checks_migrates_and_collects_static_files(tmp_path):
    from tests.portal.test_settings import PRODUCTION, _manage

    env = {**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "STATIC_ROOT": str(tmp_path)}
    result = _manage("release", env_extra=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.findall(r"^(\d)/3 ", result.stdout, re.M) == ["1", "2", "3"]
    assert "Release step done" in result.stdout
    manifest = tmp_path / "staticfiles.json"
    assert manifest.exists(), "collectstatic did not write the manifest the production pages need"
    assert "vendor/chartjs/chart.umd.js" in manifest.read_text()
    assert (tmp_path / "db.sqlite3").stat().st_size > 100_000, "migrations were not applied"


# --------------------------------------------------------------------------- add_user
def test_add_user_creates_a_staff_member_with_the_role(db, monkeypatch):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", STRONG)
    out = io.StringIO()
    call_command(
        "add_user", "alice", role=roles.EDITORS, email="alice@example.org", interactive=False, stdout=out
    )
    alice = User.objects.get(username="alice")
    assert alice.is_staff and not alice.is_superuser
    assert alice.check_password(STRONG) and alice.email == "alice@example.org"
    assert list(alice.groups.values_list("name", flat=True)) == [roles.EDITORS]
    assert "Created 'alice' with the role Editors." in out.getvalue()


def test_add_user_changes_an_existing_users_role_and_keeps_their_password(db, monkeypatch):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", STRONG)
    call_command("add_user", "bob", role=roles.REVIEWERS, interactive=False, stdout=io.StringIO())
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "something-else-entirely-77")
    call_command("add_user", "bob", role=roles.PANEL_MEMBERS, interactive=False, stdout=io.StringIO())
    bob = User.objects.get(username="bob")
    assert not bob.is_staff and bob.check_password(STRONG)
    assert list(bob.groups.values_list("name", flat=True)) == [roles.PANEL_MEMBERS]


def test_add_user_without_a_password_refuses_and_creates_nobody(db, monkeypatch):
    monkeypatch.delenv("PORTAL_USER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="PORTAL_USER_PASSWORD"):
        call_command("add_user", "carol", role=roles.PANEL_MEMBERS, interactive=False)
    assert not User.objects.filter(username="carol").exists()


def test_add_user_without_a_terminal_says_how_to_give_the_password(db, monkeypatch):
    # A deployment script, cron job or container runs it with no terminal to ask on.
    monkeypatch.delenv("PORTAL_USER_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="No terminal to ask for frank's password: run it with --noinput"):
        call_command("add_user", "frank", role=roles.EDITORS)
    assert not User.objects.filter(username="frank").exists()


def test_add_user_refuses_a_weak_password_with_the_validators_reasons(db, monkeypatch):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "password")
    with pytest.raises(CommandError, match="The password was refused: .*too common"):
        call_command("add_user", "dave", role=roles.EDITORS, interactive=False)
    assert not User.objects.filter(username="dave").exists()


def test_add_user_refuses_an_unknown_role(db):
    with pytest.raises(CommandError, match="invalid choice: 'Admins'"):
        call_command("add_user", "erin", "--role", "Admins", "--noinput")


# --------------------------------------------------------------------------- verify_publications
def test_verify_publications_with_nothing_rendered_does_not_claim_all_match(db):
    out = io.StringIO()
    call_command("verify_publications", stdout=out)
    assert "No rendered versions to check" in out.getvalue()
    assert "All 0" not in out.getvalue()


def test_verify_publications_passes_matching_files_and_names_an_altered_one(db):
    from tests.reports.factories import make_live_publication

    publication = make_live_publication()
    out = io.StringIO()
    call_command("verify_publications", stdout=out)
    assert f"ok   {publication.report.slug} v1 (published)" in out.getvalue()
    assert "All 1 rendered versions match their checksums." in out.getvalue()

    default_storage.delete(publication.html_file)
    default_storage.save(publication.html_file, ContentFile(b"<p>tampered</p>"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 rendered versions have missing or altered files"):
        call_command("verify_publications", stdout=out)
    assert f"FAIL {publication.report.slug} v1 (published): page: {publication.html_file} differs" in (
        out.getvalue()
    )


# --------------------------------------------------------------------------- logs
def test_each_request_is_logged_once_with_its_user_and_without_the_query(client, editor, caplog):
    client.force_login(editor)
    with caplog.at_level(logging.INFO, logger="portal.requests"):
        client.get("/?q=secret-search")
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.requests"]
    assert len(lines) == 1
    assert re.fullmatch(r"GET / 200 \d+ms user=edith", lines[0]), lines
    assert "secret-search" not in lines[0]


def test_a_server_error_is_logged_as_an_error(client, db, caplog, monkeypatch):
    import portal.views

    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(portal.views, "run_checks", broken)
    client.raise_request_exception = False
    with caplog.at_level(logging.INFO, logger="portal.requests"):
        assert client.get("/healthz").status_code == 500
    record = next(r for r in caplog.records if r.name == "portal.requests")
    assert record.levelno == logging.ERROR and "GET /healthz 500" in record.getMessage()


def test_a_failed_render_is_logged_with_its_report_version_approver_and_reason(db, caplog, monkeypatch):
    from reports import publishing, rendering, tasks
    from tests.reports.factories import make_publication

    publication = make_publication()
    monkeypatch.setattr(rendering, "html_to_pdf", lambda *a, **k: (_ for _ in ()).throw(MemoryError()))
    with caplog.at_level(logging.INFO, logger="reports.tasks"), pytest.raises(MemoryError):
        tasks.publication_render.apply(args=(publication.pk,))
    lines = [r.getMessage() for r in caplog.records if r.name == "reports.tasks"]
    where = f"report {publication.report.slug} v1 approved by"
    assert any(line.startswith(f"Render of {where}") and "started (attempt 1)" in line for line in lines)
    failed = next(r for r in caplog.records if r.name == "reports.tasks" and "failed" in r.getMessage())
    assert failed.levelno == logging.ERROR
    assert where in failed.getMessage()
    assert failed.getMessage().endswith(publishing.RENDER_MEMORY)


# --------------------------------------------------------------------------- README
def test_every_variable_the_settings_read_is_in_the_readme_configuration_table():
    settings_source = (ROOT / "portal" / "settings.py").read_text()
    read = set(re.findall(r'(?:environ\.get|env_bool|env_list)\(\s*"([A-Z_]+)"', settings_source))
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Running in production")]
    documented = set(re.findall(r"`([A-Z_]+)`", table))
    assert read, "no variables found: the pattern no longer matches settings.py"
    assert read - documented == set()
