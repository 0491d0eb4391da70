"""A publication's life after approval: rendered, stored, published, or given up.

Every change of `Publication.render_status` is made here, each move checked against
`RENDER_TRANSITIONS`:

    queued ──> rendering ──> rendered ──> published
       │           │  ╲
       │           │   failed ──> rendering (a retry) or queued ("render again")
       └───────────┴──────────> abandoned (terminal)

A render that gives up (its attempts used up, or abandoned by staff) moves the version to
`abandoned` and, when it is the report's newest version and the report is still approved,
the report back to draft (`Report.TRANSITIONS` allows approved → draft for this), recorded
in its review history, with the editors told. The report's own status moves go through
`report_status.move_report`, as `reports.workflow`'s do.

`render_and_store` is the whole job a render task runs: `reports.rendering` turns the
frozen snapshot into bytes, `reports.artifacts` stores them, and the moves here record
what happened. Enqueueing is the caller's (`reports.tasks`, `reports.workflow`), so this
module never imports the tasks.
"""

from __future__ import annotations

import enum
import logging
import traceback
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from . import notifications, rendering
from .artifacts import artifact_name, sha256_hex, store_complete
from .models import Publication, Report, Review
from .render_guards import memory_cap, wait_at_test_gate
from .report_status import move_report

log = logging.getLogger(__name__)

Status = Publication.RenderStatus

# Which render status may follow which. Published and abandoned are final: a version is
# never rendered again once readers have it, and an abandoned one is replaced by the next
# approval. "Render again" (→ queued) is open from every other state, as is abandoning.
RENDER_TRANSITIONS = {
    Status.QUEUED: {Status.QUEUED, Status.RENDERING, Status.FAILED, Status.ABANDONED},
    Status.RENDERING: {Status.RENDERING, Status.RENDERED, Status.FAILED, Status.QUEUED, Status.ABANDONED},
    Status.RENDERED: {Status.RENDERING, Status.PUBLISHED, Status.QUEUED, Status.ABANDONED},
    Status.FAILED: {Status.FAILED, Status.RENDERING, Status.QUEUED, Status.ABANDONED},
    Status.PUBLISHED: set(),
    Status.ABANDONED: set(),
}

# After this many starts, a render is not retried on its own: a document that crashes the
# renderer must not be redelivered for ever.
MAX_RENDER_ATTEMPTS = 5
# A queued or rendering version untouched this long is assumed lost (broker down, crash).
STALE_AFTER = timedelta(minutes=5)

# Error messages (tests assert these exact texts).
RENDER_TIMEOUT = "Rendering took longer than the time limit and was stopped."
RENDER_MEMORY = "Rendering needed more memory than the limit allows and was stopped."
GAVE_UP = (
    "Rendering was started {attempts} times and never finished (the renderer died each time); "
    "it will not be retried. The report is back in draft: approve it again once the cause is fixed."
)
RETRIES_USED_UP = (
    "Rendering failed {attempts} times; it will not be retried. The report is back in draft: "
    "approve it again once the cause is fixed. Last error: {error}"
)
ABANDONED_BY_STAFF = "Rendering abandoned by {user}. The report is back in draft."
ALREADY_PUBLISHED = "Version {version} is already published."
MOVE_REFUSED = "Version {version} is {status}: it cannot be {verb}."


class RenderOutcome(enum.Enum):
    """What starting a render achieved, as far as the caller can know when it returns."""

    PUBLISHED = "published"  # rendered in this process and published
    SCHEDULED = "scheduled"  # rendered in this process, published at its publication time
    QUEUED = "queued"  # handed to a worker (or will be, when the caller's transaction commits)
    DELAYED = "delayed"  # the task queue cannot be reached: the sweep enqueues it later
    FAILED = "failed"  # rendered in this process and failed (recorded on the version)


class RenderMoveRefused(ValidationError):
    """A render status change `RENDER_TRANSITIONS` does not allow."""


def outcome_of_in_process_render(publication: Publication) -> RenderOutcome:
    """What an in-process render left: published, waiting for its time, or failed."""
    publication.refresh_from_db()
    if publication.render_status == Status.PUBLISHED:
        return RenderOutcome.PUBLISHED
    if publication.render_status == Status.RENDERED:
        return RenderOutcome.SCHEDULED
    return RenderOutcome.FAILED


def _locked(publication: Publication) -> Publication:
    return Publication.objects.select_for_update().select_related("report").get(pk=publication.pk)


