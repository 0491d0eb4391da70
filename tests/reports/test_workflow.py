"""The sign-off cannot be skipped: every workflow action × role × state, as the rules say."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from portal import roles
from reports import publishing, workflow
from reports.models import Publication, Report, Review
from reports.publishing import RenderOutcome

from .builders import make_report

S = Report.Status
STATES = [S.DRAFT, S.IN_REVIEW, S.APPROVED, S.PUBLISHED, S.WITHDRAWN]
ROLES = ["anonymous", "panel", "editor", "reviewer", "author_reviewer", "superuser"]

# action -> (states where it is possible, roles that may do it)
RULES = {
    "edit": ({S.DRAFT}, {"editor", "author_reviewer", "superuser"}),
    "submit": ({S.DRAFT}, {"editor", "author_reviewer", "superuser"}),
    "approve": ({S.IN_REVIEW}, {"reviewer", "superuser"}),
    "request_changes": ({S.IN_REVIEW}, {"reviewer", "superuser"}),
    "withdraw": ({S.PUBLISHED}, {"reviewer", "author_reviewer", "superuser"}),
    "start_revision": ({S.PUBLISHED, S.WITHDRAWN}, {"editor", "author_reviewer", "superuser"}),
}


@pytest.fixture
def actors(make_user, editor):
    author_reviewer = make_user("alex", roles.EDITORS, first_name="Alex")
    author_reviewer.groups.add(Group.objects.get(name=roles.REVIEWERS))
    return {
        "anonymous": AnonymousUser(),
        "panel": make_user("pam", roles.PANEL_MEMBERS),
        "editor": editor,
        "reviewer": make_user("rita", roles.REVIEWERS),
        "author_reviewer": author_reviewer,
        "superuser": make_user("sue", None, is_superuser=True, is_staff=True),
    }


def do(action, report, user):
    if action == "edit":
        return workflow.report_record_edit(report=report, by=user)
    if action == "submit":
        return workflow.report_submit(report=report, by=user)
    if action == "approve":
        return workflow.report_approve(report=report, by=user, comment="ok")
    if action == "request_changes":
        return workflow.report_request_changes(report=report, by=user, comment="Fix 3.1")
    if action == "withdraw":
        return workflow.report_withdraw(report=report, by=user, reason="Wrong figures")
    if action == "start_revision":
        return workflow.report_start_revision(report=report, by=user, change_note="Corrected 3.1")
    raise AssertionError(action)


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(RULES))
@pytest.mark.parametrize("state", STATES)
def test_permission_matrix(action, state, actors, editor, monkeypatch):
    # Who may decide is the question here, not what rendering then does.
    monkeypatch.setattr(workflow, "_enqueue_render", lambda p: None)
    states, allowed_roles = RULES[action]
    for role in ROLES:
        report = make_report(by=editor, slug=f"r-{action}-{state}-{role}".replace("_", "-"))
        # The author-reviewer worked on every report in the matrix.
        report.contributors.add(actors["author_reviewer"])
        Report.objects.filter(pk=report.pk).update(status=state)
        report.refresh_from_db()
        reviews_before = report.reviews.count()
        expected = state in states and role in allowed_roles
        if expected:
            do(action, report, actors[role])
            if action != "edit":
                assert report.reviews.count() == reviews_before + 1, (action, state, role)
        else:
            with pytest.raises((PermissionDenied, ValidationError)):
                do(action, report, actors[role])
            report.refresh_from_db()
            assert report.status == state, (action, state, role)
            assert report.reviews.count() == reviews_before


@pytest.mark.django_db
def test_reviewer_cannot_approve_own_draft(editor, make_user):
    both = make_user("both", roles.REVIEWERS)
    both.groups.add(Group.objects.get(name=roles.EDITORS))
    report = make_report(by=editor)
    workflow.report_record_edit(report=report, by=both)
    workflow.report_submit(report=report, by=editor)
    with pytest.raises(PermissionDenied) as exc:
        workflow.report_approve(report=report, by=both)
    assert str(exc.value) == workflow.CANNOT_APPROVE_OWN


@pytest.mark.django_db
def test_submitter_cannot_approve_even_if_not_editor_of_content(editor, make_user):
    submitter = make_user("sam", roles.EDITORS)
    submitter.groups.add(Group.objects.get(name=roles.REVIEWERS))
    report = make_report(by=editor)
    workflow.report_submit(report=report, by=submitter)
    with pytest.raises(PermissionDenied):
        workflow.report_approve(report=report, by=submitter)


@pytest.mark.django_db
def test_request_changes_needs_a_comment(editor, reviewer):
    report = make_report(by=editor)
    workflow.report_submit(report=report, by=editor)
    with pytest.raises(ValidationError) as exc:
        workflow.report_request_changes(report=report, by=reviewer, comment="  ")
    assert exc.value.messages == [workflow.COMMENT_REQUIRED]


@pytest.mark.django_db
def test_full_cycle_records_history_and_freezes_version(
    editor, reviewer, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    enqueued = []
    monkeypatch.setattr(workflow, "_enqueue_render", lambda publication: enqueued.append(publication.pk))
    report = make_report(by=editor)
    workflow.report_submit(report=report, by=editor)
    workflow.report_request_changes(report=report, by=reviewer, comment="Paragraph 1.1 needs the figure.")
    assert Report.objects.get(pk=report.pk).status == S.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_submit(report=report, by=editor)
    assert any("Review needed" in m.subject for m in mailoutbox)
    assert reviewer.email in {r for m in mailoutbox for r in m.to}
    with django_capture_on_commit_callbacks(execute=True):
        publication = workflow.report_approve(report=report, by=reviewer, comment="Good.").publication
    assert enqueued == [publication.pk]
    assert publication.version == 1
    assert publication.render_status == Publication.RenderStatus.QUEUED
    assert publication.snapshot["report"]["version"] == 1
    actions = list(report.reviews.values_list("action", flat=True))
    assert actions == ["submit", "request_changes", "submit", "approve"]
    review = report.reviews.get(action="request_changes")
    assert (review.actor, review.from_status, review.to_status) == (reviewer, "in_review", "draft")

    publishing.publication_publish(publication=rendered(publication))
    report.refresh_from_db()
    assert report.status == S.PUBLISHED
    # Publishing twice changes nothing (the render task may run twice).
    publishing.publication_publish(publication=publication)
    assert report.reviews.filter(action=Review.Action.PUBLISH).count() == 1


@pytest.mark.django_db
def test_approved_figures_are_frozen_against_later_uploads(editor, reviewer, monkeypatch):
    from kpis.models import Kpi, Observation

    monkeypatch.setattr(workflow, "_enqueue_render", lambda p: None)
    report = make_report(by=editor)
    workflow.report_submit(report=report, by=editor)
    publication = workflow.report_approve(report=report, by=reviewer).publication
    row = publication.snapshot["sections"][2]["rows"][0]
    assert row["comparison"]["current_display"] == "150,536"
    Observation.objects.filter(kpi=Kpi.objects.get(code="1.1")).update(value=1)
    publication.refresh_from_db()
    assert publication.snapshot["sections"][2]["rows"][0]["comparison"]["current_display"] == "150,536"


@pytest.mark.django_db
def test_new_revision_leaves_published_version_untouched(editor, editor2, reviewer, monkeypatch):
    monkeypatch.setattr(workflow, "_enqueue_render", lambda p: None)
    report = make_report(by=editor)
    workflow.report_submit(report=report, by=editor)
    v1 = workflow.report_approve(report=report, by=reviewer).publication
    publishing.publication_publish(publication=rendered(v1))
    frozen = v1.snapshot
    report.refresh_from_db()
    workflow.report_start_revision(report=report, by=editor2, change_note="Corrected paragraph 2.1")
    report.refresh_from_db()
    assert report.status == S.DRAFT
    assert list(report.contributors.all()) == [editor2]
    paragraph = report.sections.get(heading="Calls").paragraphs.first()
    paragraph.text = "Changed text for the revision."
    paragraph.save()
    v1.refresh_from_db()
    assert v1.snapshot == frozen
    workflow.report_submit(report=report, by=editor2)
    v2 = workflow.report_approve(report=report, by=reviewer).publication
    assert v2.version == 2
    assert v2.change_note == "Corrected paragraph 2.1"
    texts = [p["text"] for s in v2.snapshot["sections"] for p in s["paragraphs"]]
    assert "Changed text for the revision." in texts
    assert "Changed text for the revision." not in [
        p["text"] for s in frozen["sections"] for p in s["paragraphs"]
    ]


@pytest.mark.django_db
def test_withdraw_needs_reason_and_marks_latest_version(editor, reviewer, monkeypatch):
    monkeypatch.setattr(workflow, "_enqueue_render", lambda p: None)
    report = make_report(by=editor)
    workflow.report_submit(report=report, by=editor)
    v1 = workflow.report_approve(report=report, by=reviewer).publication
    publishing.publication_publish(publication=rendered(v1))
    with pytest.raises(ValidationError):
        workflow.report_withdraw(report=report, by=reviewer, reason="")
    workflow.report_withdraw(report=report, by=reviewer, reason="Figures for 3.1 were wrong.")
    v1.refresh_from_db()
    assert v1.withdrawn_reason == "Figures for 3.1 were wrong."
    assert v1.withdrawn_at is not None


@pytest.mark.django_db
def test_render_failure_is_recorded_once_and_can_be_retried(editor, reviewer, panel_member, monkeypatch):
    monkeypatch.setattr(workflow, "_enqueue_render", lambda p: None)
    report = make_report(by=editor)
    workflow.report_submit(report=report, by=editor)
    v1 = workflow.report_approve(report=report, by=reviewer).publication
    publishing.publication_render_failed(publication=v1, error="Boom")
    publishing.publication_render_failed(publication=v1, error="Boom again")
    v1.refresh_from_db()
    assert v1.render_status == "failed" and v1.render_error == "Boom again"
    assert report.reviews.filter(action="render_failed").count() == 1
    with pytest.raises(PermissionDenied):
        workflow.publication_render_again(publication=v1, by=panel_member)
    workflow.publication_render_again(publication=v1, by=reviewer)
    v1.refresh_from_db()
    assert v1.render_status == "queued"


def rendered(publication):
    """The version as the renderer leaves it before publishing: files stored, status rendered."""
    Publication.objects.filter(pk=publication.pk).update(render_status=Publication.RenderStatus.RENDERED)
    return publication


def status_of(publication) -> str:
    return Publication.objects.values_list("render_status", flat=True).get(pk=publication.pk)


def broken_render(publication, **kwargs):
    publishing.publication_render_failed(publication=publication, error="RuntimeError: no fonts")
    raise RuntimeError("no fonts")


@pytest.mark.django_db
def test_in_process_render_failure_leaves_the_approval_standing(
    editor, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(publishing, "render_and_store", broken_render)
    report = make_report(by=editor)
    workflow.report_submit(report=report, by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        approval = workflow.report_approve(report=report, by=reviewer, comment="ok")
    assert approval.render is RenderOutcome.FAILED
    publication = approval.publication
    report.refresh_from_db()
    publication.refresh_from_db()
    assert report.status == S.APPROVED
    assert publication.render_status == Publication.RenderStatus.FAILED
    assert "no fonts" in publication.render_error


# --------------------------------------------------------------------------- approval inside a transaction
@pytest.mark.django_db
def test_approval_inside_an_outer_transaction_says_its_render_failed(editor, reviewer, monkeypatch):
    # The outer transaction has not committed when the approval returns: its outcome must
    # already be known, not left to a callback that runs at commit (after the caller read it).
    monkeypatch.setattr(publishing, "render_and_store", broken_render)
    report = make_report(by=editor)
    workflow.report_submit(report=report, by=editor)
    with transaction.atomic():
        approval = workflow.report_approve(report=report, by=reviewer, comment="ok")
        assert approval.render is RenderOutcome.FAILED
    assert status_of(approval.publication) == Publication.RenderStatus.FAILED


@pytest.mark.django_db
def test_approval_inside_an_outer_transaction_is_published_in_process(editor, reviewer):
    report = make_report(by=editor)
    workflow.report_submit(report=report, by=editor)
    with transaction.atomic():
        approval = workflow.report_approve(report=report, by=reviewer, comment="ok")
        assert approval.render is RenderOutcome.PUBLISHED
        assert Report.objects.get(pk=report.pk).status == S.PUBLISHED


@pytest.fixture
def worker_mode():
    """Tasks go to a queue instead of running in this process, as with Redis configured."""
    from portal.celery import app

    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


@pytest.mark.django_db
def test_with_a_worker_the_render_is_sent_only_when_the_outer_transaction_commits(
    editor, reviewer, monkeypatch, django_capture_on_commit_callbacks, worker_mode
):
    from reports import tasks

    sent = []
    monkeypatch.setattr(tasks, "enqueue_publication_render", sent.append)
    report = make_report(by=editor)
    workflow.report_submit(report=report, by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        approval = workflow.report_approve(report=report, by=reviewer, comment="ok")
        # A worker must find the row: nothing is sent before it is committed.
        assert sent == [] and approval.render is RenderOutcome.QUEUED
    assert sent == [approval.publication.pk]


@pytest.mark.django_db(transaction=True)
def test_with_the_queue_down_the_approval_says_rendering_is_delayed(
    editor, reviewer, monkeypatch, worker_mode
):
    from reports import tasks

    def down(pk):
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(tasks, "enqueue_publication_render", down)
    report = make_report(by=editor)
    workflow.report_submit(report=report, by=editor)
    approval = workflow.report_approve(report=report, by=reviewer, comment="ok")
    assert approval.render is RenderOutcome.DELAYED
    assert Report.objects.get(pk=report.pk).status == S.APPROVED
    assert status_of(approval.publication) == Publication.RenderStatus.QUEUED


@pytest.mark.django_db
def test_review_page_reports_a_failed_render_even_inside_an_outer_transaction(
    client, editor, reviewer, monkeypatch
):
    import re

    from django.contrib.messages import get_messages
    from django.urls import reverse

    monkeypatch.setattr(publishing, "render_and_store", broken_render)
    report = make_report(by=editor)
    workflow.report_submit(report=report, by=editor)
    client.force_login(reviewer)
    review_url = reverse("admin:reports_report_review", args=[report.pk])
    checksum = re.search(r'name="checksum" value="(\w+)"', client.get(review_url).content.decode()).group(1)
    # The test's own transaction is the outer one: nothing commits during the request.
    response = client.post(review_url, {"decision": "approve", "comment": "Fine.", "checksum": checksum})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [workflow.RENDER_FAILED]
