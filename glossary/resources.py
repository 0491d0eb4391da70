"""Glossary spreadsheets: the columns editors import and export (term, abbreviation, definition).

A term is matched by its written-out form, so importing a corrected glossary updates the
existing entries instead of duplicating them. Exported cells that a spreadsheet would run
as a formula are neutralised with a leading apostrophe; importing such a file back
removes that apostrophe again, so a glossary survives the round trip unchanged.
"""

from import_export import resources

from .models import Term

# A cell starting with one of these is run as a formula (or DDE command) by Excel,
# LibreOffice and Google Sheets: see OWASP "CSV Injection". A line feed is included
# because CSV readers turn a carriage return into one, and the escape must still be
# recognised when the file comes back.
FORMULA_STARTERS = ("=", "+", "-", "@", "\t", "\r", "\n")
COLUMNS = ("term", "abbreviation", "definition")


def neutralise_formula(value):
    """Prefix an apostrophe to text a spreadsheet would treat as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTERS):
        return "'" + value
    return value


def restore_formula_escape(value):
    """Undo `neutralise_formula` on import: "'=x" was exported from "=x"."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTERS):
        return value[1:]
    return value


class TermResource(resources.ModelResource):
    """Import and export of glossary terms, matched on the term."""

    class Meta:
        model = Term
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ["term"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row, **kwargs):
        for column in COLUMNS:
            value = row.get(column)
            if isinstance(value, str):
                # Stray spaces around a term would make it a different term.
                row[column] = restore_formula_escape(value.strip())

    def export_field(self, field, instance, **kwargs):
        return neutralise_formula(super().export_field(field, instance, **kwargs))
