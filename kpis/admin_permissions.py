"""Who may import spreadsheets in the kpis admin."""


class ImportNeedsAddAndChange:
    """Imports create rows as well as change them, so they need both permissions.

    django-import-export's own check asks for one permission code only
    (IMPORT_EXPORT_IMPORT_PERMISSION_CODE), which would let a user who may only change
    rows create new ones through an import.
    """

    def has_import_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}") and request.user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        )
