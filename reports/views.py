"""Reader pages for published reports. Every view checks the reader's rights first.

Everything is served from the frozen publication: the stored body HTML (remembered in
Django's cache by its SHA-256, since it never changes: reports.reader_cache), the stored
PDF, and the snapshot for chart data and figures. Nothing is recomputed from live data.

A visitor without rights gets the sign-in page when anonymous (also for addresses that
do not exist, so the answer never tells whether a restricted report exists) and a 404
when signed in.
"""

from __future__ import annotations

import hashlib
import logging
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_http_methods, require_safe

from portal.caching import mark_not_stored

from . import access, reader_cache, selectors
from .changes import diff_snapshots, period_label
from .feedback import FeedbackForm, feedback_create, feedback_subjects
from .reader_access import NOT_FOUND, Refused, publication_for, refuse
from .reader_cache import derived
from .rendering import build_context, render_web_html

log = logging.getLogger(__name__)

FEEDBACK_NOT_ALLOWED = "Only Panel members can leave feedback, on a version that has not been withdrawn."


# --------------------------------------------------------------------------- frozen body
def _stored_body(publication) -> str | None:
    """The frozen web HTML from storage, checked against its checksum; None if unusable."""
    digest = publication.html_sha256
    if not (publication.html_file and digest):
        return None
    cached = reader_cache.stored_body(digest)
    if cached is not None:
        return cached
    try:
        with default_storage.open(publication.html_file, "rb") as fh:
            data = fh.read()
    except OSError:
        log.error("Frozen HTML of %s is missing from storage (%r)", publication, publication.html_file)
        return None
    if hashlib.sha256(data).hexdigest() != digest:
        log.error("Frozen HTML of %s does not match its checksum: not served", publication)
        return None
    html = data.decode("utf-8")
    reader_cache.remember_body(digest, html)
    return html


def render_body(snapshot: dict, *, draft: bool = False) -> str:
    """The report body from a snapshot, exactly as the renderer freezes it."""
    return render_web_html(build_context(snapshot, draft=draft))


def body_html(publication) -> str:
    """The body to serve: the stored file, or the same template rendered from the snapshot."""
    html = _stored_body(publication)
    if html is not None:
        return html
    # Not rendered yet, or the file is lost: render from the frozen snapshot (never live data).
    return render_body(selectors.publication_snapshot(publication))


# --------------------------------------------------------------------------- pages
@require_safe
def report_latest(request, slug):
    return _report_page(request, slug, None)


@require_safe
def report_version(request, slug, version):
    return _report_page(request, slug, version)


def _changes_page(request, template: str, publication, earlier, *, against: str = ""):
    """`publication` against `earlier`: figures and text, word by word (reports.changes)."""
    snapshot = selectors.publication_snapshot(publication)
    changes = diff_snapshots(selectors.publication_snapshot(earlier), snapshot, against=against)
    context = {
        "publication": publication,
        "earlier": earlier,
        "changes": changes,
        "title": snapshot["report"]["title"],
        "marking": snapshot["report"]["marking"],
    }
    return mark_not_stored(render(request, template, context))  # for signed-in members only


@require_safe
def version_changes(request, slug, version):
    """What changed between this version and the one before: figures and text, word by word."""
    try:
        publication = publication_for(request, slug, version)
    except Refused:
        return refuse(request)
    if not access.can_see_history(request.user):
        return refuse(request)
    if version < 2:
        raise Http404(NOT_FOUND)
    try:
        previous = publication_for(request, slug, version - 1)
    except Refused:
        raise Http404(NOT_FOUND) from None
    return _changes_page(request, "reports/version_changes.html", publication, previous)


@require_safe
def previous_period_changes(request, slug, version):
    """This version against the previous period's report: figures and text, word by word.

    Part of the history (signed-in members and staff), and only against a report the
    visitor may read.
    """
    if not access.can_see_history(request.user):
        return refuse(request)
    try:
        publication = publication_for(request, slug, version)
    except Refused:
        return refuse(request)
    earlier = selectors.previous_period_publication(publication.report, user=request.user)
    if earlier is None:
        raise Http404(NOT_FOUND)
    return _changes_page(
        request, "reports/period_changes.html", publication, earlier, against=period_label(earlier)
    )


# Anonymous readers of a public version all get the same page, so it is remembered in
# Django's cache (reports.reader_cache), keyed by everything that could change what they
# see: the version's row state (published, withdrawn, body checksum), the newest version
# and the report's current audience and marking. One light query finds that state, and
# its answer is reused for reader_cache.STATE_TTL seconds: a withdrawal or a tighter
# audience reaches anonymous readers within that time. Anything else goes the full way.
def _anonymous_page_key(request, slug, version):
    """The cache key for an anonymous reader's request, or None when it cannot be shared."""
    cookies = request.COOKIES
    if (
        request.method != "GET"
        or request.GET
        or settings.SESSION_COOKIE_NAME in cookies
        or "messages" in cookies
    ):
        return None  # a session or a message could make the page personal
    states = reader_cache.version_states(slug)
    if not states:
        return None
    newest = states[0]
    state = newest if version is None else next((s for s in states if s[1] == version), None)
    if state is None:
        return None
    return reader_cache.page_key(request.path, newest[1], state)