def _move_render(publication: Publication, to: str, *, verb: str, **fields) -> None:
    """Set a locked publication's render status (and other fields) if the table allows it."""
    if to not in RENDER_TRANSITIONS[publication.render_status]:
        raise RenderMoveRefused(
            MOVE_REFUSED.format(
                version=publication.version, status=publication.get_render_status_display().lower(), verb=verb
            ),
            code="render_move_refused",
        )
    publication.render_status = to
    for name, value in fields.items():
        setattr(publication, name, value)
    publication.save(update_fields=["render_status", *fields])


# --------------------------------------------------------------------------- the moves
@transaction.atomic
def publication_start_render(*, publication: Publication) -> Publication | None:
    """One more attempt starts; None when there is nothing to render.

    Nothing to render: the version is published or abandoned, or its earlier starts never
    finished `MAX_RENDER_ATTEMPTS` times (the renderer died each time), when it is given up.
    """
    locked = _locked(publication)
    if locked.render_status in (Status.PUBLISHED, Status.ABANDONED):
        return None
    if locked.render_status == Status.RENDERING and locked.render_attempts >= MAX_RENDER_ATTEMPTS:
        publication_abandon(publication=locked, reason=GAVE_UP.format(attempts=locked.render_attempts))
        return None
    _move_render(locked, Status.RENDERING, verb="rendered", render_attempts=locked.render_attempts + 1)
    return locked


@transaction.atomic
def publication_rendered(
    *, publication: Publication, pdf_name: str, pdf: bytes, html_name: str, html: bytes, pdf_pages: int
) -> Publication:
    """The files are stored: record them with their checksums, then publish when due."""
    locked = _locked(publication)
    if locked.render_status in (Status.PUBLISHED, Status.ABANDONED):
        return locked  # published by an earlier run, or given up while this one ran
    _move_render(
        locked,
        Status.RENDERED,
        verb="recorded as rendered",
        html_file=html_name,
        html_sha256=sha256_hex(html),
        pdf_file=pdf_name,
        pdf_sha256=sha256_hex(pdf),
        pdf_pages=pdf_pages,
        rendered_at=timezone.now(),
        render_error="",
    )
    return publication_publish(publication=locked)


@transaction.atomic
def publication_publish(*, publication: Publication) -> Publication:
    """A rendered version goes live now, or waits (rendered) for the reviewer's time."""
    locked = _locked(publication)
    if locked.render_status == Status.PUBLISHED:
        return locked  # idempotent: a second render run changes nothing
    now = timezone.now()
    if locked.publish_at and locked.publish_at > now:
        if locked.render_status != Status.RENDERED:
            _move_render(locked, Status.RENDERED, verb="scheduled")
        return locked
    _move_render(locked, Status.PUBLISHED, verb="published", render_error="", published_at=now)
    report = locked.report
    if report.status == Report.Status.APPROVED and _is_newest(locked):
        move_report(
            report=report,
            to=Report.Status.PUBLISHED,
            by=None,
            action=Review.Action.PUBLISH,
            comment=f"Version {locked.version} published.",
            verb="published",
        )
    transaction.on_commit(lambda: notifications.publication_published(publication=locked))
    return locked


def _is_newest(publication: Publication) -> bool:
    return publication.report.publications.aggregate(n=Max("version"))["n"] == publication.version


@transaction.atomic
def publication_render_failed(*, publication: Publication, error: str) -> Publication:
    """Record a failure where staff see it (admin list, the report's history); after the
    last attempt, give the render up."""
    locked = _locked(publication)
    if locked.render_status in (Status.PUBLISHED, Status.ABANDONED):
        return locked
    if locked.render_attempts >= MAX_RENDER_ATTEMPTS:
        reason = RETRIES_USED_UP.format(attempts=locked.render_attempts, error=error[:500])
        return publication_abandon(publication=locked, reason=reason)
    first_failure = locked.render_status != Status.FAILED
    _move_render(locked, Status.FAILED, verb="marked failed", render_error=error[:4000])
    if first_failure:
        Review.objects.create(
            report=locked.report,
            action=Review.Action.RENDER_FAILED,
            from_status=locked.report.status,
            to_status=locked.report.status,
            comment=f"Version {locked.version}: {error[:500]}",
        )
    return locked


@transaction.atomic
def publication_requeue(*, publication: Publication) -> Publication:
    """Back to the queue, for "render again". Published versions are never redone."""
    locked = _locked(publication)
    if locked.render_status == Status.PUBLISHED:
        raise RenderMoveRefused(ALREADY_PUBLISHED.format(version=locked.version), code="render_move_refused")
    _move_render(locked, Status.QUEUED, verb="rendered again")
    return locked


