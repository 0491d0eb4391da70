"""Tell the people who must act next, by email (console backend by default), with a link
to the page where they act (settings.PORTAL_URL is the portal's address).

Called after the transaction commits; a mail failure is logged and never undoes a
decision.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.urls import reverse

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
    except Exception:  # email is best effort; the decision stands
        log.exception("Could not send notification %r", subject)


def _link(name: str, *args) -> str:
    return settings.PORTAL_URL + reverse(name, args=args)


def _authors(report):
    return [report.created_by, report.submitted_by, *report.contributors.all()]


def report_submitted(*, report, by) -> None:
    _send(
        f"Review needed: {report.title}",
        f"{by} submitted “{report.title}” for review. Approve it or send it back on its review "
        f"page:\n\n{_link('admin:reports_report_review', report.pk)}",
        _people(groups=[roles.REVIEWERS], exclude=by),
    )


def changes_requested(*, report, by, comment: str) -> None:
    _send(
        f"Changes requested: {report.title}",
        f"{by} sent “{report.title}” back for changes:\n\n{comment}\n\n"
        f"Open the draft: {_link('admin:reports_report_change', report.pk)}",
        _people(users=_authors(report), exclude=by),
    )


def report_approved(*, report, by, version: int, comment: str = "") -> None:
    said = f"\n\nTheir comment:\n\n{comment}" if comment.strip() else ""
    _send(
        f"Approved: {report.title} (version {version})",
        f"{by} approved “{report.title}”. Version {version} is being rendered and will be "
        f"published.{said}\n\nThe report: {_link('admin:reports_report_change', report.pk)}",
        _people(users=_authors(report), exclude=by),
    )


def publication_published(*, publication) -> None:
    report = publication.report
    page = settings.PORTAL_URL + publication.get_absolute_url()
    _send(
        f"Published: {report.title} (version {publication.version})",
        f"Version {publication.version} of “{report.title}” is published:\n\n{page}",
        _people(users=[*_authors(report), publication.approved_by]),
    )


def render_abandoned(*, publication, by, reason: str) -> None:
    """A render was given up and the report is back in draft: its editors fix and resubmit."""
    report = publication.report
    _send(
        f"Rendering abandoned: {report.title} (version {publication.version})",
        f"Version {publication.version} of “{report.title}” was not published:\n\n{reason}\n\n"
        f"Open the draft: {_link('admin:reports_report_change', report.pk)}",
        _people(users=[*_authors(report), publication.approved_by], exclude=by),
    )


def report_withdrawn(*, report, by, reason: str) -> None:
    _send(
        f"Withdrawn: {report.title}",
        f"{by} withdrew “{report.title}”:\n\n{reason}\n\n"
        f"The report: {_link('admin:reports_report_change', report.pk)}",
        _people(groups=[roles.EDITORS, roles.REVIEWERS], exclude=by),
    )


def question_asked(*, feedback) -> None:
    """A panel member asked a question or left a comment: the report's editors answer it."""
    publication = feedback.publication
    report = publication.report
    about = f" about {feedback.about}" if feedback.about else ""
    _send(
        f"Question from a panel member: {report.title}",
        f"{feedback.author} wrote{about} on version {publication.version} of “{report.title}”:\n\n"
        f"{feedback.text}\n\nAnswer it here: {_link('admin:reports_feedback_change', feedback.pk)}",
        _people(users=_authors(report), exclude=feedback.author)
        or _people(groups=[roles.EDITORS], exclude=feedback.author),
    )
