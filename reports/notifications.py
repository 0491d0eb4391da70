"""Tell the people who must act next, by email (console backend by default).

Called after the transaction commits; a mail failure is logged and never undoes a
decision.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail

from portal import roles

log = logging.getLogger(__name__)


def _people(*, groups=(), users=(), exclude=None) -> list[str]:
    User = get_user_model()
    found = {u for u in users if u is not None}
    if groups:
        found |= set(User.objects.filter(groups__name__in=groups, is_active=True))
    return sorted({u.email for u in found if u.email and u != exclude})


def _send(subject: str, body: str, recipients: list[str]) -> None:
    if not recipients:
        return
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [r]) for r in recipients]
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # noqa: BLE001 - email is best effort; the decision stands
        log.exception("Could not send notification %r", subject)


def _authors(report):
    return [report.created_by, report.submitted_by, *report.contributors.all()]


def report_submitted(*, report, by) -> None:
    _send(
        f"Review needed: {report.title}",
        f"{by} submitted “{report.title}” for review. Open the review queue in the staff admin to "
        "approve it or send it back.",
        _people(groups=[roles.REVIEWERS], exclude=by),
    )


def changes_requested(*, report, by, comment: str) -> None:
    _send(
        f"Changes requested: {report.title}",
        f"{by} sent “{report.title}” back for changes:\n\n{comment}",
        _people(users=_authors(report), exclude=by),
    )


def report_approved(*, report, by, version: int) -> None:
    _send(
        f"Approved: {report.title} (version {version})",
        f"{by} approved “{report.title}”. Version {version} is being rendered and will be published.",
        _people(users=_authors(report), exclude=by),
    )


def publication_published(*, publication) -> None:
    report = publication.report
    _send(
        f"Published: {report.title} (version {publication.version})",
        f"Version {publication.version} of “{report.title}” is published.",
        _people(users=[*_authors(report), publication.approved_by]),
    )


def report_withdrawn(*, report, by, reason: str) -> None:
    _send(
        f"Withdrawn: {report.title}",
        f"{by} withdrew “{report.title}”:\n\n{reason}",
        _people(groups=[roles.EDITORS, roles.REVIEWERS], exclude=by),
    )
