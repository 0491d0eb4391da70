"""One log line per request, with the signed-in user, for operators.

gunicorn's access log cannot name the user; this line can. It is written after the
response is built, so it carries the status code and the time the view took. Query
strings are left out: they can hold search terms and tokens that logs should not keep.
"""

import logging
import time

log = logging.getLogger("portal.requests")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        who = user.get_username() if user is not None and user.is_authenticated else "-"
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        log.log(
            level,
            "%s %s %s %.0fms user=%s",
            request.method,
            request.path,
            response.status_code,
            (time.monotonic() - started) * 1000,
            who,
        )
        return response
