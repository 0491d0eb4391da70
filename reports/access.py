"""Who may read what on the reader site. Every reader view asks these functions.

The rules:

- a public report (audience public, not OFFICIAL-SENSITIVE) to anyone;
- a panel-only or OFFICIAL-SENSITIVE report, and every version history (superseded
  versions, change notes), only to signed-in users with `reports.read_restricted`;
- a version counts as restricted when the report is restricted now *or* was restricted
  when that version was frozen, so loosening a draft revision never opens an old version;
- a withdrawn version shows its notice (with the reason) to whoever may read the report,
  but its content (page, PDF, figures, charts) only to staff, who need it to correct it;
- drafts are never on the reader site (views only ever look at live publications).
"""

from django.contrib.auth.models import AnonymousUser

from .models import Publication, Report

READ_RESTRICTED = "reports.read_restricted"
ADD_FEEDBACK = "reports.add_feedback"


def can_read_restricted(user) -> bool:
    """Signed-in panel members, reviewers and editors (and superusers)."""
    return bool(user.is_authenticated and user.has_perm(READ_RESTRICTED))


def can_see_history(user) -> bool:
    """Version history (all versions, change notes) is for signed-in members and staff."""
    return can_read_restricted(user)


def is_staff_reader(user) -> bool:
    """Staff who may still read withdrawn content (to check and correct it)."""
    return bool(user.is_authenticated and user.is_staff and user.has_perm(READ_RESTRICTED))


def _frozen(publication: Publication, key: str) -> str:
    # Reader selectors annotate the two frozen values so the page need not load the snapshot.
    value = getattr(publication, f"frozen_{key}", None)
    if value is None and "snapshot" in publication.__dict__:
        value = publication.snapshot["report"][key]
    return value or ""


def is_restricted(publication: Publication) -> bool:
    """Restricted now (the report) or when frozen (the version's own audience and marking)."""
    return (
        publication.report.is_restricted
        or _frozen(publication, "audience") == Report.Audience.PANEL
        or _frozen(publication, "marking") == Report.Marking.OFFICIAL_SENSITIVE
    )


def is_superseded(publication: Publication, latest_version: int | None) -> bool:
    return latest_version is not None and publication.version < latest_version


def can_read_publication(user, publication: Publication, *, latest_version: int | None = None) -> bool:
    """May this visitor open this live version's page (content or withdrawal notice)?

    Superseded versions are part of the version history, so they need the history right.
    """
    if is_restricted(publication) and not can_read_restricted(user):
        return False
    if is_superseded(publication, latest_version) and not can_see_history(user):
        return False
    return True


def can_read_content(user, publication: Publication, *, latest_version: int | None = None) -> bool:
    """The report itself (page body, PDF, figures, chart data), not just its notice."""
    if not can_read_publication(user, publication, latest_version=latest_version):
        return False
    if publication.withdrawn_at and not is_staff_reader(user):
        return False
    return True


def can_leave_feedback(user, publication: Publication, *, latest_version: int | None = None) -> bool:
    """Signed-in panel members on a version they can read that has not been withdrawn."""
    return bool(
        user.is_authenticated
        and user.has_perm(ADD_FEEDBACK)
        and not publication.withdrawn_at
        and can_read_publication(user, publication, latest_version=latest_version)
    )


def anonymous_may_read(publication: Publication, *, latest_version: int | None = None) -> bool:
    """Would a visitor who is not signed in get this version's content? If not, it is private."""
    return can_read_content(AnonymousUser(), publication, latest_version=latest_version)
