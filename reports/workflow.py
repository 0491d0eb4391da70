"""Every decision people make on a report, and who may make it.

Each move is one function: it checks the actor's role and the current status, moves the
report (`report_status.move_report`, which records a Review: who, when, from, to,
comment) and starts any work once it is committed. Views and admin actions call these.
What the renderer's outcome decides (a version published, a render given up) is
`reports.publishing`'s; staff's "render again" and "abandon" are checked here and made
there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from portal.edit_versions import record_edit

from . import coverage, notifications, publishing, tasks
from .checker import check_snapshot
from .models import Publication, Report, Review, ReviewedSnapshot
from .publishing import RenderOutcome
from .report_status import WRONG_STATUS, move_report
from .snapshot import build_snapshot, content_checksum, freeze_snapshot, search_text

log = logging.getLogger(__name__)

# Error messages (tests assert these exact texts).
NOT_ALLOWED = "You do not have permission to {action} reports."
CANNOT_APPROVE_OWN = (
    "You cannot approve this report: you created, edited or submitted it. Another reviewer must approve it."
)
CANNOT_REVIEW_OWN = "You cannot review a report you created, edited or submitted."
COMMENT_REQUIRED = "Say what needs to change: a comment is required when sending a report back."
REASON_REQUIRED = "Give the reason for withdrawing: readers will see it."
FLAGS_NEED_COMMENT = (
    "The commentary checker flagged {count} figure(s) that disagree with the data, refer to a "
    "period the report does not cover or need a question answered. Approve only with a comment "
    "saying why they stand."
)
NOT_EDITABLE = "Only drafts can be edited. This report is {status}."
EMPTY_REPORT = "A report needs at least one section before it can be submitted."
CONTENT_CHANGED = (
    "Not approved: the report changed after you opened this page, so what you reviewed is "
    "not what would be published. What changed is shown below. Read it, then record your "
    "decision again if it stands."
)
RENDER_FAILED = (
    "Approved, but rendering failed; the error is on the version under Publications, where "
    "staff can choose “Render again”."
)
RENDER_DELAYED = (
    "Approved. Rendering is delayed because the task queue cannot be reached; "
    "it will start automatically when the queue is back."
)


class ContentChanged(ValidationError):
    """Approval refused: the report would now publish something else than was reviewed.

    Carries the snapshot as it stands now and its checksum, for the page that says so.
    """

    def __init__(self, snapshot: dict, checksum: str):
        super().__init__(CONTENT_CHANGED, code="content_changed")
        self.snapshot, self.checksum = snapshot, checksum


def _check_perm(user, perm: str, action: str) -> None:
    if not (user and user.is_active and user.has_perm(perm)):
        raise PermissionDenied(NOT_ALLOWED.format(action=action))


def is_author(report: Report, user) -> bool:
    """Created, edited or submitted this revision: such a user may not decide on it."""
    return (
        user.pk in {report.created_by_id, report.submitted_by_id}
        or report.contributors.filter(pk=user.pk).exists()
    )


# --------------------------------------------------------------------------- editing
def report_record_created(*, report: Report, by) -> None:
    """A new report was saved by an editor: remember them as its author."""
    Report.objects.filter(pk=report.pk).update(created_by=by)
    report.created_by = by
    report.contributors.add(by)
    Review.objects.create(report=report, action=Review.Action.CREATE, actor=by, to_status=report.status)


def report_check_editable(*, report: Report, by) -> None:
    """Raise unless `by` may change this report's content now."""
    _check_perm(by, "reports.change_report", "edit")
    if report.pk and report.status != Report.Status.DRAFT:
        raise PermissionDenied(NOT_EDITABLE.format(status=report.get_status_display().lower()))


def report_record_edit(*, report: Report, by) -> None:
    """Someone changed the draft: they may no longer approve it, and a report form opened
    before this change is out of date (`portal.edit_versions`)."""
    report_check_editable(report=report, by=by)
    report.contributors.add(by)
    record_edit(Report, [report.pk], by=by)