@transaction.atomic
def publication_abandon(*, publication: Publication, reason: str, by=None) -> Publication:
    """Give a render up: the version is abandoned and the report goes back to draft.

    The report moves only while it is approved and this is its newest version (a newer
    approval, or a report already sent on, is left alone); the history records the
    reason either way and the editors are told. `by` is None when the system gives up.
    """
    locked = _locked(publication)
    _move_render(locked, Status.ABANDONED, verb="abandoned", render_error=reason[:4000])
    report = Report.objects.select_for_update().get(pk=locked.report_id)
    comment = f"Version {locked.version}: {reason[:1000]}"
    if report.status == Report.Status.APPROVED and _is_newest(locked):
        move_report(
            report=report,
            to=Report.Status.DRAFT,
            by=by,
            action=Review.Action.RENDER_ABANDONED,
            comment=comment,
            verb="sent back to draft",
        )
    else:
        Review.objects.create(
            report=report,
            action=Review.Action.RENDER_ABANDONED,
            actor=by,
            from_status=report.status,
            to_status=report.status,
            comment=comment,
        )
    log.warning("Render of %s abandoned: %s", locked, reason)
    transaction.on_commit(lambda: notifications.render_abandoned(publication=locked, by=by, reason=reason))
    return locked


# --------------------------------------------------------------------------- the job
def render_and_store(publication: Publication, *, memory_limit: int | None = None) -> None:
    """Render a version's HTML and PDF, store them with checksums, then publish it.

    Idempotent: a published version is never touched; a second run writes the same bytes
    under the same names. Files are complete before the row references them. On error
    the failure is recorded (`publication_render_failed`) and the error re-raised so the
    task can retry. `memory_limit` (bytes) caps the rendering itself; the task sets it in
    workers, where the process is ours to limit.
    """
    started = publication_start_render(publication=publication)
    if started is None:
        return
    failure = None
    try:
        with memory_cap(memory_limit):
            wait_at_test_gate()
            rendered = rendering.render_report(started.snapshot)
        pdf_name = store_complete(artifact_name(started, "report.pdf"), rendered.pdf)
        html_name = store_complete(artifact_name(started, "report.html"), rendered.html)
    except Exception as exc:
        failure = exc
        log.exception("Rendering %s failed", started)
    if failure is not None:
        # The traceback's frames still hold the failed document; free it before recording.
        traceback.clear_frames(failure.__traceback__)
        publication_render_failed(publication=started, error=describe_render_error(failure))
        raise failure
    publication_rendered(
        publication=started,
        pdf_name=pdf_name,
        pdf=rendered.pdf,
        html_name=html_name,
        html=rendered.html,
        pdf_pages=rendered.pdf_pages,
    )


def describe_render_error(exc: BaseException) -> str:
    """A failure in the words staff read under Publications."""
    if isinstance(exc, SoftTimeLimitExceeded):
        return RENDER_TIMEOUT
    if isinstance(exc, MemoryError):
        return RENDER_MEMORY
    return f"{type(exc).__name__}: {exc}"[:4000]


def sweep_publications(*, enqueue, now=None) -> dict:
    """Enqueue every approved version not yet rendered; publish rendered ones now due.

    `enqueue(pk)` sends one render to the task queue (`reports.tasks` passes its own).
    Returns the ids enqueued and published, and whether the task queue could not be
    reached (the versions left waiting are picked up by the next sweep).
    """
    now = now or timezone.now()
    stale = now - STALE_AFTER
    waiting = Publication.objects.filter(
        Q(render_status__in=[Status.QUEUED, Status.RENDERING], approved_at__lte=stale)
        | Q(render_status=Status.FAILED, render_attempts__lt=MAX_RENDER_ATTEMPTS)
    ).order_by("approved_at", "pk")
    enqueued, unreachable = [], False
    for pk in waiting.values_list("pk", flat=True):
        try:
            enqueue(pk)
        except Exception as exc:  # broker still down: the next sweep tries again
            log.warning("Sweep could not enqueue publication %s: %s", pk, exc)
            unreachable = True
            break
        enqueued.append(pk)
    due = Publication.objects.filter(render_status=Status.RENDERED, publish_at__lte=now).order_by(
        "publish_at", "pk"
    )
    published = []
    for publication in due:
        publication_publish(publication=publication)
        published.append(publication.pk)
    return {"enqueued": enqueued, "published": published, "queue_unreachable": unreachable}
