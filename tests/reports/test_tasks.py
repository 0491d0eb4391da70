"""reports/tasks.py against a real Celery worker on Redis and PostgreSQL.

Approval → published with both files; a worker killed mid-render (its pool process, or
the whole worker) → the render runs again and exactly one PDF results; Redis down during
approval → the approval stands, the reviewer is told, and the sweep renders it later.
"""

import hashlib
import json
import os
import signal
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from reports import publishing, tasks, workflow
from reports.models import Publication, Report, Review
from reports.publishing import RenderOutcome

from .builders import make_report


def wait_for(predicate, *, timeout: float = 60, what: str = "condition", log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    detail = f"\n--- worker log ---\n{log.read_text()[-4000:]}" if log and log.exists() else ""
    pytest.fail(f"timed out after {timeout}s waiting for {what}{detail}")


def status_of(publication) -> str:
    return Publication.objects.values_list("render_status", flat=True).get(pk=publication.pk)


def submitted_report(editor, slug="test-report"):
    report = make_report(by=editor, slug=slug)
    workflow.report_submit(report=report, by=editor)
    return report


def assert_one_complete_pdf(publication):
    publication.refresh_from_db()
    assert publication.render_status == Publication.RenderStatus.PUBLISHED
    folder = f"publications/{publication.report.slug}/v{publication.version}"
    _, files = default_storage.listdir(folder)
    assert sorted(files) == ["report.html", "report.pdf"]
    files = ((publication.pdf_file, publication.pdf_sha256), (publication.html_file, publication.html_sha256))
    for name, digest in files:
        with default_storage.open(name, "rb") as f:
            data = f.read()
        assert hashlib.sha256(data).hexdigest() == digest
    with default_storage.open(publication.pdf_file, "rb") as f:
        assert f.read().rstrip().endswith(b"%%EOF")
    assert Publication.objects.filter(report=publication.report).count() == 1


def test_approval_is_rendered_and_published_by_a_real_worker(celery_worker, editor, reviewer):
    report = submitted_report(editor)
    celery_worker.start()
    started = time.monotonic()
    approval = workflow.report_approve(report=report, by=reviewer)
    assert approval.render is RenderOutcome.QUEUED
    publication = approval.publication
    wait_for(
        lambda: status_of(publication) == Publication.RenderStatus.PUBLISHED,
        what="publication",
        log=celery_worker.log_path,
    )
    elapsed = time.monotonic() - started
    assert_one_complete_pdf(publication)
    assert publication.pdf_pages >= 4
    assert publication.render_attempts == 1
    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED
    print(f"approval → published through the worker: {elapsed:.2f} s")


@pytest.fixture
def render_gate(tmp_path):
    """A file the worker's render waits on (reports.render_guards.wait_at_test_gate)."""
    gate = tmp_path / "render-gate"
    gate.write_text("hold")
    return gate


def test_pool_process_killed_mid_render_is_redelivered_and_leaves_one_pdf(
    celery_worker, editor, reviewer, render_gate
):
    report = submitted_report(editor)
    celery_worker.start(extra_env={"PORTAL_TEST_RENDER_GATE": str(render_gate)})
    publication = workflow.report_approve(report=report, by=reviewer).publication
    started = render_gate.with_name("render-gate.started")
    wait_for(started.exists, what="the render to start", log=celery_worker.log_path)
    assert status_of(publication) == Publication.RenderStatus.RENDERING
    # SIGKILL the pool process doing the render: the worker sees it lost and, because the
    # task is acks_late with reject_on_worker_lost, puts the message back on the queue.
    os.kill(int(started.read_text()), signal.SIGKILL)
    wait_for(
        lambda: status_of(publication) == Publication.RenderStatus.PUBLISHED,
        what="the redelivered render",
        log=celery_worker.log_path,
    )
    assert_one_complete_pdf(publication)
    assert publication.render_attempts == 2
    assert "WorkerLostError" in celery_worker.log_path.read_text()


def restore_unacked(queue: str) -> int:
    """Put this queue's unacknowledged messages back, exactly as kombu's Redis transport does.

    A worker that dies holding a message leaves it in Redis's "unacked" hash; the next worker
    moves it back to its queue (QoS.restore_visible → restore_by_tag) once it is older than
    the visibility timeout (an hour here). The test does that restore now, for its own queue
    only, instead of waiting an hour.
    """
    from portal.celery import app

    restored = 0
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        client = channel.client
        for tag, payload in client.hgetall(channel.unacked_key).items():
            _, _, routing_key = json.loads(payload)
            if routing_key == queue:
                channel.qos.restore_by_tag(tag, client=client)
                restored += 1
    return restored


def test_whole_worker_killed_mid_render_is_picked_up_by_the_next_worker(
    celery_worker, editor, reviewer, render_gate
):
    from portal.celery import app

    report = submitted_report(editor)
    celery_worker.start(extra_env={"PORTAL_TEST_RENDER_GATE": str(render_gate)})
    publication = workflow.report_approve(report=report, by=reviewer).publication
    started = render_gate.with_name("render-gate.started")
    wait_for(started.exists, what="the render to start", log=celery_worker.log_path)
    celery_worker.kill()  # SIGKILL to the worker and its pool: nobody acknowledges
    assert status_of(publication) == Publication.RenderStatus.RENDERING
    assert restore_unacked(app.conf.task_default_queue) == 1
    celery_worker.start()
    wait_for(
        lambda: status_of(publication) == Publication.RenderStatus.PUBLISHED,
        what="the next worker's render",
        log=celery_worker.log_path,
    )
    assert_one_complete_pdf(publication)
    assert publication.render_attempts == 2


@contextmanager
def broker_at(url: str):
    """Point this process's Celery producer at another broker URL, then back."""
    from portal.celery import app

    def reset():
        # Drop the cached pools (kombu keeps them per URL, so the original comes back).
        app._pool = None
        app.amqp._producer_pool = None

    original = app.conf.broker_url
    app.conf.broker_url = url
    reset()
    try:
        yield
    finally:
        app.conf.broker_url = original
        reset()


def dead_redis_url() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"  # nothing listens there any more


def test_approval_stands_when_redis_is_down_and_the_sweep_renders_it_later(celery_worker, editor, reviewer):
    report = submitted_report(editor)
    with broker_at(dead_redis_url()):
        approval = workflow.report_approve(report=report, by=reviewer)
    # The approval is recorded; the reviewer is told rendering is delayed.
    assert approval.render is RenderOutcome.DELAYED
    publication = approval.publication
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED
    assert Review.objects.filter(report=report, action=Review.Action.APPROVE).count() == 1
    assert status_of(publication) == Publication.RenderStatus.QUEUED
    assert workflow.RENDER_DELAYED.startswith("Approved. Rendering is delayed")

    # Redis is back and a worker runs. A sweep right away leaves a just-approved version
    # alone (its task may still be on its way); once it is stale, the sweep enqueues it.
    celery_worker.start()
    assert tasks.sweep_now()["enqueued"] == []
    later = timezone.now() + publishing.STALE_AFTER + timedelta(seconds=1)
    result = publishing.sweep_publications(now=later, enqueue=tasks.enqueue_publication_render)
    assert result["enqueued"] == [publication.pk]
    wait_for(
        lambda: status_of(publication) == Publication.RenderStatus.PUBLISHED,
        what="the swept render",
        log=celery_worker.log_path,
    )
    assert_one_complete_pdf(publication)
    assert publication.render_attempts == 1


def test_draft_pdf_goes_through_the_real_worker(celery_worker, editor):
    report = make_report(by=editor)
    celery_worker.start()
    name = tasks.draft_pdf_render.delay(report.pk, editor.pk).get(timeout=60)
    assert name.startswith(f"drafts/{report.slug}/")
    with default_storage.open(name, "rb") as f:
        assert f.read(5) == b"%PDF-"