# --------------------------------------------------------------------------- review
@transaction.atomic
def report_submit(*, report: Report, by, comment: str = "", confirm_empty_rows: bool = False) -> Report:
    """Send a draft for review. KPI rows with no figures at all need `confirm_empty_rows`
    and a comment saying why, recorded with the submission (reports.coverage)."""
    _check_perm(by, "reports.submit_report", "submit")
    if not report.sections.exists():
        raise ValidationError(EMPTY_REPORT)
    snapshot = build_snapshot(report)
    going_ahead = coverage.check_empty_rows(snapshot, confirmed=confirm_empty_rows, comment=comment)
    move_report(
        report=report,
        to=Report.Status.IN_REVIEW,
        by=by,
        action=Review.Action.SUBMIT,
        comment=" ".join(filter(None, [comment.strip(), going_ahead])),
        verb="submitted",
    )
    Report.objects.filter(pk=report.pk).update(submitted_by=by)
    report.refresh_from_db()
    transaction.on_commit(lambda: notifications.report_submitted(report=report, by=by))
    return report


@transaction.atomic
def report_request_changes(*, report: Report, by, comment: str) -> Report:
    _check_perm(by, "reports.review_report", "review")
    if not (comment or "").strip():
        raise ValidationError(COMMENT_REQUIRED)
    if is_author(report, by):
        raise PermissionDenied(CANNOT_REVIEW_OWN)
    move_report(
        report=report,
        to=Report.Status.DRAFT,
        by=by,
        action=Review.Action.REQUEST_CHANGES,
        from_states={Report.Status.IN_REVIEW},
        comment=comment.strip(),
        verb="sent back",
    )
    report.refresh_from_db()
    transaction.on_commit(lambda: notifications.changes_requested(report=report, by=by, comment=comment))
    return report


def open_flags(report: Report, snapshot: dict | None = None) -> list:
    """Commentary checker findings a reviewer must answer: disagreements, periods, questions."""
    findings = check_snapshot(snapshot or build_snapshot(report))
    return [f for f in findings if f.flagged]


@dataclass(frozen=True)
class Approval:
    """What an approval did: the version it froze, and how far its render got."""

    publication: Publication
    render: RenderOutcome


def report_approve(
    *,
    report: Report,
    by,
    comment: str = "",
    publish_at: datetime | None = None,
    reviewed_checksum: str | None = None,
    confirm_empty_rows: bool = False,
) -> Approval:
    """Approve and freeze version N, then start its render; say how far that got.

    `reviewed_checksum` is `snapshot.content_checksum` of what the reviewer's page showed:
    if the snapshot built now differs (an edit, a glossary or KPI change, a new import),
    `ContentChanged` is raised and nothing is approved. The review page always passes it;
    None is for callers that approve what they just built themselves (the demo loader).

    If the task queue cannot be reached the approval still stands: the publication stays
    queued, the outcome is `RenderOutcome.DELAYED`, and the sweep enqueues it later.
    """
    publication = _approve(
        report=report,
        by=by,
        comment=comment,
        publish_at=publish_at,
        reviewed_checksum=reviewed_checksum,
        confirm_empty_rows=confirm_empty_rows,
    )
    return Approval(publication=publication, render=_enqueue_render(publication))


@transaction.atomic
def _approve(
    *, report: Report, by, comment: str, publish_at, reviewed_checksum, confirm_empty_rows
) -> Publication:
    _check_perm(by, "reports.review_report", "approve")
    # Locked first: a contributor recorded by a shared edit (reports.contributions) waits
    # for this approval, or this approval waits for it and then sees its change.
    report = Report.objects.select_for_update().get(pk=report.pk)
    if is_author(report, by):
        raise PermissionDenied(CANNOT_APPROVE_OWN)
    if report.status != Report.Status.IN_REVIEW:
        raise ValidationError(
            WRONG_STATUS.format(status=report.get_status_display().lower(), verb="approved")
        )
    now = timezone.now()
    version = (report.publications.aggregate(n=Max("version"))["n"] or 0) + 1
    snapshot = freeze_snapshot(report, version=version, approved_by=by, approved_at=now)
    checksum = content_checksum(snapshot)
    if reviewed_checksum is not None and reviewed_checksum != checksum:
        raise ContentChanged(snapshot, checksum)
    flags = open_flags(report, snapshot)
    if flags and not comment.strip():
        raise ValidationError(FLAGS_NEED_COMMENT.format(count=len(flags)))
    going_ahead = coverage.check_empty_rows(snapshot, confirmed=confirm_empty_rows, comment=comment)
    move_report(
        report=report,
        to=Report.Status.APPROVED,
        by=by,
        action=Review.Action.APPROVE,
        comment=" ".join(filter(None, [comment.strip(), going_ahead])),
        verb="approved",
    )
    publication = Publication.objects.create(
        report=report,
        version=version,
        snapshot=snapshot,
        search_text=search_text(snapshot),
        change_note=report.change_note if version > 1 else "",
        approved_by=by,
        approved_at=now,
        publish_at=publish_at,
    )
    ReviewedSnapshot.objects.filter(report=report).delete()  # kept only while under review
    transaction.on_commit(
        lambda: notifications.report_approved(report=report, by=by, version=version, comment=comment)
    )
    return publication


