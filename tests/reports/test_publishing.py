"""reports/publishing.py, reports/artifacts.py and the tasks and commands that run them:
render and store, publish, fail, give up, the sweep; the render-status table."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone
from pypdf import PdfReader

from reports import artifacts, publishing, render_guards, rendering, tasks
from reports.models import Publication, Report, Review

from .factories import make_publication, make_report
from .test_rendering import page_texts


# --------------------------------------------------------------------------- storing
def stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as f:
        return f.read()


@pytest.mark.django_db
def test_render_and_store_writes_both_files_with_checksums_and_publishes():
    publication = make_publication()
    publishing.render_and_store(publication)
    publication.refresh_from_db()
    assert publication.render_status == Publication.RenderStatus.PUBLISHED
    assert publication.published_at is not None
    assert publication.pdf_file == "publications/force-performance-2018-19/v1/report.pdf"
    assert publication.html_file == "publications/force-performance-2018-19/v1/report.html"
    assert hashlib.sha256(stored(publication.pdf_file)).hexdigest() == publication.pdf_sha256
    assert hashlib.sha256(stored(publication.html_file)).hexdigest() == publication.html_sha256
    assert publication.pdf_pages == len(PdfReader(io.BytesIO(stored(publication.pdf_file))).pages)
    assert publication.render_attempts == 1
    assert publication.rendered_at is not None
    assert b"150,536" in stored(publication.html_file)
    publication.report.refresh_from_db()
    assert publication.report.status == Report.Status.PUBLISHED
    assert Review.objects.filter(report=publication.report, action=Review.Action.PUBLISH).count() == 1


@pytest.mark.django_db
def test_rendering_twice_leaves_one_pdf_with_the_same_checksum():
    publication = make_publication()
    publishing.render_and_store(publication)
    publication.refresh_from_db()
    first = publication.pdf_sha256
    # Even when the row is reset (as "render again" would for a failed version).
    Publication.objects.filter(pk=publication.pk).update(render_status=Publication.RenderStatus.QUEUED)
    publishing.render_and_store(publication)
    publication.refresh_from_db()
    assert publication.pdf_sha256 == first
    _, files = default_storage.listdir("publications/force-performance-2018-19/v1")
    assert sorted(files) == ["report.html", "report.pdf"]
    assert Publication.objects.filter(report=publication.report).count() == 1


@pytest.mark.django_db
def test_a_published_version_is_never_rendered_again(monkeypatch):
    publication = make_publication()
    publishing.render_and_store(publication)
    monkeypatch.setattr(rendering, "html_to_pdf", lambda *a, **k: pytest.fail("rendered again"))
    publishing.render_and_store(publication)
    publication.refresh_from_db()
    assert publication.render_attempts == 1


@pytest.mark.django_db
def test_render_waits_for_the_publication_time_then_the_sweep_publishes():
    publication = make_publication(publish_at=timezone.now() + timedelta(hours=2))
    publishing.render_and_store(publication)
    publication.refresh_from_db()
    assert publication.render_status == Publication.RenderStatus.RENDERED
    assert publication.published_at is None and publication.pdf_sha256
    assert publishing.sweep_publications(now=timezone.now(), enqueue=tasks.enqueue_publication_render) == {
        "enqueued": [],
        "published": [],
        "queue_unreachable": False,
    }
    # Time passes: the publication time is now behind us.
    Publication.objects.filter(pk=publication.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    result = tasks.sweep_now()
    assert result["published"] == [publication.pk]
    publication.refresh_from_db()
    assert publication.render_status == Publication.RenderStatus.PUBLISHED


@pytest.mark.django_db
def test_a_failed_render_is_recorded_and_references_no_file(monkeypatch):
    publication = make_publication()

    def broken(*args, **kwargs):
        raise RuntimeError("layout exploded")

    monkeypatch.setattr(rendering, "html_to_pdf", broken)
    with pytest.raises(RuntimeError):
        publishing.render_and_store(publication)
    publication.refresh_from_db()
    assert publication.render_status == Publication.RenderStatus.FAILED
    assert publication.render_error == "RuntimeError: layout exploded"
    assert publication.pdf_file == "" and publication.pdf_sha256 == ""
    assert Review.objects.filter(action=Review.Action.RENDER_FAILED).count() == 1


@pytest.mark.django_db
def test_store_complete_leaves_no_partial_file_and_replaces_changed_content():
    name = "publications/x/v1/report.pdf"
    assert artifacts.store_complete(name, b"first") == name
    assert artifacts.store_complete(name, b"second") == name
    assert stored(name) == b"second"
    _, files = default_storage.listdir("publications/x/v1")
    assert files == ["report.pdf"]


@pytest.mark.django_db
def test_sweep_enqueues_stale_and_failed_versions_only():
    now = timezone.now()
    report = make_report()
    old = now - timedelta(minutes=30)
    fresh = make_publication(report=report, version=1, approved_at=now)
    stale = make_publication(report=report, version=2, approved_at=old)
    stuck = make_publication(
        report=report, version=3, approved_at=old, render_status=Publication.RenderStatus.RENDERING
    )
    failed = make_publication(
        report=report, version=4, approved_at=now, render_status="failed", render_attempts=1
    )
    make_publication(
        report=report,
        version=5,
        approved_at=old,
        render_status="failed",
        render_attempts=publishing.MAX_RENDER_ATTEMPTS,
    )
    make_publication(report=report, version=6, approved_at=old, render_status="published")
    asked = []
    result = publishing.sweep_publications(now=now, enqueue=asked.append)
    assert sorted(asked) == sorted([stale.pk, stuck.pk, failed.pk])
    assert fresh.pk not in asked
    assert result["enqueued"] == asked


# --------------------------------------------------------------------------- tasks, in-process
@pytest.mark.django_db
def test_render_task_in_process_publishes(settings):
    publication = make_publication()
    tasks.publication_render.delay(publication.pk)
    publication.refresh_from_db()
    assert publication.render_status == Publication.RenderStatus.PUBLISHED


@pytest.mark.django_db
def test_render_task_for_a_deleted_publication_does_nothing():
    tasks.publication_render.delay(987654)


@pytest.mark.django_db
def test_draft_pdf_task_stores_a_watermarked_pdf():
    from .builders import make_report as make_real_report

    report = make_real_report()
    name = tasks.draft_pdf_render.delay(report.pk, None).get()
    assert name.startswith(f"drafts/{report.slug}/") and name.endswith(".pdf")
    assert artifacts.latest_draft_pdf(report) == name
    texts = page_texts(stored(name))
    assert all("DRAFT" in t for t in texts)
    assert "The CMD dealt with more 999 calls." in " ".join(texts)
    assert rendering.render_draft_pdf(report)[:5] == b"%PDF-"


def test_memory_cap_stops_a_runaway_allocation_and_is_lifted_after():
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    with pytest.raises(MemoryError), render_guards.memory_cap(600 * 1024**2):
        bytearray(2 * 1024**3)
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    bytearray(700 * 1024**2)  # fine again once the cap is lifted


# --------------------------------------------------------------------------- commands
@pytest.mark.django_db
def test_render_report_command_renders_and_writes_the_pdf(tmp_path):
    publication = make_publication()
    out = io.StringIO()
    target = tmp_path / "out.pdf"
    call_command("render_report", publication.report.slug, "--output", str(target), stdout=out)
    publication.refresh_from_db()
    assert publication.render_status == Publication.RenderStatus.PUBLISHED
    assert hashlib.sha256(target.read_bytes()).hexdigest() == publication.pdf_sha256
    assert "Published" in out.getvalue() and publication.pdf_sha256 in out.getvalue()


@pytest.mark.django_db
def test_render_report_command_picks_the_version_asked_for(tmp_path):
    report = make_report()
    make_publication(report=report, version=1)
    second = make_publication(report=report, version=2)
    call_command("render_report", report.slug, "--version", "1", stdout=io.StringIO())
    second.refresh_from_db()
    assert second.render_status == Publication.RenderStatus.QUEUED
    assert report.publications.get(version=1).pdf_sha256


@pytest.mark.django_db
def test_render_report_command_explains_unknown_report_and_version():
    with pytest.raises(CommandError, match="No report with the web address 'nope'"):
        call_command("render_report", "nope")
    report = make_report()
    with pytest.raises(CommandError, match="has no approved version 3"):
        call_command("render_report", report.slug, "--version", "3")


@pytest.mark.django_db
def test_sweep_command_reports_what_it_did():
    report = make_report()
    make_publication(report=report, approved_at=timezone.now() - timedelta(hours=1))
    out = io.StringIO()
    call_command("sweep_publications", stdout=out)
    assert out.getvalue().strip() == "Enqueued 1 render(s); published 0 version(s)."
    assert report.publications.get().render_status == Publication.RenderStatus.PUBLISHED


def test_time_limit_and_memory_errors_are_recorded_in_plain_words():
    from celery.exceptions import SoftTimeLimitExceeded

    assert publishing.describe_render_error(SoftTimeLimitExceeded()) == publishing.RENDER_TIMEOUT
    assert publishing.describe_render_error(MemoryError()) == publishing.RENDER_MEMORY
    assert publishing.describe_render_error(ValueError("bad")) == "ValueError: bad"


@pytest.mark.django_db
def test_a_render_that_keeps_killing_its_worker_is_given_up_after_the_attempt_limit(monkeypatch):
    # Left RENDERING by a worker that died mid-render, attempts used up: a poison document
    # (say one that crashes the renderer) must not be redelivered for ever.
    publication = make_publication(
        render_status=Publication.RenderStatus.RENDERING, render_attempts=publishing.MAX_RENDER_ATTEMPTS
    )
    monkeypatch.setattr(rendering, "html_to_pdf", lambda *a, **k: pytest.fail("rendered again"))
    publishing.render_and_store(publication)
    publication.refresh_from_db()
    # Given up: abandoned, and the report (approved, this its newest version) back in draft.
    assert publication.render_status == Publication.RenderStatus.ABANDONED
    assert publication.render_error == publishing.GAVE_UP.format(attempts=publishing.MAX_RENDER_ATTEMPTS)
    publication.report.refresh_from_db()
    assert publication.report.status == Report.Status.DRAFT


@pytest.mark.django_db
def test_render_again_after_giving_up_is_allowed(superuser, django_capture_on_commit_callbacks):
    from reports import workflow

    publication = make_publication(
        render_status=Publication.RenderStatus.FAILED, render_attempts=publishing.MAX_RENDER_ATTEMPTS
    )
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publication_render_again(publication=publication, by=superuser)
    publication.refresh_from_db()
    assert publication.render_status == Publication.RenderStatus.PUBLISHED


@pytest.mark.django_db
def test_sweep_with_the_queue_still_down_says_so_and_leaves_versions_waiting(monkeypatch):
    from reports.management.commands.sweep_publications import QUEUE_UNREACHABLE

    report = make_report()
    waiting = make_publication(report=report, approved_at=timezone.now() - timedelta(hours=1))

    def down(pk):
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379")

    result = publishing.sweep_publications(enqueue=down)
    assert result == {"enqueued": [], "published": [], "queue_unreachable": True}
    monkeypatch.setattr(tasks.publication_render, "delay", down)
    with pytest.raises(CommandError) as error:
        call_command("sweep_publications", stdout=io.StringIO())
    assert str(error.value) == QUEUE_UNREACHABLE
    waiting.refresh_from_db()
    assert waiting.render_status == Publication.RenderStatus.QUEUED


# --------------------------------------------------------------------------- the render-status table
S = Publication.RenderStatus


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "move"),
    [
        (S.PUBLISHED, lambda p: publishing.publication_requeue(publication=p)),
        (S.PUBLISHED, lambda p: publishing.publication_abandon(publication=p, reason="x")),
        (S.ABANDONED, lambda p: publishing.publication_requeue(publication=p)),
        (S.ABANDONED, lambda p: publishing.publication_abandon(publication=p, reason="x")),
        # Published without files: a version nobody rendered never goes live.
        (S.QUEUED, lambda p: publishing.publication_publish(publication=p)),
        (S.FAILED, lambda p: publishing.publication_publish(publication=p)),
        (S.RENDERING, lambda p: publishing.publication_publish(publication=p)),
    ],
)
def test_the_render_status_table_refuses_illegal_moves(status, move):
    publication = make_publication(render_status=status)
    with pytest.raises(publishing.RenderMoveRefused):
        move(publication)
    publication.refresh_from_db()
    assert publication.render_status == status
    assert publication.published_at is None


def test_the_render_status_table_knows_every_status_and_ends_in_published_or_abandoned():
    assert set(publishing.RENDER_TRANSITIONS) == set(S)
    assert publishing.RENDER_TRANSITIONS[S.PUBLISHED] == set()
    assert publishing.RENDER_TRANSITIONS[S.ABANDONED] == set()
    assert all(to in S for targets in publishing.RENDER_TRANSITIONS.values() for to in targets)


@pytest.mark.django_db
def test_a_refused_move_says_which_version_and_why():
    publication = make_publication(render_status=S.ABANDONED)
    with pytest.raises(publishing.RenderMoveRefused) as error:
        publishing.publication_requeue(publication=publication)
    assert error.value.messages == ["Version 1 is abandoned: it cannot be rendered again."]


@pytest.mark.django_db
def test_an_abandoned_version_is_not_rendered_and_a_late_render_changes_nothing(monkeypatch):
    publication = make_publication()
    publishing.publication_abandon(publication=publication, reason="Stopped by staff.")
    monkeypatch.setattr(rendering, "html_to_pdf", lambda *a, **k: pytest.fail("rendered again"))
    publishing.render_and_store(publication)
    # A render that was already running when it was abandoned finishes: nothing is recorded.
    publishing.publication_rendered(
        publication=publication, pdf_name="x.pdf", pdf=b"%PDF-", html_name="x.html", html=b"<p>", pdf_pages=1
    )
    publication.refresh_from_db()
    assert publication.render_status == S.ABANDONED and publication.pdf_file == ""
    assert publication.render_attempts == 0


# --------------------------------------------------------------------------- giving up: back to draft
@pytest.mark.django_db
def test_the_last_failed_attempt_abandons_the_render_and_sends_the_report_back_to_draft(
    monkeypatch, mailoutbox, django_capture_on_commit_callbacks, editor
):
    publication = make_publication(render_status=S.FAILED, render_attempts=publishing.MAX_RENDER_ATTEMPTS - 1)
    report = publication.report
    report.contributors.add(editor)

    def broken(*args, **kwargs):
        raise RuntimeError("layout exploded")

    monkeypatch.setattr(rendering, "html_to_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        publishing.render_and_store(publication)
    publication.refresh_from_db()
    report.refresh_from_db()
    assert publication.render_status == S.ABANDONED
    assert publication.render_attempts == publishing.MAX_RENDER_ATTEMPTS
    assert publication.render_error == publishing.RETRIES_USED_UP.format(
        attempts=publishing.MAX_RENDER_ATTEMPTS, error="RuntimeError: layout exploded"
    )
    assert report.status == Report.Status.DRAFT
    review = report.reviews.get(action=Review.Action.RENDER_ABANDONED)
    assert (review.actor, review.from_status, review.to_status) == (None, "approved", "draft")
    assert review.comment.startswith("Version 1: Rendering failed 5 times")
    (mail,) = [m for m in mailoutbox if m.subject.startswith("Rendering abandoned")]
    assert mail.subject == f"Rendering abandoned: {report.title} (version 1)"
    assert editor.email in mail.to
    # Nothing sends it round again: the sweep leaves it, and the editors resubmit the draft.
    assert publishing.sweep_publications(enqueue=pytest.fail)["enqueued"] == []


@pytest.mark.django_db
def test_staff_abandon_a_render_and_the_report_is_a_draft_again(
    superuser, panel_member, editor, reviewer, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    from reports import workflow

    from .builders import make_report as make_real_report

    monkeypatch.setattr(workflow, "_enqueue_render", lambda p: None)  # stuck in the queue
    report = make_real_report(by=editor)
    workflow.report_submit(report=report, by=editor)
    v1 = workflow.report_approve(report=report, by=reviewer, comment="ok").publication
    with pytest.raises(PermissionDenied):
        workflow.publication_abandon(publication=v1, by=panel_member)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publication_abandon(publication=v1, by=superuser)
    v1.refresh_from_db()
    report.refresh_from_db()
    assert v1.render_status == S.ABANDONED
    assert v1.render_error == publishing.ABANDONED_BY_STAFF.format(user=superuser.get_username())
    assert report.status == Report.Status.DRAFT
    review = report.reviews.get(action=Review.Action.RENDER_ABANDONED)
    assert (review.actor, review.from_status, review.to_status) == (superuser, "approved", "draft")
    assert any(editor.email in m.to for m in mailoutbox if m.subject.startswith("Rendering abandoned"))
    # The draft goes round again and its next approval is version 2.
    workflow.report_submit(report=report, by=editor)
    assert workflow.report_approve(report=report, by=reviewer, comment="ok").publication.version == 2


@pytest.mark.django_db
def test_abandoning_an_older_version_leaves_the_report_where_it_is():
    report = make_report()
    v1 = make_publication(report=report, version=1)
    make_publication(report=report, version=2)
    publishing.publication_abandon(publication=v1, reason="Superseded.")
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED
    review = report.reviews.get(action=Review.Action.RENDER_ABANDONED)
    assert (review.from_status, review.to_status) == ("approved", "approved")


@pytest.mark.django_db
def test_staff_see_abandoned_renders_in_the_review_queue(client, superuser):
    from django.urls import reverse

    publication = make_publication()
    publishing.publication_abandon(publication=publication, reason="Stopped by staff.")
    client.force_login(superuser)
    page = client.get(reverse("admin:reports_report_queue")).content.decode()
    assert "Renders abandoned" in page and "Stopped by staff." in page


@pytest.mark.django_db
def test_staff_abandon_from_the_publications_list(client, superuser):
    from django.urls import reverse

    publication = make_publication(render_status=S.FAILED, render_attempts=2)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:reports_publication_changelist"),
        {"action": "abandon_render", "_selected_action": [publication.pk]},
        follow=True,
    )
    assert "Rendering abandoned for 1 version(s)" in response.content.decode()
    publication.refresh_from_db()
    assert publication.render_status == S.ABANDONED
    publication.report.refresh_from_db()
    assert publication.report.status == Report.Status.DRAFT
