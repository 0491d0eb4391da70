"""python manage.py import_observations FILE [--dry-run] [--sheet NAME] [--user USERNAME]
                                      [--organisation CODE_OR_NAME]

The same path as the admin's import (kpis.imports.spreadsheet_import); import_kpis shares
this command's code. Exits non-zero, printing every problem, when anything is wrong.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kpis import imports
from kpis.models import Organisation

NO_SUCH_FILE = "There is no file at {path}."
NO_SUCH_USER = "There is no user '{username}'."
REFUSED = "Nothing was written: {count} problem(s) in {file_name}."


def user_named(username: str):
    """The user a command records as the importer (None for none); CommandError if unknown."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(NO_SUCH_USER.format(username=username))
    return user


def report_outcome(command: BaseCommand, outcome) -> None:
    """Problems to stderr, notes and the summary to stdout; CommandError when nothing was written."""
    for line in imports.iter_problem_lines(outcome):
        command.stderr.write(line)
    for note in outcome.notes:
        command.stdout.write(f"Note: {note}")
    command.stdout.write(outcome.summary())
    if not outcome.ok:
        raise CommandError(REFUSED.format(count=outcome.errors, file_name=outcome.file_name))
    if outcome.written:
        command.stdout.write(command.style.SUCCESS(f"Written as import #{outcome.batch.pk}."))
    else:
        command.stdout.write("Dry run: nothing was written.")


class SpreadsheetImportCommand(BaseCommand):
    """Import one spreadsheet of `kind` from a shell, as the admin does."""

    kind = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="an .xlsx, .ods or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--sheet", default="", help="the sheet to read (default: the first)")
        parser.add_argument("--user", default="", help="username recorded as the importer")

    def organisation(self, options) -> Organisation | None:
        return None

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(NO_SUCH_FILE.format(path=path))
        user = user_named(options["user"])
        organisation = self.organisation(options)
        size = path.stat().st_size
        if size > settings.IMPORT_MAX_FILE_BYTES:
            outcome = imports.oversize_outcome(file_name=path.name, size=size)
        else:
            outcome = imports.spreadsheet_import(
                content=path.read_bytes(),
                file_name=path.name,
                sheet=options["sheet"] or None,
                kind=self.kind,
                user=user,
                dry_run=options["dry_run"],
                organisation=organisation,
            )
        report_outcome(self, outcome)


class Command(SpreadsheetImportCommand):
    help = (
        "Import monthly observations from an xlsx, ods or csv file (long layout 'kpi_code, month, value' "
        "or wide layout 'kpi_code' then one column per month), as the admin's import does."
    )
    kind = imports.OBSERVATIONS

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--organisation",
            default="",
            help="whose figures a file without an organisation column holds: a code, name or other "
            "name (default: the home force)",
        )

    def organisation(self, options) -> Organisation | None:
        text = options["organisation"].strip()
        if not text:
            return None
        lookup = imports.OrganisationLookup()
        found = lookup.get(text)
        if found is None:
            raise CommandError(lookup.unknown_message(text))
        return Organisation.objects.get(pk=found)