_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _cached_page(request, key):
    """The remembered page, gzipped for a browser that accepts it.

    Compressed once when remembered (64 KB to about 12 KB), not on every request. Safe
    from BREACH-style attacks because a remembered page holds no secret: no CSRF token,
    nothing personal (see _report_page). Pages that may hold one are never compressed.
    """
    if not key:
        return None
    gzipped = bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))
    page = reader_cache.remembered_page(key, gzipped=gzipped)
    if page is None:
        return None
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    if gzipped:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Cookie", "Accept-Encoding"])
    patch_cache_control(response, private=True)
    return response


def _report_page(request, slug, version):
    key = _anonymous_page_key(request, slug, version)
    cached = _cached_page(request, key)
    if cached is not None:
        return cached
    response = _render_report_page(request, slug, version)
    # Shared only if nothing personal went into it: no cookie, and no CSRF token rendered
    # (the CSRF middleware sets its cookie after the view, so ask whether one was used).
    if (
        key
        and response.status_code == 200
        and not request.user.is_authenticated
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "no-store" not in response.get("Cache-Control", "")
    ):
        reader_cache.remember_page(key, response.content)
    if key:
        patch_vary_headers(response, ["Accept-Encoding"])  # the remembered copy may be gzipped
    return response


def _render_report_page(request, slug, version):
    try:
        publication = publication_for(request, slug, version, content=False)
    except Refused:
        return refuse(request)
    user = request.user
    latest = publication.latest_version
    show_content = access.can_read_content(user, publication, latest_version=latest)
    may_comment = access.can_leave_feedback(user, publication, latest_version=latest)
    body = body_html(publication) if show_content else ""
    form = None
    if may_comment:
        form = FeedbackForm(subjects=derived(publication, "subjects", feedback_subjects))
    feedback = (
        selectors.member_feedback(user=user, publication=publication)
        if user.is_authenticated and user.has_perm(access.ADD_FEEDBACK)
        else []
    )
    if feedback:
        anchors = {value: anchor for value, _, anchor in derived(publication, "subjects", feedback_subjects)}
        for item in feedback:
            item.anchor = anchors.get(item.about, "")
    history = selectors.publication_history(publication) if access.can_see_history(user) else []
    context = {
        "publication": publication,
        "report": publication.report,
        "title": publication.frozen_title or publication.report.title,
        "marking": publication.frozen_marking or publication.report.marking,
        "restricted": access.is_restricted(publication),
        "is_latest_url": version is None,
        "superseded": access.is_superseded(publication, latest),
        "latest_version": latest,
        "show_content": show_content,
        "body": body,
        "history": history,
        "earlier": (
            selectors.previous_period_publication(publication.report, user=user)
            if history and show_content
            else None
        ),
        "may_comment": may_comment,
        "form": form,
        "feedback": feedback,
        "has_charts": show_content and 'data-chart-url="' in body,
    }
    response = render(request, "reports/report_page.html", context)
    if context["restricted"] or user.is_authenticated:
        return mark_not_stored(response)  # a member's page: their history, feedback, CSRF token
    patch_cache_control(response, private=True)
    return response


@require_http_methods(["GET", "POST"])
def feedback(request, slug, version):
    """A panel member's comment on one version: the form alone (GET) or sending it (POST)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        publication = publication_for(request, slug, version, content=False)
    except Refused:
        return refuse(request)
    if not access.can_leave_feedback(request.user, publication, latest_version=publication.latest_version):
        raise PermissionDenied(FEEDBACK_NOT_ALLOWED)
    form = FeedbackForm(request.POST or None, subjects=derived(publication, "subjects", feedback_subjects))
    if request.method == "POST" and form.is_valid():
        feedback_create(
            publication=publication,
            author=request.user,
            text=form.cleaned_data["text"],
            about=form.cleaned_data["about"],
        )
        messages.success(request, "Thank you: your comment has been sent. The answer will appear here.")
        return redirect(publication.get_absolute_url() + "#your-feedback")
    response = render(
        request,
        "reports/feedback.html",
        {
            "publication": publication,
            "title": publication.frozen_title or publication.report.title,
            "marking": publication.frozen_marking or publication.report.marking,
            "restricted": access.is_restricted(publication),
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )
    return mark_not_stored(response)
