"""Glossary spreadsheets: the columns editors import and export (term, abbreviation, definition).

A term is matched by its written-out form, so importing a corrected glossary updates the
existing entries instead of duplicating them. Cells a spreadsheet would run as a formula
are neutralised on export and restored on import (portal/spreadsheet_safety.py), so a
glossary survives the round trip unchanged.
"""

from pathlib import PurePath

from import_export import resources
from import_export.formats import base_formats

from portal.edit_versions import mark_edited
from portal.spreadsheet_safety import FormulaSafeResourceMixin

from . import signals
from .linking import GlossaryEntry
from .models import Term

COLUMNS = ("term", "abbreviation", "definition")
# The formats the admin offers, by file extension.
FORMATS = {".csv": base_formats.CSV, ".xlsx": base_formats.XLSX, ".ods": base_formats.ODS}
UNSUPPORTED_FILE = "'{name}' is not a glossary file: use .csv, .xlsx or .ods."


class TermResource(FormulaSafeResourceMixin, resources.ModelResource):
    """Import and export of glossary terms, matched on the term."""

    class Meta:
        model = Term
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ["term"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.changed_entries: list[GlossaryEntry] = []

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk:
            before = Term.objects.filter(pk=instance.pk).first()
            if before:
                self.changed_entries.append(term_entry(before))
        mark_edited(instance, by=kwargs.get("user"))

    def after_save_instance(self, instance, row, **kwargs):
        self.changed_entries.append(term_entry(instance))

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if self.changed_entries and not kwargs.get("dry_run"):
            # Inside the import's transaction: an import that fails records nothing.
            signals.terms_changed.send(sender=Term, by=kwargs.get("user"), entries=self.changed_entries)

    def before_import_row(self, row, **kwargs):
        for column in COLUMNS:
            value = row.get(column)
            if isinstance(value, str):
                # Stray spaces around a term would make it a different term.
                row[column] = value.strip()
        super().before_import_row(row, **kwargs)  # then the export's formula guard comes off


def term_entry(term: Term) -> GlossaryEntry:
    """A term's names and definition, as the linker and `signals.terms_changed` take them."""
    return GlossaryEntry(
        term=term.term, abbreviation=term.abbreviation, anchor=f"term-{term.slug}", definition=term.definition
    )


def terms_import(*, content: bytes, file_name: str, user=None, dry_run: bool = False):
    """Import a glossary file (csv, xlsx, ods) exactly as the admin's confirm step does.

    All or nothing: any row in error writes no row. Returns import-export's Result
    (`has_errors()`, `has_validation_errors()`, `totals`).
    """
    format_class = FORMATS.get(PurePath(file_name).suffix.lower())
    if format_class is None:
        raise ValueError(UNSUPPORTED_FILE.format(name=file_name))
    input_format = format_class() if format_class().is_binary() else format_class(encoding="utf-8-sig")
    dataset = input_format.create_dataset(content)
    return TermResource().import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        file_name=file_name,
        user=user,
    )
