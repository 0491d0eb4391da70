"""The backup and restore drill of the README: two published versions and an import, a backup
with pg_dump and tar, a restore into a fresh database and a fresh storage folder, then every
published version's page and PDF served from the restored copy with its checksum verified,
and the import history and reviews intact."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile

import pytest
from django.conf import settings
from django.db import connection

from kpis.importing import spreadsheet_import
from kpis.models import ImportBatch, ObservationChange
from reports import workflow
from reports.models import Paragraph, Publication, Review
from tests.conftest import ROOT
from tests.kpis.files import csv_bytes
from tests.portal.production import ScratchDatabase
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

    # Back up, as the README says: the database, then the storage.
    db = connection.settings_dict
    source_url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    dump = tmp_path / "portal.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", f"{source_url}/{db['NAME']}"], check=True)
    archive = tmp_path / "media.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(settings.MEDIA_ROOT, arcname=".")

    # Restore into a fresh database and an empty storage folder.
    restored = ScratchDatabase(source_url + "/postgres", "restore").create()
    try:
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={restored.url}", str(dump)], check=True)
        media = tmp_path / "restored-media"
        media.mkdir()
        with tarfile.open(archive) as tar:
            tar.extractall(media, filter="data")
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
