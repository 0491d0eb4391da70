"""What every reader view does first: find the version the visitor may open, refuse the
rest, and say how long browsers and proxies may keep the answer. What the server itself
remembers between requests is in reports.reader_cache.

A visitor without rights gets the sign-in page when anonymous (also for addresses that do
not exist, so the answer never tells whether a restricted report exists) and a 404 when
signed in.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils.cache import patch_cache_control

from portal.caching import mark_not_stored

from . import access, selectors

NOT_FOUND = "No report here."
WITHDRAWN_CONTENT = "This version has been withdrawn."
PUBLIC_MAX_AGE = 600


class Refused(Exception):
    pass


def refuse(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise Http404(NOT_FOUND)


def publication_for(request, slug, version=None, *, content=True):
    """The live version the visitor may open, or raise Refused / Http404."""
    publication = selectors.reader_publication(slug=slug, version=version)
    if publication is None or not access.can_read_publication(
        request.user, publication, latest_version=publication.latest_version
    ):
        raise Refused
    if content and not access.can_read_content(
        request.user, publication, latest_version=publication.latest_version
    ):
        # The reader may see the withdrawal notice on the page, but not the content.
        raise Http404(WITHDRAWN_CONTENT)
    return publication


def cache_headers(response, publication):
    """Public content may be kept by any cache for a while; anything else by none at all.

    Restricted, superseded and withdrawn versions are only for signed-in readers, so a
    browser or proxy must not keep them after the reader signs out.
    """
    if access.anonymous_may_read(publication, latest_version=publication.latest_version):
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        mark_not_stored(response)
    return response
