"""Artifacts in an S3-compatible bucket: a local S3 server (moto's standalone server, real HTTP).

Approval → render → the reader's page and PDF, with the bucket as the only place the files
live: the web side and the worker each get a media folder that must stay absent, so any
write or read through a filesystem path would fail the test. The health check probes the
bucket and says when it is gone.
"""

import hashlib
import logging
import time
import uuid

import boto3
import pytest
from django.core.files.storage import storages

from portal.storage import storage_from_url
from reports import reader_cache, workflow
from reports.models import Publication

from .builders import make_report

REGION = "eu-west-2"
KEYS = {"AWS_ACCESS_KEY_ID": "portal-test-key", "AWS_SECRET_ACCESS_KEY": "portal-test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on 127.0.0.1 and a free port, for this module."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


class Bucket:
    def __init__(self, endpoint: str):
        self.name = f"portal-test-{uuid.uuid4().hex[:12]}"
        self.url = f"s3://{self.name}?endpoint_url={endpoint}&region_name={REGION}"
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
        )
        self.client.create_bucket(Bucket=self.name, CreateBucketConfiguration={"LocationConstraint": REGION})

    def keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def remove(self) -> None:
        for key in self.keys():
            self.client.delete_object(Bucket=self.name, Key=key)
        self.client.delete_bucket(Bucket=self.name)


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch, tmp_path):
    """A fresh bucket, made the web side's default storage; its media folder must stay absent."""
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    made = Bucket(s3_endpoint)
    settings.STORAGES = {**settings.STORAGES, "default": storage_from_url(made.url)}
    settings.MEDIA_ROOT = tmp_path / "web-media"
    yield made


def wait_for(predicate, *, timeout: float, what: str, log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    detail = f"\n--- worker log ---\n{log.read_text()[-4000:]}" if log and log.exists() else ""
    pytest.fail(f"timed out after {timeout}s waiting for {what}{detail}")


def submitted(editor, slug):
    report = make_report(by=editor, slug=slug)
    workflow.report_submit(report=report, by=editor)
    return report


def assert_read_from_the_bucket(client, bucket, publication, monkeypatch):
    """The reader's page and PDF are the bucket's bytes, read through the storage API."""
    publication.refresh_from_db()
    assert publication.render_status == Publication.RenderStatus.PUBLISHED
    folder = f"publications/{publication.report.slug}/v{publication.version}"
    assert bucket.keys() == [f"{folder}/report.html", f"{folder}/report.pdf"]
    html, pdf = bucket.read(f"{folder}/report.html"), bucket.read(f"{folder}/report.pdf")
    assert hashlib.sha256(html).hexdigest() == publication.html_sha256
    assert hashlib.sha256(pdf).hexdigest() == publication.pdf_sha256

    opened = []
    storage = storages["default"]  # what default_storage stands for, now the bucket
    real_open = storage.open

    def recording_open(name, *args, **kwargs):
        opened.append(name)
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(storage, "open", recording_open)
    page = client.get(f"/reports/{publication.report.slug}/v{publication.version}/")
    assert page.status_code == 200
    assert html.decode() in page.content.decode()
    download = client.get(f"/reports/{publication.report.slug}/v{publication.version}/report.pdf")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == pdf
    assert opened == [publication.html_file, publication.pdf_file]


@pytest.mark.django_db
def test_approve_render_and_read_with_the_bucket_as_the_only_store(
    bucket, client, editor, reviewer, monkeypatch, django_capture_on_commit_callbacks, settings
):
    report = submitted(editor, "in-bucket")
    with django_capture_on_commit_callbacks(execute=True):
        publication = workflow.report_approve(report=report, by=reviewer).publication
    assert_read_from_the_bucket(client, bucket, publication, monkeypatch)
    assert not settings.MEDIA_ROOT.exists()


@pytest.mark.services
def test_web_and_worker_share_only_the_bucket(
    bucket, celery_worker, client, editor, reviewer, monkeypatch, tmp_path
):
    """A real worker process renders into the bucket; neither side has a shared or used folder."""
    from django.conf import settings

    worker_media = tmp_path / "worker-media"
    report = submitted(editor, "worker-bucket")
    celery_worker.start(extra_env={"STORAGE_URL": bucket.url, "MEDIA_ROOT": str(worker_media), **KEYS})
    publication = workflow.report_approve(report=report, by=reviewer).publication
    wait_for(
        lambda: Publication.objects.filter(pk=publication.pk, render_status="published").exists(),
        timeout=90,
        what="the worker to publish",
        log=celery_worker.log_path,
    )
    assert_read_from_the_bucket(client, bucket, publication, monkeypatch)
    assert not worker_media.exists()
    assert not settings.MEDIA_ROOT.exists()


@pytest.mark.django_db
def test_health_check_writes_reads_and_deletes_a_probe_in_the_bucket(bucket, client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["storage"] == "ok"
    assert bucket.keys() == []  # the probe object is gone again
    assert not settings.MEDIA_ROOT.exists()


@pytest.mark.django_db
def test_health_check_fails_when_the_bucket_is_gone(bucket, client):
    bucket.remove()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert "NoSuchBucket" in body["checks"]["storage"]
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_a_page_whose_file_is_missing_from_the_bucket_is_rebuilt_from_its_snapshot(
    bucket, client, editor, reviewer, django_capture_on_commit_callbacks
):
    report = submitted(editor, "lost-file")
    with django_capture_on_commit_callbacks(execute=True):
        publication = workflow.report_approve(report=report, by=reviewer).publication
    publication.refresh_from_db()
    bucket.client.delete_object(Bucket=bucket.name, Key=publication.html_file)
    bucket.client.delete_object(Bucket=bucket.name, Key=publication.pdf_file)
    reader_cache.reader_cache().clear()  # as once the cache has let it go
    page = client.get(f"/reports/{report.slug}/v1/")
    assert page.status_code == 200
    assert "Number of 999 Calls" in page.content.decode()
    assert client.get(f"/reports/{report.slug}/v1/report.pdf").status_code == 404
