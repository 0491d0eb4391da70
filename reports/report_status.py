"""The one place a report's status is written: a move allowed by `Report.TRANSITIONS`,
recorded as a Review (who, when, from, to, comment).

`reports.workflow` makes the moves people decide on (submit, approve, send back, withdraw,
revise); `reports.publishing` makes the ones the renderer's outcome decides (published,
render abandoned). Both call `move_report` inside their own transaction.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import Report, Review

# The logger operators already filter on for status changes (README, "Logs").
log = logging.getLogger("reports.workflow")

# Error message (tests assert this exact text).
WRONG_STATUS = "A report that is {status} cannot be {verb}."


def move_report(
    *, report: Report, to: str, by, action: str, comment: str = "", verb: str, from_states=None
) -> Review:
    """Change the status if this move is allowed from the current one; record who and why.

    The report row is locked first, so two moves of one report never interleave. `by` is
    None for a move the system makes (a version published, a render given up).
    """
    report = Report.objects.select_for_update().get(pk=report.pk)
    if to not in Report.TRANSITIONS[report.status] or (from_states and report.status not in from_states):
        raise ValidationError(WRONG_STATUS.format(status=report.get_status_display().lower(), verb=verb))
    review = Review.objects.create(
        report=report, action=action, actor=by, from_status=report.status, to_status=to, comment=comment
    )
    Report.objects.filter(pk=report.pk).update(status=to, updated_at=timezone.now())
    log.info(
        "Report %s: %s -> %s (%s) by %s",
        report.slug,
        report.status,
        to,
        action,
        by.get_username() if by is not None else "the system",
    )
    return review
