"""Nothing personal is kept by a browser or a proxy.

Every response to a signed-in visitor is `private, no-store` unless its view marked it
`public` (the same bytes anyone may download, such as a public version's PDF). Views
that know more say so themselves (reports.reader_access for restricted versions); this is the
rule for everything else: the signed-in home page, account pages, the history pages.
"""

from django.conf import settings
from django.utils.cache import patch_cache_control


def mark_not_stored(response):
    """`private, no-store` and nothing that lets a cache keep it."""
    if "Cache-Control" in response:
        del response["Cache-Control"]
    patch_cache_control(response, private=True, no_store=True)
    return response


def _is_public(response) -> bool:
    directives = {part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",")}
    return "public" in directives


class SignedInResponsesAreNotStoredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES  # anonymous requests never touch the session
            and not _is_public(response)
            and request.user.is_authenticated
        ):
            if "no-store" not in response.get("Cache-Control", ""):
                mark_not_stored(response)
        return response