def _enqueue_render(publication: Publication) -> RenderOutcome:
    """Start a version's render and say how far it got by the time this returns.

    Without a broker the task runs in this process (eager) and does so now, inside the
    caller's transaction if there is one (it sees the new row), so the outcome is known.
    A worker must find the row committed: the task is sent now if it is, else when the
    caller's outer transaction commits (`QUEUED`; if the queue is down by then, the sweep
    enqueues it later).
    """
    if tasks.publication_render.app.conf.task_always_eager:
        try:
            tasks.enqueue_publication_render(publication.pk)
        except Exception:  # the approval stands either way
            # The failure is recorded on the version, where staff see it and can "render again".
            log.exception("Rendering %s failed", publication)
        return publishing.outcome_of_in_process_render(publication)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _send_to_worker(publication))
        return RenderOutcome.QUEUED
    return _send_to_worker(publication)


def _send_to_worker(publication: Publication) -> RenderOutcome:
    try:
        tasks.enqueue_publication_render(publication.pk)
    except Exception as exc:  # the approval stands either way
        log.warning("Could not enqueue rendering of %s: %s", publication, exc)
        return RenderOutcome.DELAYED
    return RenderOutcome.QUEUED


def publication_render_again(*, publication: Publication, by) -> RenderOutcome:
    """Staff retry a render that failed or stalled. Published versions are never redone."""
    _check_perm(by, "reports.render_publication", "render")
    publication = publishing.publication_requeue(publication=publication)
    return _enqueue_render(publication)


def publication_abandon(*, publication: Publication, by) -> Publication:
    """Staff give a render up: the version is abandoned and the report goes back to draft."""
    _check_perm(by, "reports.render_publication", "render")
    reason = publishing.ABANDONED_BY_STAFF.format(user=by.get_username())
    return publishing.publication_abandon(publication=publication, reason=reason, by=by)


# --------------------------------------------------------------------------- after publication
@transaction.atomic
def report_withdraw(*, report: Report, by, reason: str) -> Report:
    _check_perm(by, "reports.withdraw_report", "withdraw")
    if not (reason or "").strip():
        raise ValidationError(REASON_REQUIRED)
    move_report(
        report=report,
        to=Report.Status.WITHDRAWN,
        by=by,
        action=Review.Action.WITHDRAW,
        comment=reason.strip(),
        verb="withdrawn",
    )
    latest = report.publications.filter(published_at__isnull=False).order_by("-version").first()
    if latest:
        Publication.objects.filter(pk=latest.pk).update(
            withdrawn_at=timezone.now(), withdrawn_reason=reason.strip()
        )
    report.refresh_from_db()
    transaction.on_commit(lambda: notifications.report_withdrawn(report=report, by=by, reason=reason))
    return report


@transaction.atomic
def report_start_revision(*, report: Report, by, change_note: str = "") -> Report:
    """Open a published report for a new revision; the published versions are untouched.

    The working copy already holds exactly what was approved (an approved report cannot
    change), so the new draft starts from it; the frozen snapshot of every version stays.
    """
    _check_perm(by, "reports.start_revision", "revise")
    move_report(
        report=report,
        to=Report.Status.DRAFT,
        by=by,
        action=Review.Action.NEW_REVISION,
        from_states={Report.Status.PUBLISHED, Report.Status.WITHDRAWN},
        comment=change_note.strip(),
        verb="revised",
    )
    Report.objects.filter(pk=report.pk).update(submitted_by=None, change_note=change_note.strip())
    report.refresh_from_db()
    report.contributors.set([by])
    return report
