"""Who may read what on the reader site. Every reader view asks these functions."""

from .models import Publication, Report

READ_RESTRICTED = "reports.read_restricted"


def can_read_restricted(user) -> bool:
    """Signed-in panel members, reviewers and editors (and superusers)."""
    return bool(user.is_authenticated and user.has_perm(READ_RESTRICTED))


def can_read_report(user, report: Report) -> bool:
    return not report.is_restricted or can_read_restricted(user)


def can_see_history(user) -> bool:
    """Version history (all versions, change notes) is for signed-in members and staff."""
    return can_read_restricted(user)


def can_read_content(user, publication: Publication) -> bool:
    """A withdrawn version shows its notice to readers; only staff still see its content."""
    if not can_read_report(user, publication.report):
        return False
    if publication.withdrawn_at and not (user.is_authenticated and user.is_staff):
        return False
    return True
