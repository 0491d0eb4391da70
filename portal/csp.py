"""Content Security Policy for the whole site.

The reader site runs under a strict policy (no inline scripts or styles). Django's admin
and django-import-export's screens put `style="..."` attributes in their own templates,
so under /admin/ only inline *styles* are allowed; scripts stay same-origin everywhere.
"""

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts


class PortalCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith("/admin/"):
            update = dict(parts.update or {})
            update["style-src"] = [UNSAFE_INLINE]
            parts.update = update
        return parts
