"""The backup and restore drill of the README: two published versions and an import, the
README's backup and restore commands run as written (pg_dump and tar; pg_restore into a
fresh, empty database, tar into a storage folder that is not there yet, release,
verify_publications), then every published version's page and PDF served from the restored
copy with its checksum verified, and the import history and reviews intact."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pytest
from django.conf import settings
from django.db import connection

from kpis.imports import spreadsheet_import
from kpis.models import ImportBatch, ObservationChange
from reports import workflow
from reports.models import Paragraph, Publication, Review
from tests.conftest import ROOT
from tests.kpis.files import csv_bytes
from tests.portal.production import ScratchDatabase, readme_blocks
from tests.portal.test_settings import PRODUCTION
from tests.reports.builders import make_report

pytestmark = pytest.mark.services

# Run inside the restored portal: fetch every published version's page and PDF through the
# views, as a signed-in panel member would (replaced versions are for members), and report
# what the database says about them.
SERVE_EVERY_VERSION = """
import hashlib, json
from django.test import Client
from kpis.models import ImportBatch, ObservationChange
from portal.models import User
from reports.models import Publication, Review
client, served = Client(HTTP_HOST="localhost"), []
client.force_login(User.objects.get(username="pam"))
for pub in Publication.objects.filter(render_status="published").select_related("report"):
    base = f"/reports/{pub.report.slug}/v{pub.version}/"
    page, pdf = client.get(base), client.get(base + "report.pdf")
    served.append({
        "version": pub.version, "page": page.status_code, "pdf": pdf.status_code,
        "pdf_sha256": hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest(),
        "stored_pdf_sha256": pub.pdf_sha256, "text": page.content.decode(),
    })
print(json.dumps({
    "served": served, "reviews": Review.objects.count(), "imports": ImportBatch.objects.count(),
    "changes": ObservationChange.objects.count(),
}))
"""


def _manage(*args, env, input_text=None):
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=input_text,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done


def run_readme_block(commands: list[str], cwd, env: dict) -> None:
    """Run a README block's commands in order with bash, in `cwd`, with the project's own
    Python for `.venv/bin/python manage.py`, and the dated file names of today."""
    today = date.today().isoformat()
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "REQUIRE_"))}
    env = {**inherited, **env}
    for command in commands:
        command = command.replace(".venv/bin/python manage.py", f"{sys.executable} {ROOT / 'manage.py'}")
        command = command.replace("2026-01-31", today)
        done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{command}\n{done.stdout}{done.stderr}"


def _publish_two_versions(editor, reviewer, importer):
    report = make_report(by=editor)
    workflow.report_submit(report=report, by=editor)
    workflow.report_approve(report=report, by=reviewer, comment="First version.")
    workflow.report_start_revision(report=report, by=editor, change_note="April's figures added.")
    data = csv_bytes([("kpi_code", "month", "value"), ("1.1", "2019-04", "12950")])
    outcome = spreadsheet_import(content=data, file_name="april.csv", user=importer)
    assert outcome.written, outcome.problems
    paragraph = Paragraph.objects.get(section__heading="Calls", position=2)
    paragraph.text = "The CMD answered quickly, and April's figures are now in."
    paragraph.save()
    workflow.report_record_edit(report=report, by=editor)
    workflow.report_submit(report=report, by=editor)
    workflow.report_approve(report=report, by=reviewer, comment="Second version.")
    return report


def test_restore_serves_every_published_version_with_its_checksum(
    transactional_db, postgres, editor, reviewer, superuser, panel_member, tmp_path
):
    report = _publish_two_versions(editor, reviewer, superuser)
    published = list(Publication.objects.filter(report=report, render_status="published").order_by("version"))
    assert [p.version for p in published] == [1, 2]
    counts = {
        "reviews": Review.objects.count(),
        "imports": ImportBatch.objects.count(),
        "changes": ObservationChange.objects.count(),
    }
    assert counts["imports"] >= 1 and counts["changes"] >= 1

    # Back up and restore with the README's own commands, as written, into a database that
    # exists but is empty and a storage folder that does not exist yet.
    db = connection.settings_dict
    source_url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    blocks = readme_blocks()
    assert {"backup", "restore"} <= blocks.keys(), blocks.keys()
    source = {"DATABASE_URL": f"{source_url}/{db['NAME']}", "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    run_readme_block(blocks["backup"], tmp_path, source)
    restored = ScratchDatabase(source_url + "/postgres", "restore").create()
    try:
        media = tmp_path / "restored-media"
        target = {**PRODUCTION, "DATABASE_URL": restored.url, "MEDIA_ROOT": str(media)}
        run_readme_block(blocks["restore"], tmp_path, {**target, "STATIC_ROOT": str(tmp_path / "static")})
        # The checks below use the test client's host.
        env = {**os.environ, "DATABASE_URL": restored.url, "MEDIA_ROOT": str(media), "DEBUG": "1"}

        verified = _manage("verify_publications", env=env)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert f"ok   {report.slug} v1 (published)" in verified.stdout
        assert f"ok   {report.slug} v2 (published)" in verified.stdout

        served = _manage("shell", "-c", SERVE_EVERY_VERSION, env=env)
        assert served.returncode == 0, served.stdout + served.stderr
        result = json.loads(served.stdout.strip().splitlines()[-1])
        assert {k: result[k] for k in counts} == counts
        assert [s["version"] for s in sorted(result["served"], key=lambda s: s["version"])] == [1, 2]
        for version in result["served"]:
            assert version["page"] == 200 and version["pdf"] == 200, version["version"]
            assert version["pdf_sha256"] == version["stored_pdf_sha256"]
        v2 = next(s for s in result["served"] if s["version"] == 2)
        assert "April's figures are now in." in v2["text"].replace("&#x27;", "'")

        # A file lost from the storage copy is named, and the command fails.
        (media / published[0].pdf_file).unlink()
        broken = _manage("verify_publications", env=env)
        assert broken.returncode != 0
        assert f"FAIL {report.slug} v1 (published): PDF: {published[0].pdf_file} is missing" in broken.stdout
        assert "1 of 2 rendered versions have missing or altered files." in broken.stderr
    finally:
        restored.drop()
